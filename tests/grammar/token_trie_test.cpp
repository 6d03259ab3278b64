// TokenTrie and the plain-text DFA behind the mask walk's subtree shortcut: the DFA must accept
// exactly well-formed UTF-8 without controls, '"' or '\', and the trie's per-node summaries must
// agree with that.
#include <gtest/gtest.h>

#include "grammar/plain_text.h"
#include "grammar/token_index.h"
#include "grammar/token_trie.h"

namespace mynah::grammar::testing {
namespace {

// True when every prefix of `bytes` keeps the DFA alive from a character boundary.
bool plain_prefix(std::string_view bytes) {
  int u = 0;
  for (char c : bytes) {
    u = plain_text_next(u, static_cast<uint8_t>(c));
    if (u < 0) return false;
  }
  return true;
}

TEST(PlainText, AcceptsWellFormedUtf8Only) {
  EXPECT_TRUE(plain_prefix("hello world ~\x7f"));
  EXPECT_TRUE(plain_prefix("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"));
  EXPECT_TRUE(plain_prefix("\xe6\x97"));  // a character cut by the token boundary is a prefix
  EXPECT_FALSE(plain_prefix("a\"b"));
  EXPECT_FALSE(plain_prefix("a\\n"));
  EXPECT_FALSE(plain_prefix("a\nb"));
  EXPECT_FALSE(plain_prefix("\xc0\x80"));      // overlong
  EXPECT_FALSE(plain_prefix("\xe0\x80\x80"));  // overlong
  EXPECT_FALSE(plain_prefix("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(plain_prefix("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(plain_prefix("\x80"));          // stray continuation byte
}

TEST(TokenTrie, SummariesMatchThePieces) {
  const std::vector<std::string> pieces = {"ab", "abc", "a\"", "x", "xy\xc3\xa9", std::string(20, 'z')};
  const auto index = TokenIndex::from_pieces(pieces);
  const TokenTrie& s = index->short_trie();
  EXPECT_EQ(s.n_tokens(), 5u);
  EXPECT_EQ(index->long_trie().n_tokens(), 1u);
  EXPECT_EQ(s.height(0), 4);  // "xy\xc3\xa9"
  EXPECT_FALSE(s.plain_text_below(0));  // "a\"" has a quote
  for (uint32_t node = 1; node < s.n_nodes(); node = s.subtree_end(node)) {
    if (s.node_byte(node) == 'x') {
      EXPECT_TRUE(s.plain_text_below(node));
    } else if (s.node_byte(node) == 'a') {
      EXPECT_FALSE(s.plain_text_below(node));
    }
  }
  EXPECT_EQ(index->long_trie().height(0), 20);
}

}  // namespace
}  // namespace mynah::grammar::testing
