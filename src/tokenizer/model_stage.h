// ModelStage: the one step that differs between tokenizer.ggml.model values (SentencePiece BPE,
// byte-level BPE, ...). Special-token splitting, BOS handling and decoding are shared around it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace mynah::tokenizer {

class ModelStage {
 public:
  virtual ~ModelStage() = default;

  // Appends the ids for one fragment of plain text (special tokens already split out; never empty).
  // `at_boundary` is true when the fragment starts the input or follows a special token, which is
  // where SentencePiece inserts its dummy-prefix space.
  virtual void encode_fragment(std::string_view text, bool at_boundary, std::vector<TokenId>& out) const = 0;

  // The bytes a NORMAL token's stored text stands for (SentencePiece: U+2581 -> ' ').
  virtual std::string normal_piece(std::string_view token_text) const = 0;
};

}  // namespace mynah::tokenizer
