// Trie walks for token masks. Frames of call-free rules (strings, numbers, keys: most lexer-like
// states) walk as plain DFAs without stack bookkeeping; other frames step whole configurations.
#include "grammar/mask_cache.h"

#include "grammar/plain_text.h"

#include <algorithm>

namespace mynah::grammar {
namespace {

void set_bit(std::span<uint64_t> mask, int32_t id) {
  mask[static_cast<size_t>(id) >> 6] |= uint64_t{1} << (static_cast<uint32_t>(id) & 63);
}

struct SignatureHash {
  size_t operator()(const std::vector<int32_t>& v) const {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ v.size();
    for (int32_t x : v) h = (h ^ static_cast<uint32_t>(x)) * 0x100000001B3ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

// Moore partition refinement over the states of call-free rules, `depth` rounds: after round k,
// equal classes accept the same byte strings of length <= k and are final after the same ones.
// Hashing (not ordered maps) keeps this linear per round: it runs on every compile (TTFM).
std::vector<int32_t> horizon_classes(const Grammar& g, size_t depth) {
  const int32_t n = g.n_states();
  std::vector<int32_t> cls(static_cast<size_t>(n));
  std::vector<int32_t> members;  // call-free states
  for (int32_t s = 0; s < n; ++s) {
    cls[s] = g.in_call_free_rule(s) ? (g.is_final(s) ? 1 : 0) : -1 - s;
    if (cls[s] >= 0) members.push_back(s);
  }
  std::vector<int32_t> next_cls = cls;
  size_t n_classes = 0;
  for (int32_t c : {0, 1}) n_classes += std::count(cls.begin(), cls.end(), c) > 0 ? 1 : 0;
  std::unordered_map<std::vector<int32_t>, int32_t, SignatureHash> ids;
  ids.reserve(members.size());
  std::vector<int32_t> sig;
  for (size_t round = 0; round < depth; ++round) {
    ids.clear();
    for (int32_t s : members) {
      sig.assign(1, cls[s]);
      for (const Transition& t : g.transitions(s)) {
        sig.push_back(t.lo);
        sig.push_back(t.hi);
        sig.push_back(cls[t.target]);
      }
      auto it = ids.find(sig);  // find first: emplace would allocate a node per state
      if (it == ids.end()) it = ids.emplace(sig, static_cast<int32_t>(ids.size())).first;
      next_cls[s] = it->second;
    }
    cls.swap(next_cls);
    if (ids.size() == n_classes) break;  // stable: the partition is the full equivalence
    n_classes = ids.size();
  }
  return cls;
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
  short_keys_ = horizon_classes(*grammar_, TokenIndex::kShortTokenBytes);
  text_depth_ = std::make_unique<std::atomic<int16_t>[]>(static_cast<size_t>(grammar_->n_states()));
}

int MaskCache::plain_text_depth(int32_t state) const {
  const int16_t known = text_depth_[static_cast<size_t>(state)].load(std::memory_order_relaxed);
  if (known > 0) return known - 1;
  std::lock_guard<std::mutex> lock(text_mutex_);
  if (text_depth_[static_cast<size_t>(state)].load(std::memory_order_relaxed) == 0) {
    compute_text_depths(grammar_->rule_of(state));
  }
  return text_depth_[static_cast<size_t>(state)].load(std::memory_order_relaxed) - 1;
}

void MaskCache::compute_text_depths(int32_t rule) const {
  // Shortest distance to a failure in the product of the rule's automaton with the plain-text
  // DFA: a pair (q, u) fails when some plain byte after u is refused by q or ends q's rule; the
  // others are 1 + the least distance of their successors. Multi-source BFS on reversed edges
  // from the failing pairs gives every pair's distance in one linear pass over the rule.
  const Grammar& g = *grammar_;
  const int32_t begin = g.rule_begin(rule);
  const int32_t end = g.rule_begin(rule + 1);
  constexpr int32_t kMaxRuleStates = 20000;  // bigger rules skip the shortcut (still exact)
  if (!g.in_call_free_rule(begin) || end - begin > kMaxRuleStates) {
    for (int32_t q = begin; q < end; ++q) text_depth_[static_cast<size_t>(q)].store(1, std::memory_order_relaxed);
    return;
  }
  auto pair_idx = [&](int32_t q, int u) { return static_cast<uint32_t>(q - begin) * kPlainTextStates + static_cast<uint32_t>(u); };
  const size_t n_pairs = static_cast<size_t>(end - begin) * kPlainTextStates;
  std::vector<int16_t> dist(n_pairs, -1);
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (successor, pair)
  std::vector<uint32_t> queue;
  std::vector<std::pair<uint32_t, uint32_t>> pending;
  for (int32_t q = begin; q < end; ++q) {
    const auto trans = g.transitions(q);
    for (int u = 0; u < kPlainTextStates; ++u) {
      pending.clear();
      bool fails = false;
      for (const PlainTextRange& r : plain_text_transitions(u)) {
        int covered = r.lo;  // the grammar's ranges must cover [lo, hi] with non-final targets
        for (const Transition& t : trans) {
          if (t.hi < covered) continue;
          if (t.lo > covered || g.is_final(t.target)) break;
          pending.emplace_back(pair_idx(t.target, r.target), pair_idx(q, u));
          covered = t.hi + 1;
          if (covered > r.hi) break;
        }
        if (covered <= r.hi) {
          fails = true;
          break;
        }
      }
      if (fails) {
        dist[pair_idx(q, u)] = 0;
        queue.push_back(pair_idx(q, u));
      } else {
        edges.insert(edges.end(), pending.begin(), pending.end());
      }
    }
  }
  // Reversed edges in CSR form: preds of pair x are pred_ids[pred_begin[x] .. pred_begin[x + 1]).
  std::vector<uint32_t> pred_begin(n_pairs + 1, 0);
  for (const auto& e : edges) ++pred_begin[e.first + 1];
  for (size_t i = 0; i < n_pairs; ++i) pred_begin[i + 1] += pred_begin[i];
  std::vector<uint32_t> pred_ids(edges.size());
  std::vector<uint32_t> fill(pred_begin.begin(), pred_begin.end() - 1);
  for (const auto& e : edges) pred_ids[fill[e.first]++] = e.second;
  for (size_t head = 0; head < queue.size(); ++head) {
    const uint32_t x = queue[head];
    for (uint32_t k = pred_begin[x]; k < pred_begin[x + 1]; ++k) {
      const uint32_t p = pred_ids[k];
      if (dist[p] >= 0) continue;
      dist[p] = static_cast<int16_t>(std::min(255, dist[x] + 1));
      queue.push_back(p);
    }
  }
  for (int32_t q = begin; q < end; ++q) {
    const int16_t d = dist[pair_idx(q, 0)];
    text_depth_[static_cast<size_t>(q)].store(static_cast<int16_t>((d < 0 ? 255 : d) + 1), std::memory_order_relaxed);
  }
}

std::shared_ptr<const FrameTokens> MaskCache::frame_tokens(int32_t state, TrieKind kind) {
  const bool is_short = kind == TrieKind::kShort;
  const int32_t key = is_short ? short_keys_[static_cast<size_t>(state)] : state;
  auto& entries = is_short ? short_entries_ : long_entries_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries.find(key);
    if (it != entries.end()) return it->second;
  }
  auto entry = compute(state, kind);  // outside the lock: two threads may race, both results are equal
  std::lock_guard<std::mutex> lock(mutex_);
  return entries.emplace(key, std::move(entry)).first->second;
}

void MaskCache::after_rule_end(const TokenTrie& trie, StackSet& stacks, uint32_t node, uint32_t parent,
                               std::span<uint64_t> mask, std::vector<uint32_t>* pops, PopContinuation& after) const {
  if (parent == kLocalFrame) {
    if (pops) pops->push_back(node);
    return;
  }
  if (parent == kRootFrame) return;  // the value is complete here: no further byte may follow
  if (!after.ready) {
    after.below = stacks.after_pop(parent);
    after.ready = true;
  }
  if (after.below.popped && pops) pops->push_back(node);
  if (!after.below.heads.empty()) walk(trie, stacks, node, after.below, mask, pops);
}

void MaskCache::walk_frame(const TokenTrie& trie, StackSet& stacks, uint32_t node, int32_t state, uint32_t parent,
                           std::span<uint64_t> mask, std::vector<uint32_t>* pops, PopContinuation& after) const {
  const Grammar& g = *grammar_;
  const uint32_t end = trie.subtree_end(node);
  // Children and transitions are both sorted by byte: merge them instead of searching.
  const auto trans = g.transitions(state);
  size_t ti = 0;
  for (uint32_t child = node + 1; child < end; child = trie.subtree_end(child)) {
    const uint8_t b = trie.node_byte(child);
    while (ti < trans.size() && trans[ti].hi < b) ++ti;
    if (ti == trans.size()) break;
    if (b < trans[ti].lo) continue;
    const int32_t t = trans[ti].target;
    for (int32_t id : trie.node_tokens(child)) set_bit(mask, id);
    const bool final = g.is_final(t);
    if (final) after_rule_end(trie, stacks, child, parent, mask, pops, after);
    if (!g.consumes(t)) continue;
    // Inside a string most subtrees only use bytes that loop on t, or only plain text that t
    // accepts to that depth: every token below is accepted and the rule cannot end there, so
    // take the subtree's tokens without walking it.
    const auto& below = trie.bytes_below(child);
    const auto& loop = g.self_loop_bytes(t);
    const bool loops = !final && (below[0] & ~loop[0]) == 0 && (below[1] & ~loop[1]) == 0 &&
                       (below[2] & ~loop[2]) == 0 && (below[3] & ~loop[3]) == 0;
    // height() saturates at 255: a saturated height proves nothing, so it never takes the shortcut.
    if (loops || (trie.plain_text_below(child) && trie.height(child) < 255 &&
                  trie.height(child) <= plain_text_depth(t))) {
      for (int32_t id : trie.range_tokens(child + 1, trie.subtree_end(child))) set_bit(mask, id);
      continue;
    }
    walk_frame(trie, stacks, child, t, parent, mask, pops, after);
  }
}

void MaskCache::walk(const TokenTrie& trie, StackSet& stacks, uint32_t node, const Configuration& from,
                     std::span<uint64_t> mask, std::vector<uint32_t>* pops) const {
  // A configuration is a set of alternative stacks: its accepted tokens are the union of each
  // stack's, so call-free heads can walk on their own in DFA mode.
  Configuration rest;
  for (uint32_t head : from.heads) {
    const int32_t s = stacks.state(head);
    if (!grammar_->in_call_free_rule(s)) {
      rest.heads.push_back(head);
      continue;
    }
    PopContinuation after;
    walk_frame(trie, stacks, node, s, stacks.parent(head), mask, pops, after);
  }
  if (rest.heads.empty()) return;
  const uint32_t end = trie.subtree_end(node);
  for (uint32_t child = node + 1; child < end; child = trie.subtree_end(child)) {
    const Configuration next = stacks.advance(rest, trie.node_byte(child));
    if (!next.alive()) continue;
    for (int32_t id : trie.node_tokens(child)) set_bit(mask, id);
    if (next.popped && pops) pops->push_back(child);
    if (!next.heads.empty()) walk(trie, stacks, child, next, mask, pops);
  }
}

std::shared_ptr<const FrameTokens> MaskCache::compute(int32_t state, TrieKind kind) const {
  auto entry = std::make_shared<FrameTokens>();
  const size_t n_words = index_->n_mask_words();
  const TokenTrie& t = trie(kind);
  StackSet local(grammar_);
  entry->bits.assign(n_words, 0);
  if (grammar_->in_call_free_rule(state)) {
    PopContinuation after;
    walk_frame(t, local, 0, state, kLocalFrame, entry->bits, &entry->pop_nodes, after);
  } else {
    Configuration start;
    start.heads.push_back(local.intern(state, kLocalFrame));
    walk(t, local, 0, start, entry->bits, &entry->pop_nodes);
  }
  std::sort(entry->pop_nodes.begin(), entry->pop_nodes.end());
  entry->pop_nodes.erase(std::unique(entry->pop_nodes.begin(), entry->pop_nodes.end()), entry->pop_nodes.end());
  size_t count = 0;
  for (uint64_t w : entry->bits) count += static_cast<size_t>(__builtin_popcountll(w));
  if (count * 32 <= n_words * 64) {  // sparser than 1/32: a list is smaller and faster to apply
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
