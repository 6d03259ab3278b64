// Byte-level BPE on tiny built vocabs: the GPT-2 byte alphabet, merge order against a naive
// Hugging Face reference, merge-table errors, pre-tokenizer selection, ignore_merges, BOS defaults.
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "tokenizer/byte_level_bpe.h"
#include "vocab_builder.h"

namespace mynah::tokenizer {
namespace {

using testing::VocabBuilder;
using Ids = std::vector<TokenId>;

// GPT-2's bytes_to_unicode, derived independently of the implementation: printable Latin-1
// stands for itself, the other bytes take U+0100 upwards in byte order.
std::string byte_char(int b) {
  static const std::vector<uint32_t> cps = [] {
    std::vector<uint32_t> cp(256);
    uint32_t next = 256;
    for (int i = 0; i < 256; ++i) {
      const bool printable = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || i >= 0xAE;
      cp[static_cast<size_t>(i)] = printable ? static_cast<uint32_t>(i) : next++;
    }
    return cp;
  }();
  const uint32_t cp = cps[static_cast<size_t>(b)];
  if (cp < 0x80) return std::string(1, static_cast<char>(cp));
  return {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
}

// A byte-level vocab: ids 0..255 are the byte characters, merged tokens follow.
class BpeVocab {
 public:
  explicit BpeVocab(std::string pre = "gpt-2", int skip_byte = -1) {
    for (int b = 0; b < 256; ++b) builder_.token(b == skip_byte ? "<unused" + std::to_string(b) + ">" : byte_char(b));
    builder_.set("tokenizer.ggml.model", gguf::Value{std::string("gpt2")});
    if (!pre.empty()) builder_.set("tokenizer.ggml.pre", gguf::Value{pre});
  }
  // Adds the merge "left right" (texts in byte characters) and, if new, the token it makes.
  BpeVocab& merge(const std::string& left, const std::string& right) {
    merges_.push_back(left + " " + right);
    return token(left + right);
  }
  BpeVocab& token(const std::string& text, TokenType type = TokenType::kNormal) {
    if (!ids_.count(text)) {
      builder_.token(text, 0, type);
      ids_[text] = builder_.last_id();
    }
    return *this;
  }
  BpeVocab& raw_merge(std::string line) {
    merges_.push_back(std::move(line));
    return *this;
  }
  BpeVocab& set(std::string key, gguf::Value value) {
    builder_.set(std::move(key), std::move(value));
    return *this;
  }
  TokenId id(const std::string& text) const { return text.size() == 1 ? static_cast<uint8_t>(text[0]) : ids_.at(text); }
  BpeVocab& without_merges() {
    write_merges_ = false;
    return *this;
  }
  util::Result<Tokenizer> build(const TokenizerOptions& options = {}) {
    if (write_merges_) builder_.set("tokenizer.ggml.merges", gguf::GgufWriter::string_array(merges_));
    const auto bytes = builder_.gguf_bytes();
    auto file = gguf::GgufFile::parse(bytes, "tiny-bpe.gguf");
    if (!file) return file.take_error();
    return Tokenizer::from_gguf(*file, options);
  }

 private:
  VocabBuilder builder_ = VocabBuilder::bare();
  std::vector<std::string> merges_;
  std::map<std::string, TokenId> ids_;
  bool write_merges_ = true;
};

TEST(ByteLevelBpe, EveryByteIsItsCharacterToken) {
  auto tok = BpeVocab().build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(byte_char(' '), "\xC4\xA0");  // the familiar 'Ġ'
  for (int b = 0; b < 256; ++b) {
    const std::string one(1, static_cast<char>(b));
    EXPECT_EQ(tok->encode(one, false, false), Ids{b}) << b;
    EXPECT_EQ(tok->token_to_piece(b), one) << b;
  }
  std::mt19937 rng(3);
  for (int round = 0; round < 100; ++round) {  // any byte string, invalid UTF-8 included
    std::string text;
    for (size_t i = rng() % 50; i > 0; --i) text += static_cast<char>(rng() % 256);
    EXPECT_EQ(tok->decode(tok->encode(text, false, false)), text);
  }
}

TEST(ByteLevelBpe, TokenOutsideTheByteAlphabetDecodesVerbatim) {
  auto tok = BpeVocab().token("\xE2\x96\x81x").token("ab\xE2\x82\xAC").build();  // ▁ and € are not byte characters
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->token_to_piece(256), "\xE2\x96\x81x");
  EXPECT_EQ(tok->token_to_piece(257), "ab\xE2\x82\xAC");
}

// Naive Hugging Face BPE: repeatedly merge the adjacent pair of lowest rank, leftmost first.
Ids naive_merge(const std::string& word, const std::map<std::pair<std::string, std::string>, int>& ranks,
                const BpeVocab& vocab) {
  std::vector<std::string> syms;
  for (char c : word) syms.emplace_back(1, c);
  for (;;) {
    int best = -1;
    int best_rank = 0;
    for (size_t i = 0; i + 1 < syms.size(); ++i) {
      auto it = ranks.find({syms[i], syms[i + 1]});
      if (it != ranks.end() && (best < 0 || it->second < best_rank)) {
        best = static_cast<int>(i);
        best_rank = it->second;
      }
    }
    if (best < 0) break;
    syms[static_cast<size_t>(best)] += syms[static_cast<size_t>(best) + 1];
    syms.erase(syms.begin() + best + 1);
  }
  Ids ids;
  for (const auto& s : syms) ids.push_back(vocab.id(s));
  return ids;
}

TEST(ByteLevelBpe, MergeOrderMatchesNaiveReference) {
  const std::vector<std::pair<std::string, std::string>> merges = {
      {"a", "b"}, {"b", "c"}, {"a", "a"}, {"ab", "c"}, {"c", "a"}, {"aa", "a"}, {"b", "b"},
      {"abc", "abc"}, {"ca", "b"}, {"aa", "aa"}, {"bb", "b"}, {"c", "c"}, {"cc", "ab"}, {"a", "bc"}};
  BpeVocab vocab;
  std::map<std::pair<std::string, std::string>, int> ranks;
  for (const auto& [l, r] : merges) {
    vocab.merge(l, r);
    ranks.emplace(std::pair{l, r}, static_cast<int>(ranks.size()));
  }
  auto tok = vocab.build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  std::mt19937 rng(11);
  for (int round = 0; round < 500; ++round) {
    std::string word;
    for (size_t i = 1 + rng() % 40; i > 0; --i) word += "abc"[rng() % 3];
    ASSERT_EQ(tok->encode(word, false, false), naive_merge(word, ranks, vocab)) << word;
  }
  EXPECT_EQ(tok->encode("aaaa", false, false), Ids{vocab.id("aaaa")});
  EXPECT_EQ(tok->encode("aaa", false, false), Ids{vocab.id("aaa")});
}

TEST(ByteLevelBpe, RepeatedMergeKeepsItsLastRank) {
  // Ranks: (a,b) 0 and again 2, (b,c) 1. With the last rank (b,c) goes first: [a, bc].
  BpeVocab vocab;
  vocab.merge("a", "b").merge("b", "c").merge("a", "b");
  auto tok = vocab.build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->encode("abc", false, false), (Ids{'a', vocab.id("bc")}));
}

TEST(ByteLevelBpe, BadMergesAreReportedTogether) {
  auto tok = BpeVocab().merge("a", "b").raw_merge("x").raw_merge("a zz").raw_merge("a b c").build();
  ASSERT_FALSE(tok.ok());
  const std::string& message = tok.error().message;
  EXPECT_NE(message.find("tokenizer.ggml.merges"), std::string::npos) << message;
  EXPECT_NE(message.find("1 'x'"), std::string::npos) << message;
  EXPECT_NE(message.find("3 'a b c'"), std::string::npos) << message;
  EXPECT_NE(message.find("2 'a zz'"), std::string::npos) << message;
  auto missing = BpeVocab().without_merges().build();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("tokenizer.ggml.merges"), std::string::npos) << missing.error().message;
}

TEST(ByteLevelBpe, UnknownPreTokenizerNamesItAndTheOverride) {
  auto tok = BpeVocab("mystery-pre").build();
  ASSERT_FALSE(tok.ok());
  const std::string& message = tok.error().message;
  EXPECT_NE(message.find("\"mystery-pre\""), std::string::npos) << message;
  EXPECT_NE(message.find("tokenizer.ggml.pre"), std::string::npos) << message;
  EXPECT_NE(message.find("--tokenizer-pre"), std::string::npos) << message;
  EXPECT_NE(message.find("llama-bpe"), std::string::npos) << message;
  // The override wins over the metadata; a bad override is named as such.
  EXPECT_TRUE(BpeVocab("mystery-pre").build(TokenizerOptions{.pre_tokenizer = "qwen2"}).ok());
  auto bad = BpeVocab("gpt-2").build(TokenizerOptions{.pre_tokenizer = "nope"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("\"nope\" from TokenizerOptions"), std::string::npos) << bad.error().message;
  // No tokenizer.ggml.pre at all: GPT-2's pattern, as llama.cpp's "default".
  auto absent = BpeVocab("").build();
  ASSERT_TRUE(absent.ok()) << absent.error().message;
  EXPECT_EQ(absent->encode("a  b", false, false), (Ids{'a', ' ', ' ', 'b'}));
}

TEST(ByteLevelBpe, OverrideChangesTheSplit) {
  BpeVocab vocab;
  vocab.merge("1", "2");
  auto qwen = vocab.build(TokenizerOptions{.pre_tokenizer = "qwen2"});  // one digit per word
  auto gpt2 = vocab.build();                                              // digit runs
  ASSERT_TRUE(qwen.ok() && gpt2.ok());
  EXPECT_EQ(qwen->encode("12", false, false), (Ids{'1', '2'}));
  EXPECT_EQ(gpt2->encode("12", false, false), Ids{vocab.id("12")});
}

TEST(ByteLevelBpe, Llama3IgnoresMergesForWholeWordTokens) {
  // "abc" is a token no merge reaches; Llama 3 (ignore_merges) still emits it for the word "abc".
  auto llama3 = BpeVocab("llama-bpe").merge("a", "b").token("abc").build();
  auto gpt2 = BpeVocab("gpt-2").merge("a", "b").token("abc").build();
  ASSERT_TRUE(llama3.ok() && gpt2.ok());
  EXPECT_EQ(llama3->encode("abc", false, false), Ids{257});
  EXPECT_EQ(gpt2->encode("abc", false, false), (Ids{256, 'c'}));
  // Only NORMAL tokens count as whole words.
  auto control = BpeVocab("llama-bpe").token("xyz", TokenType::kControl).build();
  ASSERT_TRUE(control.ok());
  EXPECT_EQ(control->encode("xyz", false, false), (Ids{'x', 'y', 'z'}));
}

TEST(ByteLevelBpe, ByteWithoutTokenIsDroppedAndNeighboursMerge) {
  // As Hugging Face without an unk token: the symbol is never added, so the word "aba" merges
  // like "aa" when 'b' has no token.
  BpeVocab vocab("gpt-2", 'b');
  vocab.merge("a", "a");
  auto tok = vocab.build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->encode("aba", false, false), Ids{vocab.id("aa")});
  EXPECT_EQ(tok->encode("b", false, false), Ids{});
}

TEST(ByteLevelBpe, BosDefaultsComeFromThePreset) {
  auto llama3 = BpeVocab("llama-bpe").token("<|begin_of_text|>", TokenType::kControl)
                    .set("tokenizer.ggml.bos_token_id", gguf::Value{uint32_t{256}})
                    .build();
  ASSERT_TRUE(llama3.ok()) << llama3.error().message;
  EXPECT_TRUE(llama3->add_bos());
  EXPECT_EQ(llama3->encode("a", llama3->add_bos(), false), (Ids{256, 'a'}));
  auto explicit_off = BpeVocab("llama-bpe").token("<s>", TokenType::kControl)
                          .set("tokenizer.ggml.bos_token_id", gguf::Value{uint32_t{256}})
                          .set("tokenizer.ggml.add_bos_token", gguf::Value{false})
                          .build();
  ASSERT_TRUE(explicit_off.ok());
  EXPECT_FALSE(explicit_off->add_bos());
  auto gpt2 = BpeVocab("gpt-2").token("<|endoftext|>", TokenType::kControl)
                  .set("tokenizer.ggml.bos_token_id", gguf::Value{uint32_t{256}})
                  .build();
  ASSERT_TRUE(gpt2.ok());
  EXPECT_FALSE(gpt2->add_bos());
  EXPECT_FALSE(gpt2->add_space_prefix());
}

TEST(ByteLevelBpe, SpecialTokensSplitBeforeTheRegex) {
  auto tok = BpeVocab("llama-bpe").token("<|eot_id|>", TokenType::kControl).merge("h", "i").build();
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ(tok->encode("hi<|eot_id|>hi", false, true), (Ids{257, 256, 257}));
  EXPECT_EQ(tok->decode(Ids{257, 256, 257}), "hihi");  // CONTROL tokens decode to nothing
  const Ids literal = tok->encode("hi<|eot_id|>", false, false);
  EXPECT_EQ(literal.front(), 257);
  EXPECT_EQ(tok->decode(literal), "hi<|eot_id|>");
  EXPECT_TRUE(tok->is_end_of_generation(256));
}

TEST(ByteLevelBpe, FimIdsFromMetadataOrText) {
  auto tok = BpeVocab("starcoder")
                 .token("<fim_prefix>", TokenType::kControl)   // 256
                 .token("<fim_suffix>", TokenType::kControl)   // 257
                 .token("<fim_middle>", TokenType::kControl)   // 258
                 .token("<fim_pad>", TokenType::kControl)      // 259
                 .token("<my_mid>", TokenType::kControl)       // 260
                 .set("tokenizer.ggml.fim_mid_token_id", gguf::Value{uint32_t{260}})
                 .build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->fim_ids().pre, 256);
  EXPECT_EQ(tok->fim_ids().suf, 257);
  EXPECT_EQ(tok->fim_ids().mid, 260);  // metadata wins over the text
  EXPECT_EQ(tok->fim_ids().pad, 259);
  EXPECT_FALSE(tok->fim_ids().rep.has_value());
  EXPECT_TRUE(tok->is_end_of_generation(259));  // FIM pad ends generation, as in llama.cpp
  EXPECT_FALSE(tok->is_end_of_generation(256));
}

}  // namespace
}  // namespace mynah::tokenizer
