// Special-token partitioning: llama.cpp's priority order (longest first), parse_special on/off,
// USER_DEFINED tokens always matched, and Phi-3's rstrip tokens.
#include "tokenizer/special_tokens.h"

#include <gtest/gtest.h>

#include "vocab_builder.h"

namespace mynah::tokenizer {
namespace {

using testing::VocabBuilder;
using Ids = std::vector<TokenId>;

// Renders fragments as "[id]" for tokens and "'text'" for plain text.
std::string render(std::string_view text, const std::vector<Fragment>& fragments) {
  std::string out;
  for (const auto& f : fragments) {
    out += f.token ? fmt::format("[{}]", *f.token) : fmt::format("'{}'", text.substr(f.offset, f.length));
  }
  return out;
}

class SpecialTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VocabBuilder b;  // 0 <unk>, 1 <s>, 2 </s>, 3..258 bytes
    b.token("ABC", 0, TokenType::kControl)       // 259
        .token("XA", 0, TokenType::kControl)     // 260
        .token("<u>", 0, TokenType::kUserDefined)  // 261
        .token("xy", 0, TokenType::kControl)     // 262
        .token("yz", 0, TokenType::kControl)     // 263
        .token("aa", 0, TokenType::kControl);    // 264
    bytes_ = b.gguf_bytes();
    auto file = gguf::GgufFile::parse(bytes_, "special.gguf");
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto vocab = Vocab::from_metadata(file->metadata(), VocabDefaults{});
    ASSERT_TRUE(vocab.ok()) << vocab.error().message;
    special_ = std::make_unique<SpecialTokens>(*vocab);
  }
  std::string split(std::string_view text, bool parse_special = true) const {
    return render(text, special_->partition(text, parse_special));
  }

  std::vector<uint8_t> bytes_;
  std::unique_ptr<SpecialTokens> special_;
};

TEST_F(SpecialTokensTest, CandidatesAreControlUnknownAndUserDefined) {
  EXPECT_EQ(special_->size(), 9u);  // <unk>, <s>, </s> and the six above
}

TEST_F(SpecialTokensTest, LongerTokensClaimFirstEvenWhenStartingLater) {
  // Left-to-right scanning would take "XA"; llama.cpp splits on the longer "ABC" first.
  EXPECT_EQ(split("XABC"), "'X'[259]");
  EXPECT_EQ(split("XAB"), "[260]'B'");
}

TEST_F(SpecialTokensTest, EqualLengthOverlapGoesToLowerId) {
  EXPECT_EQ(split("xyz"), "[262]'z'");
  EXPECT_EQ(split("wyz"), "'w'[263]");
}

TEST_F(SpecialTokensTest, OccurrencesOfOneTokenDoNotOverlap) {
  EXPECT_EQ(split("aaa"), "[264]'a'");
  EXPECT_EQ(split("aaaa"), "[264][264]");
  EXPECT_EQ(split("<s></s><s>"), "[1][2][1]");
}

TEST_F(SpecialTokensTest, ParseSpecialOffKeepsOnlyUserDefined) {
  EXPECT_EQ(split("<s>hi<u>XA", false), "'<s>hi'[261]'XA'");
  EXPECT_EQ(split("<s>hi<u>XA", true), "[1]'hi'[261][260]");
  EXPECT_EQ(split("", true), "");
  EXPECT_EQ(split("plain", true), "'plain'");
}

TEST_F(SpecialTokensTest, PrefixOfATokenAtTheEndIsText) {
  EXPECT_EQ(split("hi<s"), "'hi<s'");
  EXPECT_EQ(split("AB"), "'AB'");
}

class Phi3Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto file = gguf::GgufFile::open(std::string(MYNAH_SHARED_DIR) + "/tokenizer-vectors/ggml-vocab-phi-3.gguf");
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto tok = Tokenizer::from_gguf(*file);
    ASSERT_TRUE(tok.ok()) << tok.error().message;
    tok_ = new Tokenizer(std::move(tok).value());
  }
  static void TearDownTestSuite() {
    delete tok_;
    tok_ = nullptr;
  }
  static const Tokenizer* tok_;
};
const Tokenizer* Phi3Test::tok_ = nullptr;

TEST_F(Phi3Test, ChatTokensSwallowTheNewlineAfterThem) {
  // Phi-3's tokenizer.json marks <|user|>, <|end|>, <|assistant|> rstrip (llama.cpp keys this off
  // general.name); the text after each special token gets the dummy-prefix space.
  EXPECT_EQ(tok_->encode("<|user|>\nHello<|end|>\n<|assistant|>", false, true), (Ids{32010, 15043, 32007, 32001}));
  EXPECT_EQ(tok_->encode("<|user|>\nHello", true, true), (Ids{1, 32010, 15043}));
}

TEST_F(Phi3Test, RstripStopsAtTheNextClaimedToken) {
  // <|user|> is longer, so it is claimed first and swallows all whitespace up to <|end|>.
  EXPECT_EQ(tok_->encode("<|user|>  \n <|end|>", false, true), (Ids{32010, 32007}));
  // <|end|> is claimed after <|user|> and may only strip up to it.
  EXPECT_EQ(tok_->encode("<|end|>   <|user|>\n", false, true), (Ids{32007, 32010}));
  // <|endoftext|> is exempt (as in Phi-3's tokenizer.json), so its newline stays text.
  EXPECT_EQ(tok_->encode("<|endoftext|>\n", false, true), (Ids{32000, 29871, 13}));
}

TEST_F(Phi3Test, UserDefinedTokenMatchesWithoutParseSpecial) {
  // "</s>" is USER_DEFINED in Phi-3 (a non-special added token in HF), so it always matches.
  const Ids ids = tok_->encode("a</s>b", false, false);
  EXPECT_EQ(ids, (Ids{263, 2, 289}));  // ▁a </s> ▁b
  EXPECT_EQ(tok_->decode(ids), "a</s> b");
  // Control tokens stay text without parse_special.
  EXPECT_EQ(tok_->decode(tok_->encode("<|end|>", false, false)), "<|end|>");
}

TEST_F(Phi3Test, EndOfGeneration) {
  EXPECT_TRUE(tok_->is_end_of_generation(32000));  // eos <|endoftext|>
  EXPECT_TRUE(tok_->is_end_of_generation(32007));  // <|end|>
  EXPECT_FALSE(tok_->is_end_of_generation(32010));  // <|user|>
  EXPECT_FALSE(tok_->is_end_of_generation(-1));
  EXPECT_EQ(tok_->eos_id(), 32000);
}

}  // namespace
}  // namespace mynah::tokenizer
