// Vocab loading from hostile metadata: every failure names the key, and all problems of one file
// are reported together.
#include "tokenizer/vocab.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "vocab_builder.h"

namespace mynah::tokenizer {
namespace {

using testing::VocabBuilder;

std::string load_error(const VocabBuilder& builder) {
  auto tok = builder.build();
  return tok.ok() ? std::string("<loaded>") : tok.error().message;
}

#define EXPECT_MENTIONS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(Vocab, GoodVocabLoadsWithDefaults) {
  auto tok = VocabBuilder().token("\xE2\x96\x81" "a", -1).build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->n_vocab(), 260);
  EXPECT_EQ(tok->bos_id(), 1);
  EXPECT_EQ(tok->eos_id(), 2);
  EXPECT_TRUE(tok->add_bos());  // SentencePiece default when the key is absent
  EXPECT_FALSE(tok->add_eos());
  EXPECT_TRUE(tok->add_space_prefix());
  EXPECT_EQ(tok->vocab().type(3), TokenType::kByte);
  EXPECT_EQ(tok->vocab().find("<0x41>"), std::optional<TokenId>(3 + 0x41));
}

TEST(Vocab, MissingTokensNamesKey) {
  EXPECT_MENTIONS(load_error(VocabBuilder().drop("tokenizer.ggml.tokens")), "tokenizer.ggml.tokens");
}

TEST(Vocab, MissingModelNamesKey) {
  EXPECT_MENTIONS(load_error(VocabBuilder().drop("tokenizer.ggml.model")), "tokenizer.ggml.model");
}

TEST(Vocab, UnsupportedModelNamesValue) {
  const auto err = load_error(VocabBuilder().set("tokenizer.ggml.model", gguf::Value{std::string("bert")}));
  EXPECT_MENTIONS(err, "\"bert\"");
  EXPECT_MENTIONS(err, "tokenizer.ggml.model");
  EXPECT_MENTIONS(err, "\"gpt2\"");  // the supported list names byte-level BPE too
}

TEST(Vocab, MismatchedArrayLengthsNameKeys) {
  auto err = load_error(VocabBuilder().set("tokenizer.ggml.scores", gguf::GgufWriter::f32_array({0, 0})));
  EXPECT_MENTIONS(err, "tokenizer.ggml.scores");
  EXPECT_MENTIONS(err, "2 entries");
  err = load_error(VocabBuilder().set("tokenizer.ggml.token_type", gguf::GgufWriter::i32_array({1})));
  EXPECT_MENTIONS(err, "tokenizer.ggml.token_type");
}

TEST(Vocab, MissingScoresAndTypesAreErrorsForSentencePiece) {
  EXPECT_MENTIONS(load_error(VocabBuilder().drop("tokenizer.ggml.scores")), "tokenizer.ggml.scores");
  EXPECT_MENTIONS(load_error(VocabBuilder().drop("tokenizer.ggml.token_type")), "tokenizer.ggml.token_type");
}

TEST(Vocab, SpecialIdsOutOfRangeNameKey) {
  for (const char* key : {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
                          "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id",
                          "tokenizer.ggml.eot_token_id"}) {
    const auto err = load_error(VocabBuilder().set(key, gguf::Value{uint32_t{259}}));
    EXPECT_MENTIONS(err, key);
    EXPECT_MENTIONS(err, "out of range");
  }
  EXPECT_MENTIONS(load_error(VocabBuilder().set("tokenizer.ggml.bos_token_id", gguf::Value{int32_t{-1}})),
                  "tokenizer.ggml.bos_token_id");
}

TEST(Vocab, WrongValueTypesNameKey) {
  EXPECT_MENTIONS(load_error(VocabBuilder().set("tokenizer.ggml.bos_token_id", gguf::Value{std::string("1")})),
                  "tokenizer.ggml.bos_token_id");
  EXPECT_MENTIONS(load_error(VocabBuilder().set("tokenizer.ggml.add_bos_token", gguf::Value{uint8_t{1}})),
                  "tokenizer.ggml.add_bos_token");
  EXPECT_MENTIONS(load_error(VocabBuilder().set("tokenizer.ggml.token_type", gguf::GgufWriter::string_array({"x"}))),
                  "tokenizer.ggml.token_type");
  EXPECT_MENTIONS(load_error(VocabBuilder().set("tokenizer.ggml.tokens", gguf::Value{std::string("x")})),
                  "tokenizer.ggml.tokens");
}

TEST(Vocab, BadTokenTypesAndByteTextsNameKey) {
  auto err = load_error(VocabBuilder().token("x", 0, static_cast<TokenType>(9)));
  EXPECT_MENTIONS(err, "tokenizer.ggml.token_type");
  EXPECT_MENTIONS(err, "index 259");
  err = load_error(VocabBuilder().token("<0xZZ>", 0, TokenType::kByte));
  EXPECT_MENTIONS(err, "BYTE token");
  EXPECT_MENTIONS(err, "index 259");
}

TEST(Vocab, NanScoreIsRejected) {
  EXPECT_MENTIONS(load_error(VocabBuilder().token("a", std::numeric_limits<float>::quiet_NaN())), "NaN at index 259");
}

TEST(Vocab, EmptyTokenListIsRejected) {
  auto b = VocabBuilder::bare();
  EXPECT_MENTIONS(load_error(b), "empty");
}

TEST(Vocab, AddFlagsNeedTheirIds) {
  auto b = VocabBuilder().drop("tokenizer.ggml.bos_token_id").set("tokenizer.ggml.add_bos_token", gguf::Value{true});
  EXPECT_MENTIONS(load_error(b), "tokenizer.ggml.bos_token_id is not set");
  // Absent key: the default (add BOS) quietly does not apply without a BOS id.
  auto tok = VocabBuilder().drop("tokenizer.ggml.bos_token_id").build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_FALSE(tok->add_bos());
  EXPECT_EQ(tok->bos_id(), -1);
  EXPECT_EQ(tok->encode("a", true, false), tok->encode("a", false, false));
  auto e = VocabBuilder().drop("tokenizer.ggml.eos_token_id").set("tokenizer.ggml.add_eos_token", gguf::Value{true});
  EXPECT_MENTIONS(load_error(e), "tokenizer.ggml.eos_token_id is not set");
}

TEST(Vocab, ReportsEveryProblemInOnePass) {
  const auto err = load_error(VocabBuilder()
                                  .set("tokenizer.ggml.scores", gguf::GgufWriter::f32_array({0}))
                                  .set("tokenizer.ggml.eos_token_id", gguf::Value{uint32_t{100000}})
                                  .set("tokenizer.ggml.add_space_prefix", gguf::Value{std::string("yes")}));
  EXPECT_MENTIONS(err, "tokenizer.ggml.scores");
  EXPECT_MENTIONS(err, "tokenizer.ggml.eos_token_id");
  EXPECT_MENTIONS(err, "tokenizer.ggml.add_space_prefix");
  EXPECT_MENTIONS(err, "tiny.gguf");
}

TEST(Vocab, UnencodableBytesWithoutUnkAreRejected) {
  auto b = VocabBuilder::bare();
  b.token("a").token("b");
  EXPECT_MENTIONS(load_error(b), "tokenizer.ggml.unknown_token_id");
  b.token("<unk>", 0, TokenType::kUnknown).set("tokenizer.ggml.unknown_token_id", gguf::Value{uint32_t{2}});
  EXPECT_TRUE(b.build().ok());
}

TEST(Vocab, DuplicateTextsResolveToLastIdAndEmptyTextsNeverMatch) {
  auto tok = VocabBuilder().token("x").token("x").token("").build();
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  EXPECT_EQ(tok->vocab().find("x"), std::optional<TokenId>(260));
  EXPECT_FALSE(tok->vocab().find("").has_value());
  EXPECT_EQ(tok->token_text(261), "");
  EXPECT_EQ(tok->token_text(100000), "");
  EXPECT_EQ(tok->token_to_piece(-5), "");
}

TEST(Vocab, ByteValueParsesEitherCase) {
  EXPECT_EQ(Vocab::byte_value("<0x0A>"), 0x0A);
  EXPECT_EQ(Vocab::byte_value("<0xff>"), 0xFF);
}

}  // namespace
}  // namespace mynah::tokenizer
