// Tokenizer behaviour on the in-repo stories260K vocab and on tiny built vocabs: BOS, special
// tokens, byte fallback, the merge order against a naive reference, and a 1 MB input.
#include "tokenizer/tokenizer.h"

#include <random>

#include <gtest/gtest.h>

#include "vocab_builder.h"

namespace mynah::tokenizer {
namespace {

using testing::VocabBuilder;
using Ids = std::vector<TokenId>;

const Tokenizer& stories() {
  static const Tokenizer tok = [] {
    auto file = gguf::GgufFile::open(std::string(MYNAH_SOURCE_ROOT) + "/models/stories260K.gguf");
    EXPECT_TRUE(file.ok()) << file.error().message;
    auto t = Tokenizer::from_gguf(*file);
    EXPECT_TRUE(t.ok()) << t.error().message;
    return std::move(t).value();
  }();
  return tok;
}

Ids concat(std::initializer_list<Ids> parts) {
  Ids out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(Tokenizer, StoriesOnceUponATime) {
  EXPECT_EQ(stories().encode("Once upon a time", true, false), (Ids{1, 403, 407, 261, 378}));
  EXPECT_EQ(stories().encode("Once upon a time", false, false), (Ids{403, 407, 261, 378}));
  EXPECT_EQ(stories().decode(Ids{1, 403, 407, 261, 378}), "Once upon a time");
  EXPECT_EQ(stories().decode(Ids{1, 403, 407, 261, 378}, false), " Once upon a time");
  EXPECT_EQ(stories().token_to_piece(403), " Once");
  EXPECT_EQ(stories().token_text(403), "\xE2\x96\x81" "Once");
}

TEST(Tokenizer, EmptyInput) {
  EXPECT_EQ(stories().encode("", false, false), Ids{});
  EXPECT_EQ(stories().encode("", true, false), Ids{1});
  EXPECT_EQ(stories().decode(Ids{}), "");
}

TEST(Tokenizer, StoriesMetadataAccessors) {
  const Tokenizer& t = stories();
  EXPECT_EQ(t.n_vocab(), 512);
  EXPECT_EQ(t.bos_id(), 1);
  EXPECT_EQ(t.eos_id(), 2);
  EXPECT_TRUE(t.add_bos());
  EXPECT_FALSE(t.add_eos());
  EXPECT_TRUE(t.is_control(1));
  EXPECT_FALSE(t.is_control(0));  // <unk> is UNKNOWN
  EXPECT_FALSE(t.is_control(-1));
  EXPECT_TRUE(t.is_end_of_generation(2));
  EXPECT_FALSE(t.is_end_of_generation(1));
  EXPECT_FALSE(t.is_end_of_generation(403));
  EXPECT_EQ(t.token_to_piece(1), "");      // control
  EXPECT_EQ(t.token_to_piece(0), "");      // unknown
  EXPECT_EQ(t.token_to_piece(3 + 10), "\n");  // <0x0A>
}

TEST(Tokenizer, SpecialTokensParsedOnlyWhenAsked) {
  const Tokenizer& t = stories();
  // parse_special: "<s>" is BOS, and the text after it gets the dummy-prefix space again.
  EXPECT_EQ(t.encode("<s>Once upon", false, true), concat({{1}, t.encode("Once upon", false, false)}));
  EXPECT_EQ(t.encode("Once</s>upon", false, true),
            concat({t.encode("Once", false, false), {2}, t.encode("upon", false, false)}));
  EXPECT_EQ(t.encode("<unk>", false, true), Ids{0});
  // Plain text: no control ids appear, and the text survives a round trip.
  const Ids plain = t.encode("<s>Once</s>", false, false);
  for (TokenId id : plain) EXPECT_FALSE(t.is_control(id)) << id;
  EXPECT_EQ(t.decode(plain), "<s>Once</s>");
  // Decoding drops control tokens, and the leading-space rule skips them.
  EXPECT_EQ(t.decode(t.encode("<s>Once</s>", true, true)), "Once");
}

TEST(Tokenizer, ByteFallbackForUnknownCharacters) {
  const Tokenizer& t = stories();
  // U+4E2D is not in the 512-token vocab: its three UTF-8 bytes become <0xE4> <0xB8> <0xAD>.
  const Ids ids = t.encode("\xE4\xB8\xAD", false, false);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(t.token_text(ids[0]), "\xE2\x96\x81");  // the dummy prefix, a token of its own here
  EXPECT_EQ(t.token_text(ids[1]), "<0xE4>");
  EXPECT_EQ(t.token_text(ids[2]), "<0xB8>");
  EXPECT_EQ(t.token_text(ids[3]), "<0xAD>");
  EXPECT_EQ(t.decode(ids), "\xE4\xB8\xAD");
  // Invalid UTF-8 passes through byte by byte.
  const std::string junk("a\xFF\xC3z\x80", 5);
  EXPECT_EQ(t.decode(t.encode(junk, false, false)), junk);
}

TEST(Tokenizer, FallsBackToUnkWithoutByteTokens) {
  auto tok = VocabBuilder::bare()
                 .token("<unk>", 0, TokenType::kUnknown)
                 .token("\xE2\x96\x81", -1)
                 .token("a", -2)
                 .set("tokenizer.ggml.unknown_token_id", gguf::Value{uint32_t{0}})
                 .build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->encode("a\xC3\xA9", false, false), (Ids{1, 2, 0, 0}));  // one unk per byte, as llama.cpp
}

TEST(Tokenizer, HighestScoreMergesFirstAndTiesGoLeft) {
  // "abc": ab (score -1) beats bc (-2), so the result is [ab, c] rather than [a, bc].
  auto b = VocabBuilder().set("tokenizer.ggml.add_space_prefix", gguf::Value{false});
  b.token("a").token("b").token("c").token("ab", -1).token("bc", -2);
  auto tok = b.build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->encode("abc", false, false), (Ids{262, 261}));
  auto tie = VocabBuilder().set("tokenizer.ggml.add_space_prefix", gguf::Value{false});
  tie.token("a").token("b").token("c").token("ab", -1).token("bc", -1);
  EXPECT_EQ(tie.build()->encode("abc", false, false), (Ids{262, 261}));
  EXPECT_FALSE(tok->add_space_prefix());
  EXPECT_EQ(tok->decode(Ids{259}), "a");
}

TEST(Tokenizer, UnsupportedBosRequestIsIgnoredWithoutBos) {
  auto tok = VocabBuilder().drop("tokenizer.ggml.bos_token_id").build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->encode("", true, false), Ids{});
}

// Quadratic reference: merge the best adjacent pair (highest score, leftmost) until none is left.
Ids naive_encode(const Tokenizer& t, const std::string& text) {
  if (text.empty()) return {};
  std::string escaped = "\xE2\x96\x81";
  for (char c : text) escaped += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
  std::vector<std::string> syms;
  for (size_t i = 0; i < escaped.size();) {
    const auto lead = static_cast<uint8_t>(escaped[i]);
    const size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    const size_t n = std::min(escaped.size() - i, len);
    syms.push_back(escaped.substr(i, n));
    i += n;
  }
  for (;;) {
    int best = -1;
    float best_score = 0;
    for (size_t i = 0; i + 1 < syms.size(); ++i) {
      auto id = t.vocab().find(syms[i] + syms[i + 1]);
      if (id && (best < 0 || t.vocab().score(*id) > best_score)) {
        best = static_cast<int>(i);
        best_score = t.vocab().score(*id);
      }
    }
    if (best < 0) break;
    syms[static_cast<size_t>(best)] += syms[static_cast<size_t>(best) + 1];
    syms.erase(syms.begin() + best + 1);
  }
  Ids out;
  for (const auto& s : syms) {
    if (auto id = t.vocab().find(s)) {
      out.push_back(*id);
    } else {
      for (char c : s) out.push_back(*t.vocab().find(fmt::format("<0x{:02X}>", static_cast<uint8_t>(c))));
    }
  }
  return out;
}

TEST(Tokenizer, HeapMergeMatchesNaiveReference) {
  std::mt19937 rng(1234);
  const std::vector<std::string> alphabet = {"a", "e", "t", "h", "o", "n", " ", "s", "d", "L", "\xC3\xA9", "\n"};
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const size_t len = rng() % 120;
    for (size_t i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
    ASSERT_EQ(stories().encode(text, false, false), naive_encode(stories(), text)) << text;
  }
}

// Words are merged separately only when no token has U+2581 after another character; either
// way the result must equal merging the whole text at once.
TEST(Tokenizer, WordSplitMatchesWholeTextMerge) {
  const std::string mark = "\xE2\x96\x81";
  auto base = [&] {
    VocabBuilder b;
    b.token(mark, -1).token("a", -2).token("b", -2).token(mark + "a", -1.5f).token(mark + mark, -0.5f);
    b.token("ab", -1.2f).token("ba", -1.1f).token(mark + "ab", -0.7f).token(mark + mark + "b", -0.6f);
    return b;
  };
  auto split = base().build();  // no inner U+2581: merged word by word
  auto inner = base();
  inner.token("a" + mark, -0.4f).token("b" + mark + "a", -0.3f).token("a" + mark + mark, -0.2f);
  auto whole = inner.build();  // "a▁" exists: merged as one run
  ASSERT_TRUE(split.ok() && whole.ok());
  std::mt19937 rng(77);
  for (int round = 0; round < 400; ++round) {
    std::string text;
    for (size_t i = rng() % 30; i > 0; --i) text += "ab  "[rng() % 4];
    ASSERT_EQ(split->encode(text, false, false), naive_encode(*split, text)) << "'" << text << "'";
    ASSERT_EQ(whole->encode(text, false, false), naive_encode(*whole, text)) << "'" << text << "'";
  }
  // The inner-mark tokens really are used, so the whole-text path was exercised: ▁ b a▁ a.
  const Ids ids = whole->encode("ba a", false, false);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(whole->token_text(ids[2]), "a" + mark);
}

TEST(Tokenizer, OneMegabyteWithoutSpacesRoundTrips) {
  std::mt19937 rng(99);
  const std::string letters = "etaoinshrdlucmfwypvbgkjqxz";
  std::string text;
  text.reserve(1 << 20);
  while (text.size() < (1u << 20)) {
    text += letters[rng() % 8 == 0 ? rng() % letters.size() : rng() % 6];
    if (rng() % 97 == 0) text += "\xE2\x82\xAC";  // a multi-byte character now and then
  }
  const Ids ids = stories().encode(text, false, false);
  EXPECT_LT(ids.size(), text.size());
  EXPECT_EQ(stories().decode(ids), text);
}

TEST(Tokenizer, CopiesShareState) {
  const Tokenizer copy = stories();
  EXPECT_EQ(copy.encode("Once", false, false), stories().encode("Once", false, false));
}

}  // namespace
}  // namespace mynah::tokenizer
