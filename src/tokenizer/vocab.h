// Vocab: the token table of a GGUF tokenizer (texts, scores, types, special ids, flags), loaded from
// hostile metadata. Every problem found is reported in one error that names the offending key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gguf/metadata.h"
#include "util/status.h"

namespace mynah::tokenizer {

using TokenId = int32_t;

// Values of tokenizer.ggml.token_type (llama.cpp's llama_token_type numbering).
enum class TokenType : uint8_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// Fill-in-the-middle special tokens (tokenizer.ggml.fim_*_token_id). Most GGUFs omit the keys, so
// a missing one is looked up among CONTROL/USER_DEFINED tokens by its families' texts.
struct FimIds {
  std::optional<TokenId> pre, suf, mid, pad, rep, sep;
};

// What a tokenizer model (tokenizer.ggml.model) assumes when a key is absent.
struct VocabDefaults {
  bool add_space_prefix = false;  // tokenizer.ggml.add_space_prefix
  bool add_bos = false;           // tokenizer.ggml.add_bos_token
  bool requires_scores = false;   // SentencePiece merges by score, so the key is mandatory there
};

class Vocab {
 public:
  static util::Result<Vocab> from_metadata(const gguf::Metadata& metadata, const VocabDefaults& defaults);

  // Move-only: index_ holds views into texts_, which a move keeps in place but a copy would not.
  Vocab(Vocab&&) = default;
  Vocab& operator=(Vocab&&) = default;
  Vocab(const Vocab&) = delete;
  Vocab& operator=(const Vocab&) = delete;

  int32_t n_tokens() const { return static_cast<int32_t>(texts_.size()); }
  bool contains(TokenId id) const { return id >= 0 && id < n_tokens(); }

  // Preconditions for the three accessors below: contains(id).
  const std::string& text(TokenId id) const { return texts_[static_cast<size_t>(id)]; }
  float score(TokenId id) const { return scores_[static_cast<size_t>(id)]; }
  TokenType type(TokenId id) const { return types_[static_cast<size_t>(id)]; }

  // Exact-text lookup over every token type. When a text occurs twice the last id wins, as in
  // llama.cpp's token_to_id map; empty texts are never found.
  std::optional<TokenId> find(std::string_view text) const;
  // The byte a BYTE token such as "<0x0A>" stands for (texts are validated at load).
  static uint8_t byte_value(std::string_view byte_token_text);

  std::optional<TokenId> bos() const { return bos_; }
  std::optional<TokenId> eos() const { return eos_; }
  std::optional<TokenId> unk() const { return unk_; }
  std::optional<TokenId> pad() const { return pad_; }
  std::optional<TokenId> eot() const { return eot_; }
  const FimIds& fim() const { return fim_; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  bool add_space_prefix() const { return add_space_prefix_; }
  // general.name, lower-cased ("" when absent): a few per-model token attributes key off it.
  const std::string& model_name() const { return model_name_; }

 private:
  Vocab() = default;
  friend class VocabLoader;

  std::vector<std::string> texts_;
  std::vector<float> scores_;
  std::vector<TokenType> types_;
  std::unordered_map<std::string_view, TokenId> index_;  // views into texts_
  std::optional<TokenId> bos_, eos_, unk_, pad_, eot_;
  FimIds fim_;
  bool add_bos_ = false;
  bool add_eos_ = false;
  bool add_space_prefix_ = false;
  std::string model_name_;
};

}  // namespace mynah::tokenizer
