// MergeTable: BPE merge ranks keyed by the pair of token ids they join (tokenizer.ggml.merges),
// in an open-addressing hash table so the merge loop never builds or hashes strings.
#pragma once

#include <cstdint>
#include <vector>

#include "gguf/metadata.h"
#include "tokenizer/vocab.h"
#include "util/status.h"

namespace mynah::tokenizer {

class MergeTable {
 public:
  struct Merge {
    int32_t rank;  // line index in tokenizer.ggml.merges: lower merges first
    TokenId id;    // the token the pair becomes
  };

  // Parses "LEFT RIGHT" lines (split at the first space after the first byte, so LEFT may be " ").
  // Like Hugging Face, fails when a line is malformed or names a token (LEFT, RIGHT or LEFT+RIGHT)
  // the vocab lacks, reporting every such line in one error; a repeated pair keeps its last rank.
  static util::Result<MergeTable> from_metadata(const gguf::Metadata& metadata, const Vocab& vocab);

  // The merge for (left, right), or nullptr. Ids must be >= 0.
  const Merge* find(TokenId left, TokenId right) const {
    const uint64_t key = pack(left, right);
    for (size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      const Slot& s = slots_[slot];
      if (s.key == key) return &s.merge;
      if (s.key == kEmpty) return nullptr;
    }
  }
  size_t size() const { return n_merges_; }

 private:
  struct Slot {
    uint64_t key;
    Merge merge;
  };
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // no valid pair packs to this (ids < 2^31)

  explicit MergeTable(size_t n_expected);
  static uint64_t pack(TokenId left, TokenId right) {
    return static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32 | static_cast<uint32_t>(right);
  }
  size_t hash(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }
  void insert(TokenId left, TokenId right, Merge merge);

  std::vector<Slot> slots_;  // [2^k], at most half full
  size_t mask_ = 0;
  int shift_ = 64;
  size_t n_merges_ = 0;
};

}  // namespace mynah::tokenizer
