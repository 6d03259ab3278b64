// Matcher: mask = union over stack heads of the head state's cached token set, plus a walk of
// the trie below each pop point against the frames underneath.
#include "grammar/matcher.h"

#include <algorithm>

namespace mynah::grammar {
namespace {

constexpr size_t kCompactFrames = 1 << 16;

}  // namespace

Matcher::Matcher(std::shared_ptr<MaskCache> masks, std::vector<int32_t> eos_ids)
    : masks_(std::move(masks)), eos_ids_(std::move(eos_ids)), stacks_(masks_->grammar_ptr()) {
  stacks_.new_pass();
  stacks_.close(masks_->grammar().start_state(), kRootFrame, config_);
}

void Matcher::fill_mask(std::span<uint64_t> allowed) {
  std::fill(allowed.begin(), allowed.end(), 0);
  if (ended_) return;
  const size_t mark = stacks_.mark();
  for (uint32_t head : config_.heads) {
    Configuration below;
    bool below_ready = false;
    for (TrieKind kind : {TrieKind::kShort, TrieKind::kLong}) {
      const auto entry = masks_->frame_tokens(stacks_.state(head), kind);
      entry->or_into(allowed);
      if (entry->pop_nodes.empty()) continue;
      if (!below_ready) {
        below = stacks_.after_pop(stacks_.parent(head));
        below_ready = true;
      }
      if (below.heads.empty()) continue;  // only "complete" below: no byte may follow the pop
      for (uint32_t node : entry->pop_nodes) masks_->walk(masks_->trie(kind), stacks_, node, below, allowed, nullptr);
    }
  }
  stacks_.rollback(mark);
  if (config_.complete) {
    for (int32_t id : eos_ids_) {
      if (id >= 0 && static_cast<size_t>(id) / 64 < allowed.size()) {
        allowed[static_cast<size_t>(id) / 64] |= uint64_t{1} << (id & 63);
      }
    }
  }
}

bool Matcher::accept_token(int32_t id) {
  if (ended_) return false;
  if (std::find(eos_ids_.begin(), eos_ids_.end(), id) != eos_ids_.end()) {
    if (!config_.complete) return false;
    ended_ = true;
    return true;
  }
  if (!masks_->index().maskable(id)) return false;
  return accept_bytes(masks_->index().piece(id));
}

bool Matcher::accept_bytes(std::string_view bytes) {
  if (ended_) return false;
  const size_t mark = stacks_.mark();
  Configuration cur = config_;
  for (char c : bytes) {
    cur = stacks_.advance(cur, static_cast<uint8_t>(c));
    if (cur.heads.empty() && !cur.complete) {
      stacks_.rollback(mark);
      return false;
    }
  }
  config_ = std::move(cur);
  if (stacks_.n_frames() > compact_at_) {  // long outputs: drop frames no stack uses any more
    stacks_.compact(config_);
    compact_at_ = std::max(kCompactFrames, 4 * stacks_.n_frames());
  }
  return true;
}

}  // namespace mynah::grammar
