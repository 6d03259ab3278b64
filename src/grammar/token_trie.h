// TokenTrie: a byte trie over a set of token pieces, stored in pre-order so that a subtree is a
// contiguous node range and the tokens ending inside it are a contiguous id range. Mask walks
// visit it depth-first; TokenIndex keeps one trie for short tokens and one for long ones.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mynah::grammar {

class TokenTrie {
 public:
  // The trie of pieces[id] for every id in `ids` (pieces must be non-empty).
  static TokenTrie build(const std::vector<std::string>& pieces, std::vector<int32_t> ids);

  // Node 0 is the root (no byte); the subtree of node i is [i, subtree_end(i)), its first child
  // is i + 1 when that is inside the subtree, and a child's next sibling starts at the child's
  // subtree_end.
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
  // Every path below `node` (read from a character boundary) is plain text (plain_text.h).
  bool plain_text_below(uint32_t node) const { return text_ok_[node] & 1; }
  // Longest path below `node` in bytes, saturated at 255.
  uint8_t height(uint32_t node) const { return height_[node]; }
  size_t n_tokens() const { return node_token_ids_.size(); }

 private:
  std::vector<uint8_t> node_byte_;
  std::vector<uint32_t> subtree_end_;
  std::vector<std::array<uint64_t, 4>> bytes_below_;
  std::vector<uint8_t> text_ok_;  // bit u: every path below is plain text from plain-text state u
  std::vector<uint8_t> height_;
  std::vector<uint32_t> node_token_begin_;  // n_nodes + 1 offsets into node_token_ids_
  std::vector<int32_t> node_token_ids_;
};

}  // namespace mynah::grammar
