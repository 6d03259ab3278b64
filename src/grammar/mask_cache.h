// MaskCache: per (grammar, vocabulary), the token sets that depend only on the top stack frame.
// For a frame in state s, walking the token trie with only that frame on the stack splits the
// vocabulary into tokens accepted while the frame's rule is still running (context-independent,
// cached here) and trie nodes where the rule ends mid-token (pop points; the rest of those tokens
// depends on the frames below and is walked per step). This is XGrammar's context-independent
// token cache, computed lazily. Thread-safe; entries are immutable once published.
#pragma once

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
  std::vector<uint32_t> pop_nodes;  // trie nodes where the frame's rule can end

  void or_into(std::span<uint64_t> mask) const;
};

class MaskCache {
 public:
  MaskCache(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenIndex> index);

  const Grammar& grammar() const { return *grammar_; }
  const std::shared_ptr<const Grammar>& grammar_ptr() const { return grammar_; }
  const TokenIndex& index() const { return *index_; }

  // Tokens for a frame in `state` (a byte-consuming state).
  std::shared_ptr<const FrameTokens> frame_tokens(int32_t state);

  // Walks the trie below `node` from configuration `from`, setting accepted tokens in `mask`
  // and recording pop points when `pops` is non-null. Tokens at `node` itself are not visited.
  void walk(StackSet& stacks, uint32_t node, const Configuration& from, std::span<uint64_t> mask,
            std::vector<uint32_t>* pops) const;

 private:
  std::shared_ptr<const FrameTokens> compute(int32_t state) const;
  void walk_call_free(uint32_t node, int32_t state, std::vector<int32_t>& accepted,
                      std::vector<uint32_t>& pops) const;

  std::shared_ptr<const Grammar> grammar_;
  std::shared_ptr<const TokenIndex> index_;
  // Cache key per state. States of call-free rules that no token can tell apart (equivalent up to
  // the longest token's length, found by Moore partition refinement) share one key: e.g. the
  // positions of a maxLength string that are more than one token away from the limit.
  std::vector<int32_t> keys_;
  std::mutex mutex_;
  std::unordered_map<int32_t, std::shared_ptr<const FrameTokens>> entries_;
};

}  // namespace mynah::grammar
