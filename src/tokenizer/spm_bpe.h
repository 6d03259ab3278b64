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
#include "tokenizer/word_cache.h"
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
  struct Scratch;  // merge buffers reused across the words of one fragment

  SpmBpe(std::shared_ptr<const Vocab> vocab, const std::array<TokenId, 256>& byte_tokens, bool split_words);

  // Merges one word (cached when short) and appends its ids.
  void encode_word(std::string_view word, Scratch& scratch, WordCache::Batch& cached, std::vector<TokenId>& out) const;
  // Runs the merge loop over `text` (already escaped; at most 2^31 - 1 bytes) and appends the ids.
  void merge(std::string_view text, Scratch& scratch, std::vector<TokenId>& out) const;

  std::shared_ptr<const Vocab> vocab_;
  std::array<TokenId, 256> byte_tokens_;  // fallback id for each byte value
  // True when no token has U+2581 after another character, so no merge can cross the start of a
  // U+2581 run and each "word" from there to the next such start merges on its own (see create()).
  bool split_words_;
  mutable WordCache cache_;  // mutable: a memo, invisible to callers and safe across threads
};

}  // namespace mynah::tokenizer
