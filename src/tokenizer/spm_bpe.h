// SpmBpe: SentencePiece BPE (tokenizer.ggml.model = "llama") as llama.cpp's llm_tokenizer_spm runs
// it: score-ordered merges of adjacent UTF-8 characters, with <0xNN> byte fallback.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/model_stage.h"
#include "tokenizer/vocab.h"
#include "util/status.h"

namespace mynah::tokenizer {

class SpmBpe final : public ModelStage {
 public:
  // Fails when some byte value has no token to fall back to: no <0xNN> token, no single-byte
  // token and no unknown token, since encode() would otherwise have to drop input silently.
  static util::Result<std::unique_ptr<SpmBpe>> create(std::shared_ptr<const Vocab> vocab);

  // Adds the dummy-prefix space at a boundary (when add_space_prefix), writes spaces as U+2581
  // and merges. O(n log n) in the fragment length.
  void encode_fragment(std::string_view text, bool at_boundary, std::vector<TokenId>& out) const override;
  std::string normal_piece(std::string_view token_text) const override;

 private:
  SpmBpe(std::shared_ptr<const Vocab> vocab, const std::array<TokenId, 256>& byte_tokens)
      : vocab_(std::move(vocab)), byte_tokens_(byte_tokens) {}

  // Runs the merge loop over `text` (already escaped; at most 2^31 - 1 bytes) and appends the ids.
  void merge(std::string_view text, std::vector<TokenId>& out) const;

  std::shared_ptr<const Vocab> vocab_;
  std::array<TokenId, 256> byte_tokens_;  // fallback id for each byte value
};

}  // namespace mynah::tokenizer
