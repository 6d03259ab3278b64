// Trie construction: sort the maskable pieces, then emit nodes in pre-order from the sorted list
// (shared prefixes of neighbours are shared nodes), which gives the subtree ranges for free.
#include "grammar/token_index.h"

#include <algorithm>
#include <numeric>

namespace mynah::grammar {

std::shared_ptr<const TokenIndex> TokenIndex::from_tokenizer(const tokenizer::Tokenizer& tok) {
  const int32_t n = tok.n_vocab();
  std::vector<std::string> pieces(static_cast<size_t>(n));
  std::vector<bool> excluded(static_cast<size_t>(n), false);
  for (int32_t id = 0; id < n; ++id) {
    const auto type = tok.vocab().type(id);
    const bool special = type == tokenizer::TokenType::kControl || type == tokenizer::TokenType::kUnknown ||
                         type == tokenizer::TokenType::kUnused || tok.is_end_of_generation(id);
    // USER_DEFINED tokens written like "<|...|>" or "<...>" are chat/special markers in practice.
    const std::string& text = tok.token_text(id);
    const bool marker = type == tokenizer::TokenType::kUserDefined && text.size() > 2 && text.front() == '<' &&
                        text.back() == '>';
    excluded[static_cast<size_t>(id)] = special || marker;
    if (!special) pieces[static_cast<size_t>(id)] = tok.token_to_piece(id);
  }
  return from_pieces(std::move(pieces), std::move(excluded));
}

std::shared_ptr<const TokenIndex> TokenIndex::from_pieces(std::vector<std::string> pieces, std::vector<bool> excluded) {
  auto index = std::shared_ptr<TokenIndex>(new TokenIndex());
  index->maskable_.resize(pieces.size(), 0);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const bool ex = i < excluded.size() && excluded[i];
    index->maskable_[i] = !ex && !pieces[i].empty();
  }
  index->pieces_ = std::move(pieces);
  index->build_trie();
  return index;
}

void TokenIndex::build_trie() {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    if (maskable_[i]) ids.push_back(static_cast<int32_t>(i));
  }
  std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    return pieces_[static_cast<size_t>(a)] < pieces_[static_cast<size_t>(b)];
  });
  // path[d] = node id of the current path's node at depth d (path[0] = root).
  std::vector<uint32_t> path{0};
  std::vector<std::vector<int32_t>> tokens_at{{}};
  node_byte_.push_back(0);
  std::string prev;
  for (int32_t id : ids) {
    const std::string& p = pieces_[static_cast<size_t>(id)];
    size_t common = 0;
    while (common < prev.size() && common < p.size() && prev[common] == p[common]) ++common;
    path.resize(common + 1);
    for (size_t d = common; d < p.size(); ++d) {
      node_byte_.push_back(static_cast<uint8_t>(p[d]));
      tokens_at.emplace_back();
      path.push_back(static_cast<uint32_t>(node_byte_.size() - 1));
    }
    tokens_at[path[p.size()]].push_back(id);
    prev = p;
  }
  // Depths are implied by the construction; recompute subtree ends with a stack over pre-order.
  const uint32_t n = static_cast<uint32_t>(node_byte_.size());
  subtree_end_.assign(n, n);
  std::vector<uint32_t> depth(n, 0);
  {
    // Re-walk the sorted pieces to know each node's depth.
    std::string last;
    uint32_t next_node = 1;
    for (int32_t id : ids) {
      const std::string& p = pieces_[static_cast<size_t>(id)];
      size_t common = 0;
      while (common < last.size() && common < p.size() && last[common] == p[common]) ++common;
      for (size_t d = common; d < p.size(); ++d) depth[next_node++] = static_cast<uint32_t>(d + 1);
      last = p;
    }
  }
  std::vector<uint32_t> open{0};
  for (uint32_t i = 1; i < n; ++i) {
    while (depth[open.back()] >= depth[i]) {
      subtree_end_[open.back()] = i;
      open.pop_back();
    }
    open.push_back(i);
  }
  bytes_below_.assign(n, {0, 0, 0, 0});
  for (uint32_t i = n; i-- > 0;) {  // children come after their parent in pre-order
    for (uint32_t c = i + 1; c < subtree_end_[i]; c = subtree_end_[c]) {
      for (int w = 0; w < 4; ++w) bytes_below_[i][w] |= bytes_below_[c][w];
      bytes_below_[i][node_byte_[c] >> 6] |= uint64_t{1} << (node_byte_[c] & 63);
    }
  }
  node_token_begin_.assign(n + 1, 0);
  for (uint32_t i = 0; i < n; ++i) {
    node_token_begin_[i] = static_cast<uint32_t>(node_token_ids_.size());
    node_token_ids_.insert(node_token_ids_.end(), tokens_at[i].begin(), tokens_at[i].end());
  }
  node_token_begin_[n] = static_cast<uint32_t>(node_token_ids_.size());
}

}  // namespace mynah::grammar
