// ExprPool constructors; they fold the trivial cases (nothing in a sequence, empty alternatives)
// so that unsatisfiable sub-schemas vanish before any automaton is built.
#include "grammar/expr.h"

#include <utility>

namespace mynah::grammar {

ExprId ExprPool::add(Expr expr) {
  nodes_.push_back(std::move(expr));
  return static_cast<ExprId>(nodes_.size() - 1);
}

ExprId ExprPool::empty() { return add(Expr{}); }

ExprId ExprPool::nothing() {
  Expr e;
  e.kind = ExprKind::kNothing;
  return add(std::move(e));
}

ExprId ExprPool::literal(std::string_view bytes) {
  std::vector<ExprId> parts;
  parts.reserve(bytes.size());
  for (char c : bytes) parts.push_back(byte_range(static_cast<uint8_t>(c), static_cast<uint8_t>(c)));
  return seq(std::move(parts));
}

ExprId ExprPool::byte_class(std::vector<ByteRange> ranges) {
  if (ranges.empty()) return nothing();
  Expr e;
  e.kind = ExprKind::kClass;
  e.ranges = std::move(ranges);
  return add(std::move(e));
}

ExprId ExprPool::seq(std::vector<ExprId> children) {
  std::vector<ExprId> kept;
  for (ExprId c : children) {
    if (at(c).kind == ExprKind::kNothing) return nothing();
    if (at(c).kind != ExprKind::kEmpty) kept.push_back(c);
  }
  if (kept.empty()) return empty();
  if (kept.size() == 1) return kept[0];
  Expr e;
  e.kind = ExprKind::kSeq;
  e.children = std::move(kept);
  return add(std::move(e));
}

ExprId ExprPool::alt(std::vector<ExprId> children) {
  std::vector<ExprId> kept;
  for (ExprId c : children) {
    if (at(c).kind != ExprKind::kNothing) kept.push_back(c);
  }
  if (kept.empty()) return nothing();
  if (kept.size() == 1) return kept[0];
  Expr e;
  e.kind = ExprKind::kAlt;
  e.children = std::move(kept);
  return add(std::move(e));
}

ExprId ExprPool::repeat(ExprId child, int32_t min, int32_t max) {
  if (max >= 0 && max < min) return nothing();
  if (max == 0) return empty();
  if (at(child).kind == ExprKind::kNothing) return min == 0 ? empty() : nothing();
  if (at(child).kind == ExprKind::kEmpty) return empty();
  if (min == 1 && max == 1) return child;
  Expr e;
  e.kind = ExprKind::kRepeat;
  e.children = {child};
  e.min = min;
  e.max = max;
  return add(std::move(e));
}

ExprId ExprPool::call(int32_t rule) {
  Expr e;
  e.kind = ExprKind::kCall;
  e.index = rule;
  return add(std::move(e));
}

ExprId ExprPool::dfa(Automaton automaton) {
  if (automaton.states.empty()) return nothing();
  dfas_.push_back(std::move(automaton));
  Expr e;
  e.kind = ExprKind::kDfa;
  e.index = static_cast<int32_t>(dfas_.size() - 1);
  return add(std::move(e));
}

ExprId ExprPool::member_chain(ExprId separator, ExprId extra, std::vector<ExprId> members,
                              std::vector<char> required) {
  std::vector<ExprId> kept_members;
  std::vector<char> kept_required;
  for (size_t i = 0; i < members.size(); ++i) {
    if (at(members[i]).kind == ExprKind::kNothing) {
      if (required[i]) return nothing();
      continue;
    }
    kept_members.push_back(members[i]);
    kept_required.push_back(required[i]);
  }
  Expr e;
  e.kind = ExprKind::kMemberChain;
  e.children = {separator, extra};
  e.children.insert(e.children.end(), kept_members.begin(), kept_members.end());
  e.required = std::move(kept_required);
  return add(std::move(e));
}

}  // namespace mynah::grammar
