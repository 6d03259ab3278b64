// Trie walks for token masks. The call-free walk (strings, numbers, keys: most lexer-like states)
// is a plain DFA walk without any stack bookkeeping; the general walk steps whole configurations.
#include "grammar/mask_cache.h"

#include <algorithm>
#include <map>

namespace mynah::grammar {
namespace {

void set_bit(std::span<uint64_t> mask, int32_t id) {
  mask[static_cast<size_t>(id) >> 6] |= uint64_t{1} << (static_cast<uint32_t>(id) & 63);
}

}  // namespace

void FrameTokens::or_into(std::span<uint64_t> mask) const {
  if (!bits.empty()) {
    for (size_t i = 0; i < bits.size(); ++i) mask[i] |= bits[i];
    return;
  }
  for (int32_t id : token_ids) set_bit(mask, id);
}

MaskCache::MaskCache(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenIndex> index)
    : grammar_(std::move(grammar)), index_(std::move(index)) {
  const Grammar& g = *grammar_;
  const int32_t n = g.n_states();
  size_t max_len = 0;
  for (int32_t id = 0; id < index_->n_tokens(); ++id) max_len = std::max(max_len, index_->piece(id).size());
  // Round 0: call-free states by finality; other states keep a key of their own (negative).
  std::vector<int32_t> cls(static_cast<size_t>(n));
  for (int32_t s = 0; s < n; ++s) cls[s] = g.in_call_free_rule(s) ? (g.is_final(s) ? 1 : 0) : -1 - s;
  std::vector<int32_t> next_cls(static_cast<size_t>(n));
  size_t n_classes = 0;  // distinct non-negative classes in cls
  for (int32_t c : {0, 1}) n_classes += std::count(cls.begin(), cls.end(), c) > 0 ? 1 : 0;
  std::vector<int32_t> sig;
  for (size_t round = 0; round < max_len; ++round) {
    std::map<std::vector<int32_t>, int32_t> ids;
    for (int32_t s = 0; s < n; ++s) {
      if (cls[s] < 0) {
        next_cls[s] = cls[s];
        continue;
      }
      sig.assign(1, cls[s]);
      for (const Transition& t : g.transitions(s)) {
        sig.push_back(t.lo);
        sig.push_back(t.hi);
        sig.push_back(cls[t.target]);
      }
      next_cls[s] = ids.emplace(sig, static_cast<int32_t>(ids.size())).first->second;
    }
    cls.swap(next_cls);
    if (ids.size() == n_classes) break;  // stable: the partition is the full equivalence
    n_classes = ids.size();
  }
  keys_ = std::move(cls);
}

std::shared_ptr<const FrameTokens> MaskCache::frame_tokens(int32_t state) {
  const int32_t key = keys_[static_cast<size_t>(state)];
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second;
  }
  auto entry = compute(state);  // outside the lock: two threads may race, both results are equal
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.emplace(key, std::move(entry)).first->second;
}

void MaskCache::walk_call_free(uint32_t node, int32_t state, std::vector<int32_t>& accepted,
                               std::vector<uint32_t>& pops) const {
  const TokenIndex& ix = *index_;
  const Grammar& g = *grammar_;
  const uint32_t end = ix.subtree_end(node);
  // Children and transitions are both sorted by byte: merge them instead of searching.
  const auto trans = g.transitions(state);
  size_t ti = 0;
  for (uint32_t child = node + 1; child < end; child = ix.subtree_end(child)) {
    const uint8_t b = ix.node_byte(child);
    while (ti < trans.size() && trans[ti].hi < b) ++ti;
    if (ti == trans.size()) break;
    if (b < trans[ti].lo) continue;
    const int32_t t = trans[ti].target;
    for (int32_t id : ix.node_tokens(child)) accepted.push_back(id);
    if (g.is_final(t)) pops.push_back(child);
    if (!g.consumes(t)) continue;
    // Inside a string most subtrees only use bytes that loop on t: every token below is accepted
    // and no pop can happen (t is not final), so take the subtree's tokens without walking it.
    const auto& below = ix.bytes_below(child);
    const auto& loop = g.self_loop_bytes(t);
    if (!g.is_final(t) && (below[0] & ~loop[0]) == 0 && (below[1] & ~loop[1]) == 0 && (below[2] & ~loop[2]) == 0 &&
        (below[3] & ~loop[3]) == 0) {
      const auto ids = ix.range_tokens(child + 1, ix.subtree_end(child));
      accepted.insert(accepted.end(), ids.begin(), ids.end());
      continue;
    }
    walk_call_free(child, t, accepted, pops);
  }
}

void MaskCache::walk(StackSet& stacks, uint32_t node, const Configuration& from, std::span<uint64_t> mask,
                     std::vector<uint32_t>* pops) const {
  const TokenIndex& ix = *index_;
  const uint32_t end = ix.subtree_end(node);
  for (uint32_t child = node + 1; child < end; child = ix.subtree_end(child)) {
    const Configuration next = stacks.advance(from, ix.node_byte(child));
    if (!next.alive()) continue;
    for (int32_t id : ix.node_tokens(child)) set_bit(mask, id);
    if (next.popped && pops) pops->push_back(child);
    if (!next.heads.empty()) walk(stacks, child, next, mask, pops);
  }
}

std::shared_ptr<const FrameTokens> MaskCache::compute(int32_t state) const {
  auto entry = std::make_shared<FrameTokens>();
  const size_t n_words = index_->n_mask_words();
  if (grammar_->in_call_free_rule(state)) {
    std::vector<int32_t> accepted;
    walk_call_free(0, state, accepted, entry->pop_nodes);
    if (accepted.size() * 32 > n_words * 64) {  // denser than 1/32: a bitmask is smaller
      entry->bits.assign(n_words, 0);
      for (int32_t id : accepted) set_bit(entry->bits, id);
    } else {
      entry->token_ids = std::move(accepted);
    }
    return entry;
  }
  StackSet local(grammar_);
  Configuration start;
  start.heads.push_back(local.intern(state, kLocalFrame));
  entry->bits.assign(n_words, 0);
  walk(local, 0, start, entry->bits, &entry->pop_nodes);
  std::sort(entry->pop_nodes.begin(), entry->pop_nodes.end());
  entry->pop_nodes.erase(std::unique(entry->pop_nodes.begin(), entry->pop_nodes.end()), entry->pop_nodes.end());
  size_t count = 0;
  for (uint64_t w : entry->bits) count += static_cast<size_t>(__builtin_popcountll(w));
  if (count * 32 <= n_words * 64) {
    for (size_t i = 0; i < n_words; ++i) {
      for (uint64_t w = entry->bits[i]; w; w &= w - 1) {
        entry->token_ids.push_back(static_cast<int32_t>(i * 64 + static_cast<size_t>(__builtin_ctzll(w))));
      }
    }
    entry->bits.clear();
  }
  return entry;
}

}  // namespace mynah::grammar
