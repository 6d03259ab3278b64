// Scheduling policy (one step):
//  1. Every running sequence with exactly one position to compute (decode) gets it, oldest first, so
//     streaming never waits behind a long prompt.
//  2. Running sequences still prefilling get chunks from what is left of the token budget, capped
//     while anything decodes by what the step cost model allows (so a step with prefill costs at
//     most ~2x a decode-only step and a long prompt never stalls the streams).
//  3. Waiting sequences are admitted first-come-first-served while there is budget and a free run slot;
//     each first takes every leading full block the prefix cache already holds.
// When the block pool runs dry the newest running sequence that is not yet in this step is preempted:
// its blocks are released and it goes back to the front of the queue to be recomputed later (its
// sampler state is kept, so its output is the same as if it had never been interrupted).
#include "engine/scheduler.h"

#include <algorithm>
#include <unordered_set>

namespace mynah::engine {

Scheduler::Scheduler(const SchedulerOptions& options, int32_t n_blocks, int32_t block_size)
    : opt_(options), pool_(n_blocks, block_size), cost_(options.step_cost) {}

void Scheduler::enqueue(std::unique_ptr<Sequence> seq) { waiting_.push_back(std::move(seq)); }

void Scheduler::add_running(std::unique_ptr<Sequence> seq) {
  seq->admit_order = ++admit_counter_;
  running_.push_back(std::move(seq));
}

bool Scheduler::ensure_blocks(Sequence& seq, int32_t end_pos) {
  const int32_t bs = pool_.block_size();
  const size_t needed = static_cast<size_t>((end_pos + bs - 1) / bs);
  while (seq.blocks.size() < needed) {
    auto b = pool_.allocate();
    if (!b) return false;
    seq.blocks.push_back(*b);
  }
  return true;
}

void Scheduler::release_blocks(Sequence& seq) {
  for (int32_t b : seq.blocks) pool_.release(b);
  seq.blocks.clear();
  seq.n_computed = 0;
  seq.n_published = 0;
  seq.last_hash = 0;
}

void Scheduler::preempt(Sequence* victim) {
  auto it = std::find_if(running_.begin(), running_.end(), [&](const auto& s) { return s.get() == victim; });
  release_blocks(*victim);
  waiting_.push_front(std::move(*it));
  running_.erase(it);
  ++stats_.preemptions;
}

std::unique_ptr<Sequence> Scheduler::remove(Sequence* seq) {
  release_blocks(*seq);
  auto it = std::find_if(running_.begin(), running_.end(), [&](const auto& s) { return s.get() == seq; });
  if (it != running_.end()) {
    auto owned = std::move(*it);
    running_.erase(it);
    return owned;
  }
  auto wit = std::find_if(waiting_.begin(), waiting_.end(), [&](const auto& s) { return s.get() == seq; });
  if (wit == waiting_.end()) return nullptr;
  auto owned = std::move(*wit);
  waiting_.erase(wit);
  return owned;
}

void Scheduler::reuse_cached_prefix(Sequence& seq) {
  if (seq.n_computed > 0 || seq.req->request.logprobs.prompt || !seq.cacheable()) return;  // scoring needs every position
  const int32_t bs = pool_.block_size();
  // Leave at least one position to compute: its logits pick the next token.
  const int32_t max_blocks = (static_cast<int32_t>(seq.tokens.size()) - 1) / bs;
  uint64_t parent = 0;
  int32_t hits = 0;
  for (; hits < max_blocks; ++hits) {
    std::span<const int32_t> chunk(seq.tokens.data() + static_cast<size_t>(hits) * bs, bs);
    auto block = pool_.lookup(parent, chunk);
    if (!block) break;
    seq.blocks.push_back(*block);
    parent = KvBlockPool::chain_hash(parent, chunk);
  }
  seq.n_computed = hits * bs;
  seq.n_published = hits;
  seq.last_hash = parent;
  if (seq.admit_order == 0) seq.n_cached_prompt = std::min(seq.n_computed, seq.n_prompt);
  stats_.prefix_hit_tokens += seq.n_computed;
}

bool Scheduler::add_slot(Sequence& seq, int32_t n_tokens, StepPlan& plan) {
  StepSlot slot;
  slot.seq = &seq;
  slot.first_pos = seq.n_computed;
  slot.n_tokens = n_tokens;
  const bool score_prompt = seq.req->request.logprobs.prompt && !seq.prompt_scored;
  const int32_t slot_idx = static_cast<int32_t>(plan.slots.size());
  const int32_t end = seq.n_computed + n_tokens;
  for (int32_t pos = seq.n_computed; pos < end; ++pos) {
    const bool last = pos + 1 == static_cast<int32_t>(seq.tokens.size());
    const bool scored = score_prompt && pos < seq.n_prompt;
    const bool want = last || scored;
    if (scored && slot.first_score_row < 0) slot.first_score_row = plan.n_logit_rows;
    if (last) slot.logits_row = plan.n_logit_rows;
    if (want) ++plan.n_logit_rows;
    const float* embedding = nullptr;
    for (const auto& e : seq.embeddings) {
      if (e.index == pos) embedding = e.values.data();
    }
    plan.batch.entries.push_back({slot_idx, pos, seq.tokens[pos], want, embedding});
  }
  plan.slots.push_back(slot);
  return true;
}

Sequence* Scheduler::newest_running_outside(const std::unordered_set<const Sequence*>& planned) {
  Sequence* newest = nullptr;
  for (auto& s : running_) {
    if (planned.count(s.get())) continue;
    if (!newest || s->admit_order > newest->admit_order) newest = s.get();
  }
  return newest;
}

StepPlan Scheduler::schedule() {
  StepPlan plan;
  int32_t budget = opt_.batch_tokens;
  std::unordered_set<const Sequence*> planned;
  std::vector<Sequence*> order;
  for (auto& s : running_) order.push_back(s.get());
  // Decode first, then prefill; oldest first within each.
  std::stable_sort(order.begin(), order.end(), [](const Sequence* a, const Sequence* b) {
    const bool a_decode = a->n_pending() == 1, b_decode = b->n_pending() == 1;
    return a_decode != b_decode ? a_decode : a->admit_order < b->admit_order;
  });
  std::unordered_set<const Sequence*> preempted;
  bool prefill_capped = false;
  // Decoders come first in `order`: once they are planned, the cost model caps what prefill may add.
  auto cap_prefill = [&] {
    if (prefill_capped) return;
    prefill_capped = true;
    budget = std::min(budget, cost_.prefill_budget(plan.shape.n_decode, budget));
  };
  for (Sequence* seq : order) {
    if (preempted.count(seq)) continue;
    const bool decode = seq->n_pending() == 1;
    if (!decode) cap_prefill();
    if (budget == 0) break;
    const int32_t n = std::min(seq->n_pending(), budget);
    bool self_preempted = false;
    while (!ensure_blocks(*seq, seq->n_computed + n)) {
      Sequence* victim = newest_running_outside(planned);
      if (!victim) break;  // everything else is already in this step: try again next step
      preempted.insert(victim);
      preempt(victim);
      if (victim == seq) {
        self_preempted = true;
        break;
      }
    }
    if (self_preempted || seq->blocks.size() * pool_.block_size() < static_cast<size_t>(seq->n_computed + n)) continue;
    planned.insert(seq);
    add_slot(*seq, n, plan);
    budget -= n;
    (decode ? plan.shape.n_decode : plan.shape.n_prefill) += n;
  }
  cap_prefill();
  while (budget > 0 && static_cast<int32_t>(running_.size()) < opt_.n_parallel && !waiting_.empty()) {
    Sequence& seq = *waiting_.front();
    reuse_cached_prefix(seq);
    const int32_t n = std::min(seq.n_pending(), budget);
    if (!ensure_blocks(seq, seq.n_computed + n)) {
      release_blocks(seq);  // no room yet: give back what it took, retry next step
      break;
    }
    add_running(std::move(waiting_.front()));
    waiting_.pop_front();
    planned.insert(&seq);
    add_slot(seq, n, plan);
    budget -= n;
    plan.shape.n_prefill += n;
  }
  for (const auto& slot : plan.slots) plan.batch.block_tables.emplace_back(slot.seq->blocks);
  return plan;
}

void Scheduler::commit(const StepPlan& plan) {
  const int32_t bs = pool_.block_size();
  for (const auto& slot : plan.slots) {
    Sequence& seq = *slot.seq;
    seq.n_computed = slot.first_pos + slot.n_tokens;
    while (seq.cacheable() && (seq.n_published + 1) * bs <= seq.n_computed) {
      std::span<const int32_t> chunk(seq.tokens.data() + static_cast<size_t>(seq.n_published) * bs, bs);
      pool_.publish(seq.blocks[seq.n_published], seq.last_hash, chunk);
      seq.last_hash = KvBlockPool::chain_hash(seq.last_hash, chunk);
      ++seq.n_published;
    }
  }
}

bool Scheduler::fork(Sequence& leader, Sequence& follower, const std::function<void(int32_t, int32_t)>& copy) {
  const int32_t bs = pool_.block_size();
  const int32_t n_full = leader.n_computed / bs;
  follower.blocks.clear();
  for (int32_t b = 0; b < n_full; ++b) {
    pool_.retain(leader.blocks[b]);
    follower.blocks.push_back(leader.blocks[b]);
  }
  if (leader.n_computed % bs != 0) {
    auto b = pool_.allocate();
    if (!b) {
      release_blocks(follower);
      return false;
    }
    copy(leader.blocks[n_full], *b);
    follower.blocks.push_back(*b);
  }
  follower.n_computed = leader.n_computed;
  follower.n_published = leader.n_published;
  follower.last_hash = leader.last_hash;
  follower.n_cached_prompt = leader.n_cached_prompt;
  follower.prompt_scored = true;
  return true;
}

}  // namespace mynah::engine
