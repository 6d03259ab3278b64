// MaskCache: per (grammar, vocabulary), the token sets that depend only on the top stack frame.
// For a frame in state s, walking the token trie with only that frame on the stack splits the
// vocabulary into tokens accepted while the frame's rule is still running (context-independent,
// cached here) and trie nodes where the rule ends mid-token (pop points; the rest of those tokens
// depends on the frames below and is walked per step). This is XGrammar's context-independent
// token cache, computed lazily. Thread-safe; entries are immutable once published.
//
// Cost control (issue #8: TBM p99 < 1 ms with a 128k vocabulary): short tokens (<= 16 bytes)
// are cached per class of states that behave alike for 16 bytes, long tokens per state; frames
// of call-free rules walk as plain DFAs; and a subtree whose paths are all plain UTF-8 text is
// taken whole when the state provably accepts any plain text that long (plain_text.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/stack_set.h"
#include "grammar/token_index.h"

namespace mynah::grammar {

struct FrameTokens {
  std::vector<int32_t> token_ids;   // used when the set is small
  std::vector<uint64_t> bits;       // used when it is large (then token_ids is empty)
  std::vector<uint32_t> pop_nodes;  // nodes of the entry's trie where the frame's rule can end

  void or_into(std::span<uint64_t> mask) const;
};

enum class TrieKind : uint8_t { kShort, kLong };

class MaskCache {
 public:
  MaskCache(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenIndex> index);

  const Grammar& grammar() const { return *grammar_; }
  const std::shared_ptr<const Grammar>& grammar_ptr() const { return grammar_; }
  const TokenIndex& index() const { return *index_; }
  const TokenTrie& trie(TrieKind kind) const {
    return kind == TrieKind::kShort ? index_->short_trie() : index_->long_trie();
  }

  // Tokens of one trie for a frame in `state` (a byte-consuming state).
  std::shared_ptr<const FrameTokens> frame_tokens(int32_t state, TrieKind kind);

  // Walks `trie` below `node` from configuration `from`, setting accepted tokens in `mask` and
  // recording pop points (the local frame ended) when `pops` is non-null. Tokens at `node` itself
  // are not visited. Frames interned into `stacks` stay there (callers roll back).
  void walk(const TokenTrie& trie, StackSet& stacks, uint32_t node, const Configuration& from,
            std::span<uint64_t> mask, std::vector<uint32_t>* pops) const;

 private:
  // What follows when a call-free frame's rule ends: the configuration below it, computed once
  // per frame walk (a string has a pop point for every token containing its closing quote).
  struct PopContinuation {
    bool ready = false;
    Configuration below;
  };

  std::shared_ptr<const FrameTokens> compute(int32_t state, TrieKind kind) const;
  // A frame of a call-free rule walks the trie as a plain DFA, without stack bookkeeping, until
  // its rule ends; then the frames below take over.
  void walk_frame(const TokenTrie& trie, StackSet& stacks, uint32_t node, int32_t state, uint32_t parent,
                  std::span<uint64_t> mask, std::vector<uint32_t>* pops, PopContinuation& after) const;
  void after_rule_end(const TokenTrie& trie, StackSet& stacks, uint32_t node, uint32_t parent,
                      std::span<uint64_t> mask, std::vector<uint32_t>* pops, PopContinuation& after) const;

  // The largest k (<= 255) such that every plain text (plain_text.h) of at most k bytes leads
  // from `state` to a live, non-final state: below a trie node whose paths are all plain text
  // and at most k long, every token is accepted and the rule cannot end. Memoized per state.
  int plain_text_depth(int32_t state) const;
  void compute_text_depths(int32_t rule) const;

  std::shared_ptr<const Grammar> grammar_;
  std::shared_ptr<const TokenIndex> index_;
  mutable std::unique_ptr<std::atomic<int16_t>[]> text_depth_;  // per state: depth + 1, 0 = unknown
  mutable std::mutex text_mutex_;
  // Short-trie cache key per state. States of call-free rules that behave alike on every byte
  // string of up to kShortTokenBytes bytes (Moore partition refinement for that many rounds)
  // share one key: e.g. the positions of a maxLength string that are more than 16 bytes away
  // from the limit, or equal string rules of different properties. Other states: -1 - state.
  std::vector<int32_t> short_keys_;
  std::mutex mutex_;
  std::unordered_map<int32_t, std::shared_ptr<const FrameTokens>> short_entries_;
  std::unordered_map<int32_t, std::shared_ptr<const FrameTokens>> long_entries_;  // by state
};

}  // namespace mynah::grammar
