// Closure and byte steps of the stack-set recognizer.
#include "grammar/stack_set.h"

#include <algorithm>

namespace mynah::grammar {

uint32_t StackSet::intern(int32_t state, uint32_t parent) {
  auto [it, inserted] = index_.emplace(key(state, parent), static_cast<uint32_t>(frames_.size()));
  if (inserted) {
    frames_.push_back({state, parent});
    seen_.push_back(0);
  }
  return it->second;
}

void StackSet::close(int32_t state, uint32_t parent, Configuration& out) {
  const Grammar& g = *grammar_;
  work_.clear();
  work_.emplace_back(state, parent);
  while (!work_.empty()) {
    const auto [s, p] = work_.back();
    work_.pop_back();
    const uint32_t id = intern(s, p);
    if (seen_[id] == pass_) continue;
    seen_[id] = pass_;
    if (g.consumes(s)) out.heads.push_back(id);
    if (g.is_final(s)) {
      if (p == kRootFrame) {
        out.complete = true;
      } else if (p == kLocalFrame) {
        out.popped = true;
      } else {
        work_.emplace_back(frames_[p].state, frames_[p].parent);
      }
    }
    for (const GrammarCall& c : g.calls(s)) {
      const uint32_t ret = intern(c.return_state, p);
      work_.emplace_back(c.callee_start, ret);
    }
  }
}

Configuration StackSet::after_pop(uint32_t parent) {
  Configuration out;
  ++pass_;
  if (parent == kRootFrame) {
    out.complete = true;
  } else if (parent == kLocalFrame) {
    out.popped = true;
  } else {
    close(frames_[parent].state, frames_[parent].parent, out);
  }
  return out;
}

Configuration StackSet::advance(const Configuration& from, uint8_t byte) {
  Configuration out;
  ++pass_;
  const Grammar& g = *grammar_;
  for (uint32_t head : from.heads) {
    const int32_t t = g.next(frames_[head].state, byte);
    if (t >= 0) close(t, frames_[head].parent, out);
  }
  return out;
}

void StackSet::rollback(size_t mark) {
  for (size_t i = mark; i < frames_.size(); ++i) index_.erase(key(frames_[i].state, frames_[i].parent));
  frames_.resize(mark);
  seen_.resize(mark);
}

void StackSet::compact(Configuration& keep) {
  std::vector<uint32_t> remap(frames_.size(), kRootFrame);
  std::vector<Frame> kept;
  // Collect reachable frames parents-first so each parent is renumbered before its children.
  std::vector<uint32_t> order;
  for (uint32_t head : keep.heads) {
    for (uint32_t f = head; f != kRootFrame && f != kLocalFrame && remap[f] == kRootFrame; f = frames_[f].parent) {
      remap[f] = 0;  // mark
      order.push_back(f);
    }
  }
  std::sort(order.begin(), order.end());  // parents are always older (smaller ids) than children
  index_.clear();
  for (uint32_t f : order) {
    const uint32_t p = frames_[f].parent;
    const uint32_t np = (p == kRootFrame || p == kLocalFrame) ? p : remap[p];
    remap[f] = static_cast<uint32_t>(kept.size());
    kept.push_back({frames_[f].state, np});
    index_.emplace(key(frames_[f].state, np), remap[f]);
  }
  for (uint32_t& head : keep.heads) head = remap[head];
  frames_ = std::move(kept);
  seen_.assign(frames_.size(), 0);
  pass_ = 0;
}

}  // namespace mynah::grammar
