// TokenIndex: for one tokenizer, every maskable token's bytes plus a byte trie over them. Built
// once per vocabulary and shared by all matchers. Control, unknown and unused tokens and empty
// pieces are left out of the trie, so no mask can ever allow them (EOS is added by the caller).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace mynah::grammar {

class TokenIndex {
 public:
  static std::shared_ptr<const TokenIndex> from_tokenizer(const tokenizer::Tokenizer& tok);
  // pieces[id] = the token's bytes; excluded[id] (optional, same size) keeps it out of the trie.
  static std::shared_ptr<const TokenIndex> from_pieces(std::vector<std::string> pieces,
                                                       std::vector<bool> excluded = {});

  int32_t n_tokens() const { return static_cast<int32_t>(pieces_.size()); }
  // Words a mask for this vocabulary needs: ceil(n_tokens / 64).
  size_t n_mask_words() const { return (pieces_.size() + 63) / 64; }
  std::string_view piece(int32_t id) const { return pieces_[static_cast<size_t>(id)]; }
  bool maskable(int32_t id) const { return id >= 0 && id < n_tokens() && maskable_[static_cast<size_t>(id)]; }

  // Trie in pre-order: node 0 is the root (no byte); the subtree of node i is [i, subtree_end(i)),
  // its first child is i + 1 when that is inside the subtree, and a child's next sibling starts at
  // the child's subtree_end.
  uint32_t n_nodes() const { return static_cast<uint32_t>(node_byte_.size()); }
  uint8_t node_byte(uint32_t node) const { return node_byte_[node]; }
  uint32_t subtree_end(uint32_t node) const { return subtree_end_[node]; }
  // Bytes on any edge strictly below `node` (256-bit set): lets a walk prove a whole subtree stays
  // in one self-looping automaton state without visiting it.
  const std::array<uint64_t, 4>& bytes_below(uint32_t node) const { return bytes_below_[node]; }
  // Tokens ending anywhere in the pre-order node range [first, last) are contiguous here.
  std::span<const int32_t> range_tokens(uint32_t first, uint32_t last) const {
    return {node_token_ids_.data() + node_token_begin_[first], node_token_begin_[last] - node_token_begin_[first]};
  }
  // Tokens whose bytes end exactly at this node (usually zero or one).
  std::span<const int32_t> node_tokens(uint32_t node) const {
    return {node_token_ids_.data() + node_token_begin_[node], node_token_begin_[node + 1] - node_token_begin_[node]};
  }

 private:
  void build_trie();

  std::vector<std::string> pieces_;
  std::vector<char> maskable_;
  std::vector<uint8_t> node_byte_;
  std::vector<uint32_t> subtree_end_;
  std::vector<std::array<uint64_t, 4>> bytes_below_;
  std::vector<uint32_t> node_token_begin_;  // n_nodes + 1 offsets into node_token_ids_
  std::vector<int32_t> node_token_ids_;
};

}  // namespace mynah::grammar
