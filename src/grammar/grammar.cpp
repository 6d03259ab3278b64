// Grammar::build: per-rule automata, global productivity trimming, left-recursion check, then
// flattening into one state table.
#include "grammar/grammar.h"

#include <utility>

namespace mynah::grammar {
namespace {

// Can `a` reach a final state when only calls to rules with ok[rule] count, and (bytes_ok)
// byte transitions too?
bool reaches_final(const Automaton& a, const std::vector<char>& ok, bool bytes_ok) {
  if (a.states.empty()) return false;
  std::vector<char> seen(a.states.size(), 0);
  std::vector<int32_t> work{0};
  seen[0] = 1;
  while (!work.empty()) {
    const int32_t s = work.back();
    work.pop_back();
    if (a.states[s].final) return true;
    auto visit = [&](int32_t t) {
      if (!seen[t]) {
        seen[t] = 1;
        work.push_back(t);
      }
    };
    if (bytes_ok) {
      for (const Transition& t : a.states[s].transitions) visit(t.target);
    }
    for (const RuleCall& c : a.states[s].calls) {
      if (ok[c.rule]) visit(c.target);
    }
  }
  return false;
}

std::vector<char> fixpoint(const std::vector<Automaton>& rules, bool bytes_ok) {
  std::vector<char> ok(rules.size(), 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < rules.size(); ++r) {
      if (!ok[r] && reaches_final(rules[r], ok, bytes_ok)) {
        ok[r] = 1;
        changed = true;
      }
    }
  }
  return ok;
}

// Rules callable from r's start before any byte is consumed.
std::vector<int32_t> left_callees(const Automaton& a, const std::vector<char>& nullable) {
  std::vector<int32_t> out;
  std::vector<char> seen(a.states.size(), 0);
  std::vector<int32_t> work{0};
  seen[0] = 1;
  while (!work.empty()) {
    const int32_t s = work.back();
    work.pop_back();
    for (const RuleCall& c : a.states[s].calls) {
      out.push_back(c.rule);
      if (nullable[c.rule] && !seen[c.target]) {
        seen[c.target] = 1;
        work.push_back(c.target);
      }
    }
  }
  return out;
}

bool has_left_cycle(const std::vector<std::vector<int32_t>>& edges) {
  std::vector<char> color(edges.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::pair<int32_t, size_t>> stack;
  for (size_t root = 0; root < edges.size(); ++root) {
    if (color[root]) continue;
    stack.push_back({static_cast<int32_t>(root), 0});
    color[root] = 1;
    while (!stack.empty()) {
      auto& [node, idx] = stack.back();
      if (idx == edges[node].size()) {
        color[node] = 2;
        stack.pop_back();
        continue;
      }
      const int32_t next = edges[node][idx++];
      if (color[next] == 1) return true;
      if (color[next] == 0) {
        color[next] = 1;
        stack.push_back({next, 0});
      }
    }
  }
  return false;
}

}  // namespace

util::Result<std::shared_ptr<const Grammar>> Grammar::build(const ExprPool& pool, const std::vector<ExprId>& rules,
                                                            const GrammarLimits& limits) {
  std::vector<Automaton> autos;
  autos.reserve(rules.size());
  int64_t total = 0;
  for (ExprId r : rules) {
    auto a = build_automaton(pool, r, limits.automaton);
    if (!a) return a.take_error();
    total += static_cast<int64_t>(a->states.size());
    if (total > limits.max_total_states) {
      return util::make_error("too large: the grammar exceeds {} states", limits.max_total_states);
    }
    autos.push_back(std::move(*a));
  }
  const std::vector<char> productive = fixpoint(autos, /*bytes_ok=*/true);
  if (autos.empty() || !productive[0]) return util::make_error("the schema is unsatisfiable: no value matches it");
  for (auto& a : autos) {
    for (auto& s : a.states) {
      std::erase_if(s.calls, [&](const RuleCall& c) { return !productive[c.rule]; });
    }
    a = trim(a);
  }
  const std::vector<char> nullable = fixpoint(autos, /*bytes_ok=*/false);
  std::vector<std::vector<int32_t>> left(autos.size());
  for (size_t r = 0; r < autos.size(); ++r) {
    if (!autos[r].states.empty()) left[r] = left_callees(autos[r], nullable);
  }
  if (has_left_cycle(left)) {
    return util::make_error("left recursion: a $ref cycle can recurse without consuming input");
  }
  auto g = std::make_shared<Grammar>();
  g->n_rules_ = static_cast<int32_t>(autos.size());
  std::vector<int32_t> base(autos.size(), 0);
  int32_t next = 0;
  for (size_t r = 0; r < autos.size(); ++r) {
    base[r] = next;
    next += static_cast<int32_t>(autos[r].states.size());
  }
  g->states_.resize(static_cast<size_t>(next));
  g->rule_base_ = base;
  g->rule_base_.push_back(next);
  for (size_t r = 0; r < autos.size(); ++r) {
    const bool call_free = !autos[r].has_calls();
    for (size_t i = 0; i < autos[r].states.size(); ++i) {
      const AutomatonState& s = autos[r].states[i];
      StateInfo& d = g->states_[static_cast<size_t>(base[r]) + i];
      d.rule = static_cast<int32_t>(r);
      d.final = s.final;
      d.call_free_rule = call_free;
      d.trans_begin = static_cast<uint32_t>(g->transitions_.size());
      for (const Transition& t : s.transitions) g->transitions_.push_back({t.lo, t.hi, base[r] + t.target});
      d.trans_end = static_cast<uint32_t>(g->transitions_.size());
      d.call_begin = static_cast<uint32_t>(g->calls_.size());
      for (const RuleCall& c : s.calls) g->calls_.push_back({base[c.rule], base[r] + c.target});
      d.call_end = static_cast<uint32_t>(g->calls_.size());
    }
  }
  g->self_loops_.assign(g->states_.size(), {0, 0, 0, 0});
  for (size_t st = 0; st < g->states_.size(); ++st) {
    for (const Transition& t : g->transitions(static_cast<int32_t>(st))) {
      if (t.target != static_cast<int32_t>(st)) continue;
      for (int b = t.lo; b <= t.hi; ++b) g->self_loops_[st][b >> 6] |= uint64_t{1} << (b & 63);
    }
  }
  return std::shared_ptr<const Grammar>(std::move(g));
}

}  // namespace mynah::grammar
