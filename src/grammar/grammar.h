// Grammar: the compiled, immutable form of a constraint. Every rule is a DFA with calls; all
// rules' states are numbered in one global space so a parser stack frame is one integer. Built
// trimmed: every state can still reach the end of its rule, so any live parse can be completed
// (masks never lead the model into a dead end).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "grammar/automaton.h"
#include "grammar/expr.h"
#include "util/status.h"

namespace mynah::grammar {

struct GrammarCall {
  int32_t callee_start;  // global state the called rule starts in
  int32_t return_state;  // global state of the caller after the callee ends
};

struct GrammarLimits {
  AutomatonLimits automaton;
  int32_t max_total_states = 400000;
};

class Grammar {
 public:
  // rules[0] is the start rule. Fails on caps ("too large"), on an empty language and on left
  // recursion (a rule that can call itself before consuming a byte).
  static util::Result<std::shared_ptr<const Grammar>> build(const ExprPool& pool, const std::vector<ExprId>& rules,
                                                            const GrammarLimits& limits = {});

  int32_t start_state() const { return 0; }
  int32_t n_states() const { return static_cast<int32_t>(states_.size()); }
  // -1 when no transition.
  int32_t next(int32_t state, uint8_t b) const {
    const StateInfo& s = states_[static_cast<size_t>(state)];
    for (uint32_t i = s.trans_begin; i < s.trans_end; ++i) {
      const Transition& t = transitions_[i];
      if (b < t.lo) return -1;
      if (b <= t.hi) return t.target;
    }
    return -1;
  }
  // Bytes b with next(state, b) == state.
  const std::array<uint64_t, 4>& self_loop_bytes(int32_t state) const { return self_loops_[static_cast<size_t>(state)]; }
  std::span<const Transition> transitions(int32_t state) const {
    const StateInfo& s = states_[static_cast<size_t>(state)];
    return {transitions_.data() + s.trans_begin, s.trans_end - s.trans_begin};
  }
  std::span<const GrammarCall> calls(int32_t state) const {
    const StateInfo& s = states_[static_cast<size_t>(state)];
    return {calls_.data() + s.call_begin, s.call_end - s.call_begin};
  }
  bool is_final(int32_t state) const { return states_[static_cast<size_t>(state)].final; }
  bool consumes(int32_t state) const {
    const StateInfo& s = states_[static_cast<size_t>(state)];
    return s.trans_end > s.trans_begin;
  }
  // True when the state's rule calls no other rule: its walk never pushes a frame.
  bool in_call_free_rule(int32_t state) const { return states_[static_cast<size_t>(state)].call_free_rule; }
  int32_t n_rules() const { return n_rules_; }
  // Rules own contiguous state ranges [rule_begin(r), rule_begin(r + 1)).
  int32_t rule_of(int32_t state) const { return states_[static_cast<size_t>(state)].rule; }
  int32_t rule_begin(int32_t rule) const { return rule_base_[static_cast<size_t>(rule)]; }

 private:
  struct StateInfo {
    uint32_t trans_begin = 0;
    uint32_t trans_end = 0;
    uint32_t call_begin = 0;
    uint32_t call_end = 0;
    int32_t rule = 0;
    bool final = false;
    bool call_free_rule = false;
  };
  std::vector<StateInfo> states_;
  std::vector<Transition> transitions_;  // targets are global states
  std::vector<std::array<uint64_t, 4>> self_loops_;
  std::vector<GrammarCall> calls_;
  std::vector<int32_t> rule_base_;  // n_rules + 1 entries
  int32_t n_rules_ = 0;
};

}  // namespace mynah::grammar
