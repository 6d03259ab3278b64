// ExprPool: a regular-expression-like AST over bytes (classes, sequences, alternatives, bounded
// repetition) plus calls to other grammar rules. The JSON Schema and regex compilers emit it; the
// automaton builder turns each rule's expression into a DFA whose edges are bytes or rule calls.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "grammar/automaton.h"

namespace mynah::grammar {

using ExprId = int32_t;

enum class ExprKind : uint8_t {
  kEmpty,    // matches ""
  kNothing,  // matches no string at all
  kClass,    // one byte out of `ranges`
  kSeq,      // children in order
  kAlt,      // any one child
  kRepeat,   // children[0] repeated min..max times (max < 0: unbounded)
  kCall,     // the language of rule `index`
  kDfa,      // the call-free automaton dfas()[index] (results of intersection/difference)
  // Object members in a fixed order, some optional, separated by children[0]:
  // children = {separator, extra member (or kNothing), member_0 .. member_n-1}, required[i] per
  // member; after the members any number of "extra" members may follow. Built with O(n)
  // junction states, where nesting optional tails as expressions would expand exponentially.
  kMemberChain,
};

struct Expr {
  ExprKind kind = ExprKind::kEmpty;
  std::vector<ByteRange> ranges;
  std::vector<ExprId> children;
  int32_t min = 0;
  int32_t max = 0;
  int32_t index = 0;
  std::vector<char> required;  // kMemberChain only
};

// Append-only; ids stay valid. Expressions form a DAG: a node may be shared by several parents,
// and is expanded once per use when it is turned into an automaton.
class ExprPool {
 public:
  ExprId empty();
  ExprId nothing();
  ExprId literal(std::string_view bytes);
  ExprId byte_class(std::vector<ByteRange> ranges);
  ExprId byte_range(uint8_t lo, uint8_t hi) { return byte_class({ByteRange{lo, hi}}); }
  ExprId seq(std::vector<ExprId> children);
  ExprId alt(std::vector<ExprId> children);
  ExprId repeat(ExprId child, int32_t min, int32_t max);
  ExprId optional(ExprId child) { return repeat(child, 0, 1); }
  ExprId star(ExprId child) { return repeat(child, 0, -1); }
  ExprId call(int32_t rule);
  ExprId dfa(Automaton automaton);
  ExprId member_chain(ExprId separator, ExprId extra, std::vector<ExprId> members, std::vector<char> required);

  const Expr& at(ExprId id) const { return nodes_[static_cast<size_t>(id)]; }
  const Automaton& dfa_at(int32_t index) const { return dfas_[static_cast<size_t>(index)]; }
  bool is_nothing(ExprId id) const { return at(id).kind == ExprKind::kNothing; }

 private:
  ExprId add(Expr expr);
  std::vector<Expr> nodes_;
  std::vector<Automaton> dfas_;
};

}  // namespace mynah::grammar
