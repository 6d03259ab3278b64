// Test helper: builds small SentencePiece vocab GGUFs in memory, correct by default, so each
// test changes only the key it is about.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/tokenizer.h"

namespace mynah::tokenizer::testing {

class VocabBuilder {
 public:
  // Starts with <unk> (0), <s> (1), </s> (2) and the 256 byte tokens (3..258), as Llama vocabs do.
  VocabBuilder() {
    token("<unk>", 0, TokenType::kUnknown).token("<s>", 0, TokenType::kControl).token("</s>", 0, TokenType::kControl);
    for (int b = 0; b < 256; ++b) token(fmt::format("<0x{:02X}>", b), 0, TokenType::kByte);
    set("tokenizer.ggml.model", gguf::Value{std::string("llama")});
    set("tokenizer.ggml.unknown_token_id", gguf::Value{uint32_t{0}});
    set("tokenizer.ggml.bos_token_id", gguf::Value{uint32_t{1}});
    set("tokenizer.ggml.eos_token_id", gguf::Value{uint32_t{2}});
  }
  // A vocab with only the given tokens and no special ids.
  static VocabBuilder bare() {
    VocabBuilder b;
    b.texts_.clear();
    b.scores_.clear();
    b.types_.clear();
    b.drop("tokenizer.ggml.unknown_token_id").drop("tokenizer.ggml.bos_token_id").drop("tokenizer.ggml.eos_token_id");
    return b;
  }

  VocabBuilder& token(std::string text, float score = 0, TokenType type = TokenType::kNormal) {
    texts_.push_back(std::move(text));
    scores_.push_back(score);
    types_.push_back(static_cast<int32_t>(type));
    return *this;
  }
  TokenId last_id() const { return static_cast<TokenId>(texts_.size()) - 1; }
  VocabBuilder& set(std::string key, gguf::Value value) {
    extra_[std::move(key)] = std::move(value);
    return *this;
  }
  VocabBuilder& drop(std::string key) {
    extra_.erase(key);
    dropped_.push_back(std::move(key));
    return *this;
  }

  std::vector<uint8_t> gguf_bytes() const {
    gguf::GgufWriter w;
    auto keep = [&](const std::string& key) {
      return std::find(dropped_.begin(), dropped_.end(), key) == dropped_.end();
    };
    auto add_default = [&](const std::string& key, gguf::Value value) {
      if (keep(key) && !extra_.count(key)) w.add(key, std::move(value));
    };
    add_default("tokenizer.ggml.tokens", gguf::GgufWriter::string_array(texts_));
    add_default("tokenizer.ggml.scores", gguf::GgufWriter::f32_array(scores_));
    add_default("tokenizer.ggml.token_type", gguf::GgufWriter::i32_array(types_));
    for (const auto& [key, value] : extra_) w.add(key, value);
    return w.to_bytes();
  }

  util::Result<Tokenizer> build() const {
    const auto bytes = gguf_bytes();
    auto file = gguf::GgufFile::parse(bytes, "tiny.gguf");
    if (!file) return file.take_error();
    return Tokenizer::from_gguf(*file);  // copies what it needs; `bytes` may go away
  }

 private:
  std::vector<std::string> texts_;
  std::vector<float> scores_;
  std::vector<int32_t> types_;
  std::map<std::string, gguf::Value> extra_;
  std::vector<std::string> dropped_;
};

}  // namespace mynah::tokenizer::testing
