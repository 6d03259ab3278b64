// Scheduler: decides what one engine step computes. Running sequences first (decode tokens, then the
// rest of their prefill), then first-come-first-served admission of waiting sequences, all within a
// per-step token budget (chunked prefill). Owns the block pool and the prefix cache lookups.
#pragma once

#include <deque>
#include <functional>
#include <unordered_set>
#include <memory>
#include <vector>

#include "engine/kv_block_pool.h"
#include "engine/sequence.h"
#include "engine/step_cost_model.h"
#include "model/forward_batch.h"

namespace mynah::engine {

struct SchedulerOptions {
  int32_t n_parallel = 4;       // running sequences at most
  int32_t batch_tokens = 512;   // tokens per step at most
  int32_t n_ctx = 512;
  StepCostOptions step_cost;    // how much prefill a step may add while sequences decode
};

// One sequence's share of a step.
struct StepSlot {
  Sequence* seq = nullptr;
  int32_t first_pos = 0;    // first position computed this step
  int32_t n_tokens = 0;
  int32_t logits_row = -1;  // row of the step's logits for the sequence's next token, or -1
  int32_t first_score_row = -1;  // when scoring the prompt: row of first_pos (one per position)
};

struct StepPlan {
  model::ForwardBatch batch;
  std::vector<StepSlot> slots;
  int32_t n_logit_rows = 0;
  StepShape shape;  // decode rows and prefill tokens, for the cost model
  bool empty() const { return batch.entries.empty(); }
};

struct SchedulerStats {
  int64_t preemptions = 0;
  int64_t prefix_hit_tokens = 0;
};

class Scheduler {
 public:
  Scheduler(const SchedulerOptions& options, int32_t n_blocks, int32_t block_size);

  void enqueue(std::unique_ptr<Sequence> seq);
  StepPlan schedule();
  // Records what the step computed (positions, full blocks into the prefix cache).
  void commit(const StepPlan& plan);
  // Takes a running follower-less sequence out of the run list and releases its blocks.
  std::unique_ptr<Sequence> remove(Sequence* seq);
  // Gives a forked follower its own block table (shared full blocks, a copy of the partial one).
  // Returns false if no block is free for the copy. `copy` copies KV contents between blocks.
  bool fork(Sequence& leader, Sequence& follower, const std::function<void(int32_t, int32_t)>& copy);
  void add_running(std::unique_ptr<Sequence> seq);
  // Feeds the measured duration of a step that ran `shape` to the cost model behind the prefill budget.
  void observe_step(const StepShape& shape, double seconds) { cost_.observe(shape, seconds); }

  std::vector<std::unique_ptr<Sequence>>& running() { return running_; }
  std::deque<std::unique_ptr<Sequence>>& waiting() { return waiting_; }
  const KvBlockPool& pool() const { return pool_; }
  const SchedulerStats& stats() const { return stats_; }
  const StepCostModel& cost_model() const { return cost_; }

 private:
  bool ensure_blocks(Sequence& seq, int32_t end_pos);
  void release_blocks(Sequence& seq);
  void preempt(Sequence* victim);
  Sequence* newest_running_outside(const std::unordered_set<const Sequence*>& planned);
  void reuse_cached_prefix(Sequence& seq);
  bool add_slot(Sequence& seq, int32_t n_tokens, StepPlan& plan);

  SchedulerOptions opt_;
  KvBlockPool pool_;
  std::deque<std::unique_ptr<Sequence>> waiting_;
  std::vector<std::unique_ptr<Sequence>> running_;
  uint64_t admit_counter_ = 0;
  SchedulerStats stats_;
  StepCostModel cost_;
};

}  // namespace mynah::engine
