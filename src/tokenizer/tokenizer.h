// Tokenizer: text <-> token ids for a GGUF vocabulary. Shared pipeline (special-token split, BOS,
// decoding) around a per-model stage chosen by tokenizer.ggml.model; immutable and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_reader.h"
#include "tokenizer/vocab.h"
#include "util/status.h"

namespace mynah::tokenizer {

class ModelStage;
class SpecialTokens;

struct TokenizerOptions {
  // Byte-level BPE only: the pre-tokenizer preset to use instead of tokenizer.ggml.pre (e.g. for a
  // GGUF whose converter wrote a name this build does not know). Empty: use the metadata, and
  // "default" (GPT-2's pattern) when the key is absent. The CLI spells it --tokenizer-pre NAME.
  std::string pre_tokenizer;
};

class Tokenizer {
 public:
  // Fails, naming the key, on missing or inconsistent tokenizer.ggml.* metadata, on an
  // unsupported tokenizer.ggml.model (supported: "llama", SentencePiece BPE; "gpt2", byte-level
  // BPE) and on an unknown pre-tokenizer name, which the error spells out with the known ones.
  static util::Result<Tokenizer> from_gguf(const gguf::GgufFile& file, const TokenizerOptions& options = {});

  // Never adds EOS (callers append eos_id() when add_eos() asks for it). add_bos prepends BOS when
  // the vocab has one. With parse_special, CONTROL/UNKNOWN token texts in `text` become their ids;
  // USER_DEFINED texts always do (see SpecialTokens::partition).
  std::vector<TokenId> encode(std::string_view text, bool add_bos, bool parse_special) const;

  // Concatenated token_to_piece bytes (not necessarily valid UTF-8). With strip_leading_space and
  // a vocab that adds a dummy-prefix space, one leading ' ' of the first non-empty piece is
  // dropped (SentencePiece's rule), so decode(encode(s, ...)) == s. Out-of-range ids add nothing.
  std::string decode(std::span<const TokenId> ids, bool strip_leading_space = true) const;

  // Raw bytes this token contributes to decoded text: NORMAL text through the model stage
  // (SentencePiece: U+2581 as ' '; byte-level: each character back to its byte), the byte of a
  // <0xNN> token, USER_DEFINED text verbatim; nothing for CONTROL, UNKNOWN, UNUSED and bad ids.
  std::string token_to_piece(TokenId id) const;
  // The vocab string as stored ("" for an out-of-range id).
  const std::string& token_text(TokenId id) const;

  int32_t n_vocab() const;
  TokenId bos_id() const;  // -1 when absent
  TokenId eos_id() const;  // -1 when absent
  TokenId eot_id() const;  // -1 when absent
  TokenId pad_id() const;  // -1 when absent
  // Fill-in-the-middle ids (metadata, else found by their well-known texts).
  const FimIds& fim_ids() const;
  bool add_bos() const;
  bool add_eos() const;
  bool add_space_prefix() const;
  bool is_control(TokenId id) const;
  // eos, eot, the FIM pad/repo/separator tokens, and CONTROL tokens with a well-known end-of-turn
  // text such as Phi-3's "<|end|>" (llama.cpp's EOG list), since GGUFs rarely record eot_token_id.
  bool is_end_of_generation(TokenId id) const;

  const Vocab& vocab() const;

 private:
  struct State;
  explicit Tokenizer(std::shared_ptr<const State> state) : state_(std::move(state)) {}

  std::shared_ptr<const State> state_;  // shared: copies are cheap and all methods are const
};

}  // namespace mynah::tokenizer
