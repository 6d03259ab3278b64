// ByteLevelBpe: byte-level BPE (tokenizer.ggml.model = "gpt2") as Hugging Face's BPE model runs it:
// pre-tokenize, map every byte to its GPT-2 character token, then merge adjacent ids by rank.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/metadata.h"
#include "tokenizer/merge_table.h"
#include "tokenizer/model_stage.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/vocab.h"
#include "tokenizer/word_cache.h"
#include "util/status.h"

namespace mynah::tokenizer {

class ByteLevelBpe final : public ModelStage {
 public:
  // Loads tokenizer.ggml.merges (see MergeTable) and compiles the preset's regexes.
  static util::Result<std::unique_ptr<ByteLevelBpe>> create(const gguf::Metadata& metadata,
                                                            std::shared_ptr<const Vocab> vocab,
                                                            const PreTokenizerPreset& preset);

  // Normalizes `text` to NFC when the preset says so, splits it into words with the
  // pre-tokenizer and merges each (cached for words under 256 bytes). Each word costs
  // O(n log n) in its length, so one huge word stays fast.
  // A byte whose character is not a NORMAL vocab token is skipped, as Hugging Face does without
  // an unk token; only invalid UTF-8 (or a vocab missing control characters, e.g. Falcon's) hits it.
  // `at_boundary` is unused: byte-level BPE has no dummy prefix.
  void encode_fragment(std::string_view text, bool at_boundary, std::vector<TokenId>& out) const override;

  // Maps each character of the token text back to its byte. A text with a character outside the
  // GPT-2 byte alphabet is returned verbatim, as HF's ByteLevel decoder does.
  std::string normal_piece(std::string_view token_text) const override;

  const PreTokenizer& pre_tokenizer() const { return pre_; }

 private:
  struct Scratch;  // per-call buffers reused across the words of one fragment

  ByteLevelBpe(std::shared_ptr<const Vocab> vocab, MergeTable merges, PreTokenizer pre,
               const std::array<TokenId, 256>& byte_ids);

  void encode_word(std::string_view word, Scratch& scratch, WordCache::Batch& cached, std::vector<TokenId>& out) const;
  // HF ignore_merges: appends the word's id when the whole mapped word is a NORMAL token.
  bool emit_whole_word(std::string_view word, Scratch& scratch, std::vector<TokenId>& out) const;
  void merge(std::string_view word, Scratch& scratch, std::vector<TokenId>& out) const;

  std::shared_ptr<const Vocab> vocab_;
  MergeTable merges_;
  PreTokenizer pre_;
  std::array<TokenId, 256> byte_ids_;  // token of each byte's GPT-2 character, -1 when missing
  mutable WordCache cache_;  // mutable: a memo, invisible to callers and safe across threads
};

}  // namespace mynah::tokenizer
