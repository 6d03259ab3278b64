// SpecialTokens: splits input text around special-token texts before the model stage runs,
// with llama.cpp's tokenizer_st_partition semantics (longest token first, then left to right).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace mynah::tokenizer {

// One piece of partitioned input: a special token, or plain text at [offset, offset + length).
struct Fragment {
  std::optional<TokenId> token;
  size_t offset = 0;
  size_t length = 0;
};

class SpecialTokens {
 public:
  // Candidates are the CONTROL, UNKNOWN and USER_DEFINED tokens with non-empty text.
  explicit SpecialTokens(const Vocab& vocab);

  // CONTROL and UNKNOWN texts are matched only when parse_special; USER_DEFINED texts always are,
  // as in Hugging Face tokenizers (non-special added tokens) and llama.cpp. Tokens are tried in
  // priority order (longer text first, then lower id): each claims its non-overlapping occurrences,
  // left to right, in the text no earlier token claimed. Tokens marked rstrip also swallow the
  // whitespace after them. Text fragments are never empty. Cost: one trie walk per byte plus
  // O(log m) per occurrence found.
  std::vector<Fragment> partition(std::string_view text, bool parse_special) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    TokenId id;
    uint32_t n_bytes;
    bool always;  // USER_DEFINED: matched even when parse_special is false
    bool rstrip;  // also claims the whitespace after it (HF added-token rstrip)
  };
  struct Occurrence {
    uint32_t rank;  // index into entries_
    size_t pos;
  };
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> children;  // sorted by byte
    std::vector<uint32_t> ranks;                         // entries whose text ends here
  };

  void insert(std::string_view text, uint32_t rank);
  std::vector<Occurrence> find_all(std::string_view text, bool parse_special) const;

  std::vector<Entry> entries_;  // priority order
  // Trie over entry texts. The first level is a dense table because most input bytes start no
  // special token and are rejected with one load; deeper levels are sparse nodes.
  std::array<int32_t, 256> root_children_{};  // index into nodes_, -1 for none
  std::vector<Node> nodes_;
};

}  // namespace mynah::tokenizer
