// The regex response format and regex features inside JSON strings.
#include "grammar_test_util.h"

namespace mynah::grammar::testing {
namespace {

bool regex_matches(const std::string& pattern, const std::string& text) {
  auto g = compile_regex_grammar(pattern);
  EXPECT_TRUE(g.ok()) << pattern << ": " << (g.ok() ? "" : g.error().message);
  return g.ok() && matches(*g, text);
}

TEST(Regex, FullMatchSemantics) {
  EXPECT_TRUE(regex_matches("(yes|no)", "yes"));
  EXPECT_FALSE(regex_matches("(yes|no)", "yes!"));
  EXPECT_TRUE(regex_matches("[A-Z][a-z]{2,3}\\.", "Abc."));
  EXPECT_FALSE(regex_matches("[A-Z][a-z]{2,3}\\.", "Abcde."));
  EXPECT_TRUE(regex_matches("\\d+(\\.\\d+)?", "3.14"));
  EXPECT_TRUE(regex_matches("[^a]*", "bcd\n\xe2\x82\xac"));
  EXPECT_FALSE(regex_matches("[^a]*", "bad"));
  EXPECT_TRUE(regex_matches(".", "\xf0\x9f\x98\x80"));
  EXPECT_FALSE(regex_matches(".", "\n"));
  EXPECT_TRUE(regex_matches("a{2}b*?c?", "aab"));
  EXPECT_TRUE(regex_matches("\\u00e9\\x41", "\xc3\xa9" "A"));
  EXPECT_FALSE(compile_regex_grammar("[]").ok());  // ECMA: matches nothing, so nothing can be generated
}

TEST(Regex, Errors) {
  for (const char* p : {"(a", "a)", "*a", "\\p{L}", "a\\b", "(?!x)", "[b-a]"}) {
    EXPECT_FALSE(compile_regex_grammar(p).ok()) << p;
  }
}

TEST(Regex, PatternEscapesInsideJsonStrings) {
  // The regex sees decoded characters; the grammar emits their JSON spelling.
  const auto g = compile_text(R"({"type":"string","pattern":"^a\"b\\\\c\\nd$"})");
  EXPECT_TRUE(matches(g, R"("a\"b\\c\nd")"));
  EXPECT_FALSE(matches(g, "\"a\"b\\c\nd\""));
}

}  // namespace
}  // namespace mynah::grammar::testing
