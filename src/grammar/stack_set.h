// StackSet: the nondeterministic pushdown recognizer's configuration. Parser stacks are frames in
// an append-only arena with shared tails (a frame is (state, parent frame)), hash-consed so equal
// stacks are one id; a configuration is the set of stacks whose top state can consume a byte,
// plus flags for "the start rule has ended" (complete) and, for mask pre-computation, "the frame
// we started in has ended" (popped). Rolling back is truncating the arena.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "grammar/grammar.h"

namespace mynah::grammar {

inline constexpr uint32_t kRootFrame = 0xFFFFFFFFu;   // below the start rule: popping it = complete
inline constexpr uint32_t kLocalFrame = 0xFFFFFFFEu;  // below a cached walk's first frame: popped

struct Configuration {
  std::vector<uint32_t> heads;  // frame ids whose state consumes bytes; no duplicates
  bool complete = false;
  bool popped = false;
  bool alive() const { return !heads.empty() || complete || popped; }
};

class StackSet {
 public:
  explicit StackSet(std::shared_ptr<const Grammar> grammar) : grammar_(std::move(grammar)) {}

  const Grammar& grammar() const { return *grammar_; }
  int32_t state(uint32_t frame) const { return frames_[frame].state; }
  uint32_t parent(uint32_t frame) const { return frames_[frame].parent; }

  uint32_t intern(int32_t state, uint32_t parent);
  // Starts a closure pass: frames visited by close() since the last new_pass() are skipped.
  void new_pass() { ++pass_; }
  // Adds (state, parent) and everything reachable without consuming a byte to `out`.
  void close(int32_t state, uint32_t parent, Configuration& out);
  // The configuration after popping `frame`'s stack: the caller continues in the parent.
  Configuration after_pop(uint32_t parent);
  Configuration advance(const Configuration& from, uint8_t byte);

  size_t mark() const { return frames_.size(); }
  void rollback(size_t mark);
  // Drops frames unreachable from `keep` (renumbering its heads); bounds memory on long outputs.
  void compact(Configuration& keep);
  size_t n_frames() const { return frames_.size(); }

 private:
  struct Frame {
    int32_t state;
    uint32_t parent;
  };
  static uint64_t key(int32_t state, uint32_t parent) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(state)) << 32) | parent;
  }

  std::shared_ptr<const Grammar> grammar_;
  std::vector<Frame> frames_;
  std::unordered_map<uint64_t, uint32_t> index_;
  std::vector<uint32_t> seen_;  // per frame: the closure pass that last visited it
  uint32_t pass_ = 0;
  std::vector<std::pair<int32_t, uint32_t>> work_;
};

}  // namespace mynah::grammar
