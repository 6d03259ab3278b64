// PlainText: a fixed 8-state DFA over bytes for "JSON string content that needs no escape": valid
// UTF-8 without control characters, '"' or '\'. Mask walks use it to skip trie subtrees wholesale:
// when every path below a trie node is plain text and an automaton state provably accepts every
// plain text of that length without ending its rule, all tokens below are accepted.
#pragma once

#include <cstdint>
#include <span>

namespace mynah::grammar {

inline constexpr int kPlainTextStates = 8;  // state 0 = between characters

struct PlainTextRange {
  uint8_t lo;
  uint8_t hi;
  int8_t target;
};

// Sorted, disjoint byte ranges leaving plain-text state `u`.
std::span<const PlainTextRange> plain_text_transitions(int u);
// -1 when b cannot follow in state u.
int plain_text_next(int u, uint8_t b);

}  // namespace mynah::grammar
