// Automaton: a deterministic automaton over bytes whose states may also call other grammar rules
// (a "DFA with calls"; call-free ones are plain byte DFAs). State 0 is the start. Built from an
// ExprPool expression by Thompson construction plus subset construction, with hard size caps so
// that a hostile schema fails with "too large" instead of exhausting memory.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mynah::grammar {

class ExprPool;

struct ByteRange {
  uint8_t lo;
  uint8_t hi;
};

struct Transition {
  uint8_t lo;
  uint8_t hi;
  int32_t target;
};

struct RuleCall {
  int32_t rule;
  int32_t target;  // state to continue in once the called rule has matched
};

struct AutomatonState {
  std::vector<Transition> transitions;  // sorted, disjoint byte ranges
  std::vector<RuleCall> calls;
  bool final = false;
};

struct Automaton {
  std::vector<AutomatonState> states;

  // Target of byte b from `state`, or -1.
  int32_t next(int32_t state, uint8_t b) const;
  bool has_calls() const;
  // Call-free automata only: does it match exactly `bytes`?
  bool matches(std::string_view bytes) const;
};

struct AutomatonLimits {
  int32_t max_nfa_states = 400000;
  int32_t max_dfa_states = 50000;
};

// Subset construction of the expression; errors name `what` when a cap is exceeded.
util::Result<Automaton> build_automaton(const ExprPool& pool, int32_t expr, const AutomatonLimits& limits);

// Product constructions for call-free automata; the result is trimmed (every state can reach a
// final state), so an empty language comes back with no states at all.
util::Result<Automaton> intersect(const Automaton& a, const Automaton& b, const AutomatonLimits& limits);
util::Result<Automaton> subtract(const Automaton& a, const Automaton& b, const AutomatonLimits& limits);

// Removes states that cannot reach a final state (call-free automata) and renumbers.
Automaton trim(const Automaton& a);
bool is_empty(const Automaton& a);

}  // namespace mynah::grammar
