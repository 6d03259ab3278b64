// JSON Schema keywords: accept/reject strings per keyword, whitespace rule, fail-closed errors.
#include "grammar_test_util.h"

namespace mynah::grammar::testing {
namespace {

struct Case {
  const char* schema;
  std::vector<const char*> accept;
  std::vector<const char*> reject;
};

void check(const Case& c) {
  const auto g = compile_text(c.schema);
  ASSERT_NE(g, nullptr);
  for (const char* s : c.accept) EXPECT_TRUE(matches(g, s)) << c.schema << " should accept " << s;
  for (const char* s : c.reject) EXPECT_FALSE(matches(g, s)) << c.schema << " should reject " << s;
}

TEST(SchemaKeywords, Types) {
  check({R"({"type":"null"})", {"null"}, {"nul", "0", "\"null\""}});
  check({R"({"type":"boolean"})", {"true", "false"}, {"True", "1"}});
  check({R"({"type":"integer"})", {"0", "-7", "123456789012345678901234"}, {"01", "-0", "1.5", "1e3", "+1"}});
  check({R"({"type":"number"})", {"0", "-0.5", "1.25e-7", "3E+2", "10"}, {".5", "1.", "01", "1e", "--1"}});
  check({R"({"type":"string"})", {R"("")", R"("a b")", R"("\"\\\n")", "\"\xc3\xa9\"", R"("\u0001")"},
         {R"("a)", "\"a\nb\"", R"("\x")", R"("\u0041")"}});
  check({R"({"type":["string","null"]})", {"null", R"("x")"}, {"1"}});
  check({R"({})", {"1", "null", R"({"a":[1,{"b":"c"}]})", "[]"}, {"", "[1,]", "{\"a\"}"}});
}

TEST(SchemaKeywords, Whitespace) {
  const auto g = compile_text(R"({"type":"object","properties":{"a":{"type":"array"}}})");
  EXPECT_TRUE(matches(g, R"({"a":[1,2]})"));
  EXPECT_FALSE(matches(g, R"({"a": [1,2]})"));
  EXPECT_FALSE(matches(g, R"({"a":[1, 2]})"));
  EXPECT_FALSE(matches(g, R"( {"a":[]})"));
  EXPECT_FALSE(matches(g, R"({"a":[]} )"));
  JsonSchemaOptions spaced;
  spaced.separators = JsonSeparators::kSpaced;
  const auto s = compile_text(R"({"type":"object","properties":{"a":{"type":"array"},"b":{}}})", spaced);
  EXPECT_TRUE(matches(s, R"({"a": [1, 2], "b": null})"));
  EXPECT_FALSE(matches(s, R"({"a":[1,2]})"));
  EXPECT_FALSE(matches(s, R"({"a":  [1]})"));
}

TEST(SchemaKeywords, StringLength) {
  check({R"({"type":"string","minLength":2,"maxLength":3})", {R"("ab")", R"("abc")", "\"\xc3\xa9\xc3\xa9\"", R"("\n\t")"},
         {R"("a")", R"("abcd")", "\"\xc3\xa9\""}});
}

TEST(SchemaKeywords, Pattern) {
  check({R"({"type":"string","pattern":"^[a-z]+-\\d{2}$"})", {R"("ab-12")"}, {R"("ab-1")", R"("Ab-12")", R"("ab-123")"}});
  check({R"({"type":"string","pattern":"b"})", {R"("abc")", R"("b")"}, {R"("ac")"}});
  check({R"({"type":"string","pattern":"^a","maxLength":2})", {R"("a")", R"("ab")"}, {R"("abc")", R"("ba")"}});
}

TEST(SchemaKeywords, Formats) {
  check({R"({"type":"string","format":"date-time"})", {R"("2024-02-28T12:30:00Z")", R"("2024-01-01T00:00:00.5+01:00")"},
         {R"("2024-13-01T00:00:00Z")", R"("2024-01-01 00:00:00Z")"}});
  check({R"({"type":"string","format":"date"})", {R"("1999-12-31")", R"("2000-02-28")"}, {R"("1999-12-32")", R"("2022-02-31")", R"("2022-04-31")"}});
  check({R"({"type":"string","format":"time"})", {R"("23:59:60Z")"}, {R"("24:00:00Z")"}});
  check({R"({"type":"string","format":"uuid"})", {R"("123e4567-e89b-12d3-a456-426614174000")"}, {R"("123e4567")"}});
  check({R"({"type":"string","format":"email"})", {R"("a.b@example.com")"}, {R"("a@b")", R"(".a@b.com")"}});
  check({R"({"type":"string","format":"ipv4"})", {R"("192.168.0.1")"}, {R"("256.1.1.1")", R"("1.2.3")"}});
  check({R"({"type":"string","format":"ipv6"})", {R"("::1")", R"("2001:db8::8a2e:370:7334")"}, {R"("1:::2")"}});
  check({R"({"type":"string","format":"hostname"})", {R"("example.com")"}, {R"("-a.com")", R"("a..b")"}});
  check({R"({"type":"string","format":"uri"})", {R"("https://example.com/a?b=c")"}, {R"("no scheme")"}});
}

TEST(SchemaKeywords, IntegerBounds) {
  check({R"({"type":"integer","minimum":-5,"maximum":120})", {"-5", "0", "99", "120"}, {"-6", "121", "1000"}});
  check({R"({"type":"integer","exclusiveMinimum":0})", {"1", "12345678901234567890123"}, {"0", "-1"}});
  check({R"({"type":"integer","minimum":1.5,"exclusiveMaximum":10})", {"2", "9"}, {"1", "10"}});
  check({R"({"type":"integer","maximum":-10})", {"-10", "-11", "-100"}, {"-9", "0"}});
  check({R"({"type":"integer","minimum":0,"exclusiveMinimum":true})", {"1"}, {"0"}});  // draft 4
}

TEST(SchemaKeywords, NumberBounds) {
  check({R"({"type":"number","minimum":0,"maximum":1})", {"0", "0.5", "1", "1.0", "0.999"}, {"-0.1", "1.01", "2", "1e0"}});
  check({R"({"type":"number","exclusiveMinimum":0,"exclusiveMaximum":2})", {"0.001", "1.9"}, {"0", "0.0", "2", "2.0"}});
  check({R"({"type":"number","minimum":-2.0})", {"-2", "-1.5", "7"}, {"-2.5", "-3"}});
  EXPECT_NE(compile_error(R"({"type":"number","minimum":0.5})"), "");
}

TEST(SchemaKeywords, EnumAndConst) {
  check({R"({"enum":["a",1,null,{"k":[true]}]})", {R"("a")", "1", "null", R"({"k":[true]})"}, {R"("b")", "2", "{}"}});
  check({R"({"const":"x"})", {R"("x")"}, {R"("y")"}});
  check({R"({"type":"string","enum":["a",1,"bb"],"maxLength":1})", {R"("a")"}, {"1", R"("bb")"}});
}

TEST(SchemaKeywords, AnyOfOneOfAllOf) {
  check({R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]})", {"1", R"("a")"}, {R"("ab")", "null"}});
  check({R"({"oneOf":[{"type":"integer"},{"type":"string"}]})", {"1", R"("a")"}, {"null"}});
  check({R"({"allOf":[{"type":"integer","minimum":0},{"maximum":5}]})", {"0", "5"}, {"6", "-1"}});
  check({R"({"type":"string","anyOf":[{"maxLength":1},{"pattern":"^x+$"}]})", {R"("a")", R"("xxx")"}, {R"("ab")", "1"}});
  EXPECT_NE(compile_error(R"({"oneOf":[{"type":"integer"},{"type":"number"}]})"), "");
}

// oneOf compiles to a plain alternative only when no value can match two branches: disjoint
// types (through bare $refs with annotations), disjoint enum/const values, or objects whose
// shared required property is itself disjoint. Anything unproven stays a compile error.
TEST(SchemaKeywords, OneOfDisjointBranches) {
  check({R"({"definitions":{"r":{"type":"object","properties":{"m":{"type":"string"}},"required":["m"]}},
      "oneOf":[{"description":"one","$ref":"#/definitions/r"},{"type":"array","items":{"$ref":"#/definitions/r"}}]})",
         {R"({"m":"x"})", R"([{"m":"x"}])", "[]"}, {R"({})", R"([{}])", "1"}});
  const char* tagged = R"({"type":"object","properties":{"kind":{"type":"string"},"n":{"type":"integer"}},
      "additionalProperties":false,"oneOf":[
        {"properties":{"kind":{"enum":["a"]},"n":{"maximum":5}},"required":["kind"]},
        {"properties":{"kind":{"const":"b"}},"required":["kind","n"]}]})";
  check({tagged, {R"({"kind":"a"})", R"({"kind":"a","n":5})", R"({"kind":"b","n":9})"},
         {R"({"kind":"a","n":6})", R"({"kind":"b"})", R"({"kind":"c","n":1})", R"({"n":1})", "{}"}});
  // Not provable: a required tag in only one branch, a tag without "type":"object", equal objects
  // stored in different key orders.
  for (const char* s : {R"({"type":"object","oneOf":[{"properties":{"k":{"const":1}},"required":["k"]},
                            {"properties":{"k":{"const":2}}}]})",
                        R"({"oneOf":[{"properties":{"k":{"const":1}},"required":["k"]},
                            {"properties":{"k":{"const":2}},"required":["k"]}]})",
                        R"({"oneOf":[{"enum":[{"a":1,"b":2}]},{"enum":[{"b":2,"a":1}]}]})"}) {
    EXPECT_NE(compile_error(s).find("oneOf"), std::string::npos) << s;
  }
}

TEST(SchemaKeywords, Not) {
  check({R"({"not":{"type":["string","object","array"]}})", {"1", "null", "true"}, {R"("a")", "{}", "[]"}});
  EXPECT_NE(compile_error(R"({"not":{"minimum":3}})").find("'not'"), std::string::npos);
  check({R"({"type":"integer","not":{"not":{"minimum":3}}})", {"3", "40"}, {"2", "-1", R"("3")"}});
  check({R"({"not":{"not":{"type":"array","items":{"type":"integer"}}}})", {"[]", "[1,2]"}, {"[1.5]", "{}", "1"}});
  EXPECT_NE(compile_error(R"({"not":{"not":false}})").find("unsatisfiable"), std::string::npos);
}

TEST(SchemaKeywords, FailClosed) {
  for (const char* s : {R"({"type":"object","propertyNames":{"maxLength":3}})",
                        R"({"type":"array","contains":{"type":"integer"}})",
                        R"({"type":"integer","multipleOf":3})", R"({"type":"array","uniqueItems":true})",
                        R"({"if":{"type":"string"},"then":{"maxLength":2}})",
                        R"({"allOf":[{"if":{"type":"string"},"then":{"maxLength":2}}]})",
                        R"({"type":"object","allOf":[{"if":{"required":["a"]},"else":{"required":["b"]}}]})", R"({"$ref":"http://x/y.json"})",
                        R"j({"type":"string","pattern":"(a)\\1"})j", R"j({"type":"string","pattern":"(?=a)"})j",
                        R"({"type":"string","maxLength":100000})", R"({"$ref":"#/definitions/missing"})"}) {
    EXPECT_NE(compile_error(s), "") << s;
  }
  EXPECT_NE(compile_error(R"({"properties":{"a":{"dependentRequired":{}}}})").find("/properties/a"), std::string::npos);
  EXPECT_NE(compile_error(R"({"type":"string","enum":[1]})"), "");  // unsatisfiable
}

}  // namespace
}  // namespace mynah::grammar::testing
