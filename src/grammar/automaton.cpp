// Thompson construction (expression -> NFA with epsilon, byte and call edges), subset construction
// (NFA -> DFA, treating each called rule as one more input symbol) and byte-DFA products.
#include "grammar/automaton.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "grammar/expr.h"

namespace mynah::grammar {
namespace {

struct NfaState {
  std::vector<Transition> transitions;
  std::vector<RuleCall> calls;
  std::vector<int32_t> eps;
};

struct Fragment {
  int32_t start;
  int32_t end;
};

class NfaBuilder {
 public:
  NfaBuilder(const ExprPool& pool, int32_t max_states) : pool_(pool), max_states_(max_states) {}

  util::Result<Fragment> build(ExprId id) {
    const Expr& e = pool_.at(id);
    switch (e.kind) {
      case ExprKind::kEmpty: {
        const int32_t s = add();
        return Fragment{s, s};
      }
      case ExprKind::kNothing: return Fragment{add(), add()};
      case ExprKind::kClass: {
        const Fragment f{add(), add()};
        for (const ByteRange& r : e.ranges) states_[f.start].transitions.push_back({r.lo, r.hi, f.end});
        return f;
      }
      case ExprKind::kCall: {
        const Fragment f{add(), add()};
        states_[f.start].calls.push_back({e.index, f.end});
        return f;
      }
      case ExprKind::kSeq: {
        int32_t start = -1;
        int32_t end = -1;
        for (ExprId c : e.children) {
          auto f = build(c);
          if (!f) return f;
          if (start < 0) {
            start = f->start;
          } else {
            states_[end].eps.push_back(f->start);
          }
          end = f->end;
        }
        return Fragment{start, end};
      }
      case ExprKind::kAlt: {
        const Fragment f{add(), add()};
        for (ExprId c : e.children) {
          auto g = build(c);
          if (!g) return g;
          states_[f.start].eps.push_back(g->start);
          states_[g->end].eps.push_back(f.end);
        }
        return f;
      }
      case ExprKind::kRepeat: return build_repeat(e);
      case ExprKind::kMemberChain: return build_member_chain(e);
      case ExprKind::kDfa: return copy_dfa(pool_.dfa_at(e.index));
    }
    return util::make_error("unknown expression kind");
  }

  std::vector<NfaState>& states() { return states_; }

 private:
  int32_t add() {
    states_.emplace_back();
    return static_cast<int32_t>(states_.size() - 1);
  }

  util::Result<Fragment> build_repeat(const Expr& e) {
    const Fragment f{add(), add()};
    int32_t cur = f.start;
    for (int32_t i = 0; i < e.min; ++i) {
      auto g = build(e.children[0]);
      if (!g) return g;
      if (too_big()) return too_large();
      states_[cur].eps.push_back(g->start);
      cur = g->end;
    }
    if (e.max < 0) {
      auto g = build(e.children[0]);
      if (!g) return g;
      states_[cur].eps.push_back(g->start);
      states_[g->end].eps.push_back(cur);
      states_[cur].eps.push_back(f.end);
      return f;
    }
    for (int32_t i = e.min; i < e.max; ++i) {
      states_[cur].eps.push_back(f.end);
      auto g = build(e.children[0]);
      if (!g) return g;
      if (too_big()) return too_large();
      states_[cur].eps.push_back(g->start);
      cur = g->end;
    }
    states_[cur].eps.push_back(f.end);
    return f;
  }

  // Junction (i, has_previous): before member i, with or without a member already written.
  util::Result<Fragment> build_member_chain(const Expr& e) {
    const ExprId sep = e.children[0];
    const ExprId extra = e.children[1];
    const size_t n = e.required.size();
    std::vector<int32_t> junction[2];
    for (auto& j : junction) {
      for (size_t i = 0; i <= n; ++i) j.push_back(add());
    }
    std::vector<char> reach_first(n + 1, 0);  // junction (i, false) reachable: members 0..i-1 all optional
    reach_first[0] = 1;
    for (size_t i = 0; i < n; ++i) reach_first[i + 1] = reach_first[i] && !e.required[i];
    for (size_t i = 0; i < n; ++i) {
      const ExprId member = e.children[2 + i];
      if (reach_first[i]) {
        auto f = build(member);
        if (!f) return f;
        states_[junction[0][i]].eps.push_back(f->start);
        states_[f->end].eps.push_back(junction[1][i + 1]);
        if (!e.required[i]) states_[junction[0][i]].eps.push_back(junction[0][i + 1]);
      }
      if (i > 0) {
        auto s = build(sep);
        if (!s) return s;
        auto f = build(member);
        if (!f) return f;
        states_[junction[1][i]].eps.push_back(s->start);
        states_[s->end].eps.push_back(f->start);
        states_[f->end].eps.push_back(junction[1][i + 1]);
        if (!e.required[i]) states_[junction[1][i]].eps.push_back(junction[1][i + 1]);
      }
      if (too_big()) return too_large();
    }
    const int32_t end = add();
    // Extra members: (extra (sep extra)*)? without a previous member, (sep extra)* with one.
    const int32_t loop = add();
    states_[loop].eps.push_back(end);
    if (pool_.at(extra).kind != ExprKind::kNothing) {
      auto s = build(sep);
      if (!s) return s;
      auto f = build(extra);
      if (!f) return f;
      states_[loop].eps.push_back(s->start);
      states_[s->end].eps.push_back(f->start);
      states_[f->end].eps.push_back(loop);
      if (reach_first[n]) {
        auto g = build(extra);
        if (!g) return g;
        states_[junction[0][n]].eps.push_back(g->start);
        states_[g->end].eps.push_back(loop);
      }
    }
    if (reach_first[n]) states_[junction[0][n]].eps.push_back(end);
    states_[junction[1][n]].eps.push_back(loop);
    return Fragment{junction[0][0], end};
  }

  util::Result<Fragment> copy_dfa(const Automaton& a) {
    const int32_t base = static_cast<int32_t>(states_.size());
    for (size_t i = 0; i < a.states.size(); ++i) add();
    const int32_t end = add();
    for (size_t i = 0; i < a.states.size(); ++i) {
      NfaState& s = states_[base + static_cast<int32_t>(i)];
      for (const Transition& t : a.states[i].transitions) s.transitions.push_back({t.lo, t.hi, base + t.target});
      for (const RuleCall& c : a.states[i].calls) s.calls.push_back({c.rule, base + c.target});
      if (a.states[i].final) s.eps.push_back(end);
    }
    if (too_big()) return too_large();
    return Fragment{base, end};
  }

  bool too_big() const { return static_cast<int32_t>(states_.size()) > max_states_; }
  static util::Error too_large() { return util::make_error("too large: the grammar exceeds the NFA state cap"); }

  const ExprPool& pool_;
  int32_t max_states_;
  std::vector<NfaState> states_;
};

using StateSet = std::vector<int32_t>;

struct StateSetHash {
  size_t operator()(const StateSet& v) const {
    uint64_t h = 0xCBF29CE484222325ull ^ v.size();
    for (int32_t x : v) h = (h ^ static_cast<uint32_t>(x)) * 0x100000001B3ull;
    return static_cast<size_t>(h ^ (h >> 31));
  }
};

void close_over_eps(const std::vector<NfaState>& nfa, StateSet& set, std::vector<uint32_t>& mark, uint32_t stamp,
                    std::vector<int32_t>& work) {
  work.assign(set.begin(), set.end());
  for (int32_t s : set) mark[s] = stamp;
  while (!work.empty()) {
    const int32_t s = work.back();
    work.pop_back();
    for (int32_t t : nfa[s].eps) {
      if (mark[t] == stamp) continue;
      mark[t] = stamp;
      set.push_back(t);
      work.push_back(t);
    }
  }
  std::sort(set.begin(), set.end());
}

}  // namespace

int32_t Automaton::next(int32_t state, uint8_t b) const {
  for (const Transition& t : states[state].transitions) {
    if (b < t.lo) return -1;
    if (b <= t.hi) return t.target;
  }
  return -1;
}

bool Automaton::has_calls() const {
  for (const auto& s : states) {
    if (!s.calls.empty()) return true;
  }
  return false;
}

bool Automaton::matches(std::string_view bytes) const {
  if (states.empty()) return false;
  int32_t s = 0;
  for (char c : bytes) {
    s = next(s, static_cast<uint8_t>(c));
    if (s < 0) return false;
  }
  return states[s].final;
}

util::Result<Automaton> build_automaton(const ExprPool& pool, int32_t expr, const AutomatonLimits& limits) {
  NfaBuilder builder(pool, limits.max_nfa_states);
  auto frag = builder.build(expr);
  if (!frag) return frag.take_error();
  const std::vector<NfaState>& nfa = builder.states();
  std::vector<uint32_t> mark(nfa.size(), 0);
  uint32_t stamp = 0;
  std::unordered_map<StateSet, int32_t, StateSetHash> ids;
  std::vector<StateSet> sets;
  Automaton out;
  StateSet start{frag->start};
  std::vector<int32_t> work;  // reused by every closure
  close_over_eps(nfa, start, mark, ++stamp, work);
  ids.emplace(start, 0);
  sets.push_back(start);
  out.states.emplace_back();
  auto intern = [&](StateSet set) -> int32_t {
    close_over_eps(nfa, set, mark, ++stamp, work);
    auto [it, inserted] = ids.emplace(set, static_cast<int32_t>(sets.size()));
    if (inserted) {
      sets.push_back(std::move(set));
      out.states.emplace_back();
    }
    return it->second;
  };
  std::vector<int32_t> bounds;  // interval starts
  std::vector<StateSet> interval_targets;  // per interval
  std::map<int32_t, StateSet> call_targets;
  for (size_t idx = 0; idx < sets.size(); ++idx) {
    if (static_cast<int32_t>(sets.size()) > limits.max_dfa_states) {
      return util::make_error("too large: the grammar exceeds {} automaton states", limits.max_dfa_states);
    }
    const StateSet cur = sets[idx];
    bounds.clear();
    call_targets.clear();
    bool final = false;
    for (int32_t s : cur) {
      if (s == frag->end) final = true;
      for (const Transition& t : nfa[s].transitions) {
        bounds.push_back(t.lo);
        bounds.push_back(t.hi + 1);
      }
      for (const RuleCall& c : nfa[s].calls) call_targets[c.rule].push_back(c.target);
    }
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    // Each NFA transition covers a run of consecutive intervals: add its target to each of them.
    const size_t n_intervals = bounds.empty() ? 0 : bounds.size() - 1;
    if (interval_targets.size() < n_intervals) interval_targets.resize(n_intervals);
    for (size_t i = 0; i < n_intervals; ++i) interval_targets[i].clear();
    for (int32_t s : cur) {
      for (const Transition& t : nfa[s].transitions) {
        auto i = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), int32_t{t.lo}) - bounds.begin());
        for (; i < n_intervals && bounds[i] <= t.hi; ++i) interval_targets[i].push_back(t.target);
      }
    }
    std::vector<Transition> trans;
    for (size_t i = 0; i < n_intervals; ++i) {
      const int32_t lo = bounds[i];
      StateSet& target = interval_targets[i];
      if (target.empty()) continue;
      std::sort(target.begin(), target.end());
      target.erase(std::unique(target.begin(), target.end()), target.end());
      const int32_t id = intern(target);
      const auto hi = static_cast<uint8_t>(bounds[i + 1] - 1);
      if (!trans.empty() && trans.back().target == id && trans.back().hi + 1 == lo) {
        trans.back().hi = hi;
      } else {
        trans.push_back({static_cast<uint8_t>(lo), hi, id});
      }
    }
    std::vector<RuleCall> calls;
    for (auto& [rule, targets] : call_targets) {
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
      calls.push_back({rule, intern(std::move(targets))});
    }
    out.states[idx].transitions = std::move(trans);
    out.states[idx].calls = std::move(calls);
    out.states[idx].final = final;
  }
  return out;
}

namespace {

enum class ProductKind { kIntersect, kSubtract };

util::Result<Automaton> product(const Automaton& a, const Automaton& b, ProductKind kind,
                                const AutomatonLimits& limits) {
  Automaton out;
  if (a.states.empty()) return out;
  std::map<std::pair<int32_t, int32_t>, int32_t> ids;
  std::vector<std::pair<int32_t, int32_t>> pairs;
  auto intern = [&](int32_t x, int32_t y) {
    auto [it, inserted] = ids.emplace(std::make_pair(x, y), static_cast<int32_t>(pairs.size()));
    if (inserted) {
      pairs.emplace_back(x, y);
      out.states.emplace_back();
    }
    return it->second;
  };
  intern(0, b.states.empty() ? -1 : 0);
  for (size_t idx = 0; idx < pairs.size(); ++idx) {
    if (static_cast<int32_t>(pairs.size()) > limits.max_dfa_states) {
      return util::make_error("too large: the grammar exceeds {} automaton states", limits.max_dfa_states);
    }
    const auto [x, y] = pairs[idx];
    const bool fb = y >= 0 && b.states[y].final;
    const bool fa = a.states[x].final;
    std::vector<Transition> trans;
    for (const Transition& t : a.states[x].transitions) {
      int32_t lo = t.lo;
      while (lo <= t.hi) {
        // Find b's target for byte lo and how far that stays constant.
        int32_t hi = t.hi;
        int32_t yb = -1;
        if (y >= 0) {
          for (const Transition& u : b.states[y].transitions) {
            if (u.hi < lo) continue;
            if (u.lo > lo) {
              hi = std::min<int32_t>(hi, u.lo - 1);
              break;
            }
            yb = u.target;
            hi = std::min<int32_t>(hi, u.hi);
            break;
          }
        }
        if (kind == ProductKind::kSubtract || yb >= 0) {
          trans.push_back({static_cast<uint8_t>(lo), static_cast<uint8_t>(hi), intern(t.target, yb)});
        }
        lo = hi + 1;
      }
    }
    out.states[idx].transitions = std::move(trans);
    out.states[idx].final = kind == ProductKind::kIntersect ? (fa && fb) : (fa && !fb);
  }
  return trim(out);
}

}  // namespace

util::Result<Automaton> intersect(const Automaton& a, const Automaton& b, const AutomatonLimits& limits) {
  if (b.states.empty()) return Automaton{};
  return product(a, b, ProductKind::kIntersect, limits);
}

util::Result<Automaton> subtract(const Automaton& a, const Automaton& b, const AutomatonLimits& limits) {
  return product(a, b, ProductKind::kSubtract, limits);
}

Automaton trim(const Automaton& a) {
  const size_t n = a.states.size();
  std::vector<std::vector<int32_t>> preds(n);
  std::vector<char> live(n, 0);
  std::vector<int32_t> work;
  for (size_t i = 0; i < n; ++i) {
    for (const Transition& t : a.states[i].transitions) preds[t.target].push_back(static_cast<int32_t>(i));
    for (const RuleCall& c : a.states[i].calls) preds[c.target].push_back(static_cast<int32_t>(i));
    if (a.states[i].final) {
      live[i] = 1;
      work.push_back(static_cast<int32_t>(i));
    }
  }
  while (!work.empty()) {
    const int32_t s = work.back();
    work.pop_back();
    for (int32_t p : preds[s]) {
      if (!live[p]) {
        live[p] = 1;
        work.push_back(p);
      }
    }
  }
  Automaton out;
  if (n == 0 || !live[0]) return out;
  std::vector<int32_t> remap(n, -1);
  std::vector<int32_t> order{0};
  remap[0] = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const AutomatonState& s = a.states[order[i]];
    auto visit = [&](int32_t t) {
      if (live[t] && remap[t] < 0) {
        remap[t] = static_cast<int32_t>(order.size());
        order.push_back(t);
      }
    };
    for (const Transition& t : s.transitions) visit(t.target);
    for (const RuleCall& c : s.calls) visit(c.target);
  }
  out.states.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const AutomatonState& s = a.states[order[i]];
    AutomatonState& d = out.states[i];
    d.final = s.final;
    for (const Transition& t : s.transitions) {
      if (remap[t.target] >= 0) d.transitions.push_back({t.lo, t.hi, remap[t.target]});
    }
    for (const RuleCall& c : s.calls) {
      if (remap[c.target] >= 0) d.calls.push_back({c.rule, remap[c.target]});
    }
  }
  return out;
}

bool is_empty(const Automaton& a) { return trim(a).states.empty(); }

}  // namespace mynah::grammar
