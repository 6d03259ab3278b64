// Trie construction: sort the pieces, then emit nodes in pre-order from the sorted list (shared
// prefixes of neighbours are shared nodes), which gives the subtree ranges for free.
#include "grammar/token_trie.h"

#include <algorithm>

#include "grammar/plain_text.h"

namespace mynah::grammar {

TokenTrie TokenTrie::build(const std::vector<std::string>& pieces, std::vector<int32_t> ids) {
  TokenTrie t;
  std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    return pieces[static_cast<size_t>(a)] < pieces[static_cast<size_t>(b)];
  });
  // path[d] = node id of the current path's node at depth d (path[0] = root).
  std::vector<uint32_t> path{0};
  std::vector<uint32_t> depth{0};
  std::vector<std::vector<int32_t>> tokens_at{{}};
  t.node_byte_.push_back(0);
  std::string_view prev;
  for (int32_t id : ids) {
    const std::string& p = pieces[static_cast<size_t>(id)];
    size_t common = 0;
    while (common < prev.size() && common < p.size() && prev[common] == p[common]) ++common;
    path.resize(common + 1);
    for (size_t d = common; d < p.size(); ++d) {
      t.node_byte_.push_back(static_cast<uint8_t>(p[d]));
      depth.push_back(static_cast<uint32_t>(d + 1));
      tokens_at.emplace_back();
      path.push_back(static_cast<uint32_t>(t.node_byte_.size() - 1));
    }
    tokens_at[path[p.size()]].push_back(id);
    prev = p;
  }
  const uint32_t n = static_cast<uint32_t>(t.node_byte_.size());
  t.subtree_end_.assign(n, n);
  std::vector<uint32_t> open{0};
  for (uint32_t i = 1; i < n; ++i) {
    while (depth[open.back()] >= depth[i]) {
      t.subtree_end_[open.back()] = i;
      open.pop_back();
    }
    open.push_back(i);
  }
  t.bytes_below_.assign(n, {0, 0, 0, 0});
  for (uint32_t i = n; i-- > 0;) {  // children come after their parent in pre-order
    for (uint32_t c = i + 1; c < t.subtree_end_[i]; c = t.subtree_end_[c]) {
      for (int w = 0; w < 4; ++w) t.bytes_below_[i][w] |= t.bytes_below_[c][w];
      t.bytes_below_[i][t.node_byte_[c] >> 6] |= uint64_t{1} << (t.node_byte_[c] & 63);
    }
  }
  t.text_ok_.assign(n, 0xFF);
  t.height_.assign(n, 0);
  for (uint32_t i = n; i-- > 0;) {
    for (uint32_t c = i + 1; c < t.subtree_end_[i]; c = t.subtree_end_[c]) {
      t.height_[i] = static_cast<uint8_t>(std::max<int>(t.height_[i], std::min(255, t.height_[c] + 1)));
      for (int u = 0; u < kPlainTextStates; ++u) {
        const int v = plain_text_next(u, t.node_byte_[c]);
        if (v < 0 || !((t.text_ok_[c] >> v) & 1)) t.text_ok_[i] &= static_cast<uint8_t>(~(1u << u));
      }
    }
  }
  t.node_token_begin_.assign(n + 1, 0);
  for (uint32_t i = 0; i < n; ++i) {
    t.node_token_begin_[i] = static_cast<uint32_t>(t.node_token_ids_.size());
    t.node_token_ids_.insert(t.node_token_ids_.end(), tokens_at[i].begin(), tokens_at[i].end());
  }
  t.node_token_begin_[n] = static_cast<uint32_t>(t.node_token_ids_.size());
  return t;
}

}  // namespace mynah::grammar
