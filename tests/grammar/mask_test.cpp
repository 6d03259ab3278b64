// Token masks against brute force: at every step of a walk through valid instances, the mask must
// equal "this token's bytes are accepted by a copy of the matcher" for every token, EOS must be
// allowed exactly when the value is complete, and excluded (special) tokens never.
#include <random>

#include "grammar_test_util.h"

namespace mynah::grammar::testing {
namespace {

struct SmallVocab {
  std::shared_ptr<const TokenIndex> index;
  int32_t eos = 0;
  int32_t special = 0;
};

// `long_pieces`: also random 17..40-byte substrings, which land in the long-token trie.
SmallVocab small_vocab(const std::vector<std::string>& samples, bool long_pieces = false) {
  std::vector<std::string> pieces;
  for (int b = 32; b < 127; ++b) pieces.emplace_back(1, static_cast<char>(b));
  for (const char* p : {"{\"", "\":", "\",\"", "\"}", "true", "null", "false", "12", "abc", "\"a\"", "},{\"", "]}",
                        "[{", "\xc3\xa9", "\xc3", "\xa9", "\\n", "\":\"", "\"]", "1.5", "-", "ab", "\\\"", "\"\""}) {
    pieces.emplace_back(p);
  }
  std::mt19937 rng(7);
  for (const auto& s : samples) {  // random substrings of the instances: realistic multi-byte tokens
    for (int k = 0; k < 40; ++k) {
      const size_t start = rng() % s.size();
      const size_t len = 1 + rng() % 6;
      pieces.push_back(s.substr(start, len));
      if (long_pieces && s.size() > 17) {
        const size_t long_len = 17 + rng() % 24;
        pieces.push_back(s.substr(rng() % (s.size() - 17), long_len));
      }
    }
  }
  SmallVocab v;
  v.special = static_cast<int32_t>(pieces.size());
  pieces.emplace_back("{");  // same bytes as a normal token, but excluded like a control token
  v.eos = static_cast<int32_t>(pieces.size());
  pieces.emplace_back("</s>");
  std::vector<bool> excluded(pieces.size(), false);
  excluded[static_cast<size_t>(v.special)] = true;
  excluded[static_cast<size_t>(v.eos)] = true;
  v.index = TokenIndex::from_pieces(std::move(pieces), std::move(excluded));
  return v;
}

// Greedy longest-match tokenization over maskable tokens.
std::vector<int32_t> tokenize(const TokenIndex& ix, const std::string& text) {
  std::vector<int32_t> ids;
  for (size_t pos = 0; pos < text.size();) {
    int32_t best = -1;
    for (int32_t id = 0; id < ix.n_tokens(); ++id) {
      const auto p = ix.piece(id);
      if (ix.maskable(id) && text.compare(pos, p.size(), p) == 0 &&
          (best < 0 || p.size() > ix.piece(best).size())) {
        best = id;
      }
    }
    if (best < 0) return {};
    ids.push_back(best);
    pos += ix.piece(best).size();
  }
  return ids;
}

void check_masks_along(const std::string& schema, const std::vector<std::string>& instances,
                       bool long_pieces = false) {
  const auto g = compile_text(schema);
  ASSERT_NE(g, nullptr);
  const SmallVocab v = small_vocab(instances, long_pieces);
  auto masks = std::make_shared<MaskCache>(g, v.index);
  std::vector<uint64_t> mask(v.index->n_mask_words());
  for (const auto& text : instances) {
    const auto ids = tokenize(*v.index, text);
    ASSERT_FALSE(ids.empty()) << text;
    Matcher m(masks, {v.eos});
    for (size_t step = 0; step <= ids.size(); ++step) {
      m.fill_mask(mask);
      for (int32_t id = 0; id < v.index->n_tokens(); ++id) {
        Matcher copy = m;
        const bool expected = copy.accept_token(id);
        const bool got = (mask[static_cast<size_t>(id) / 64] >> (id & 63)) & 1;
        ASSERT_EQ(got, expected) << schema << "\ninstance " << text << " step " << step << " token '"
                                 << v.index->piece(id) << "'";
      }
      EXPECT_FALSE((mask[static_cast<size_t>(v.special) / 64] >> (v.special & 63)) & 1);
      const bool eos_allowed = (mask[static_cast<size_t>(v.eos) / 64] >> (v.eos & 63)) & 1;
      EXPECT_EQ(eos_allowed, step == ids.size()) << text << " step " << step;
      if (step < ids.size()) {
        ASSERT_TRUE(m.accept_token(ids[step])) << text << " step " << step;
      }
    }
    EXPECT_TRUE(m.accept_token(v.eos));
    m.fill_mask(mask);
    for (uint64_t w : mask) EXPECT_EQ(w, 0u);
  }
}

TEST(TokenMask, MatchesBruteForceOnObjects) {
  check_masks_along(R"({"type":"object","properties":{"name":{"type":"string","maxLength":5},
      "ok":{"type":"boolean"},"tags":{"type":"array","items":{"enum":["a","ab"]}},"n":{"type":"number"}},
      "required":["name"]})",
                    {R"({"name":"abc"})", R"({"name":"\u0001\n","ok":true,"tags":["a","ab"],"n":-1.5e3})",
                     R"({"name":"","zz":{"q":[1,null]}})"});
}

TEST(TokenMask, MatchesBruteForceOnRecursion) {
  check_masks_along(R"({"$defs":{"t":{"type":"object","properties":{"v":{"type":"integer","minimum":0,"maximum":99},
      "c":{"type":"array","items":{"$ref":"#/$defs/t"}}},"additionalProperties":false}},"$ref":"#/$defs/t"})",
                    {R"({"v":12,"c":[{"v":1},{"c":[{}]}]})", R"({})"});
}

// Bounded strings exercise the cached-by-horizon short-token sets, the per-state long-token sets
// (pieces over 16 bytes) and the plain-text subtree shortcut near and far from the length limit.
TEST(TokenMask, MatchesBruteForceOnBoundedStringsAndLongTokens) {
  check_masks_along(R"({"type":"object","properties":{"a":{"type":"string","maxLength":20},
      "b":{"type":"string","minLength":2,"maxLength":3},"c":{"type":"string","pattern":"^[a-z\u00e9 ]{0,30}$"},
      "d":{"type":"string"},"e":{"type":"string","maxLength":40}},"additionalProperties":false})",
                    {R"({"a":"abcdefghij klmnopqrs","b":"xy","c":"café café café abcdefgh"})",
                     "{\"a\":\"\u65e5\u672c\u8a9e \u65e5\u672c\u8a9e\",\"d\":\"ab\\\"cd\\n long text that goes on and on\"}",
                     R"({"b":"abc","e":"0123456789012345678901234567890123456789"})",
                     R"({"e":"éééééééééééééééééé"})"},
                    /*long_pieces=*/true);
}

TEST(TokenMask, CopyForksIndependently) {
  const auto g = compile_text(R"({"enum":["ab","ac"]})");
  Matcher m(std::make_shared<MaskCache>(g, byte_index()), {});
  ASSERT_TRUE(m.accept_bytes("\"a"));
  Matcher fork = m;
  EXPECT_TRUE(m.accept_bytes("b\""));
  EXPECT_TRUE(fork.accept_bytes("c\""));
  EXPECT_TRUE(m.is_complete());
  EXPECT_TRUE(fork.is_complete());
  EXPECT_FALSE(m.accept_bytes("x"));
}

}  // namespace
}  // namespace mynah::grammar::testing
