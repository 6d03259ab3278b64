// Engine: the continuous-batching generation loop. submit() validates and tokenizes on the caller's
// thread and queues the request; one engine thread steps the scheduler, calls the model once per step
// for every running sequence, samples each row and delivers events through the request's sink.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "engine/generation_event.h"
#include "engine/generation_request.h"
#include "engine/metrics.h"
#include "engine/output_constraint.h"
#include "engine/scheduler.h"
#include "engine/sequence.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"
#include "util/thread_pool.h"

namespace mynah::engine {

struct EngineOptions {
  int32_t n_ctx = 0;          // per-sequence context; 0: the model's training context
  int32_t n_parallel = 4;     // running sequences at most
  int32_t batch_tokens = 512; // tokens per step at most (chunked prefill budget)
  int32_t max_queue = 256;    // waiting requests beyond which submit() refuses
  int32_t block_size = 16;    // positions per KV block
  int32_t n_kv_blocks = 0;    // 0: enough for n_parallel full contexts
  int32_t n_threads = 0;      // compute threads; 0: physical cores
  StepCostOptions step_cost;  // prefill budget while sequences decode (see step_cost_model.h)
};

struct SubmitError {
  enum class Kind { kInvalid, kQueueFull, kShuttingDown };
  Kind kind;
  std::string message;
  std::string param;  // the GenerationRequest field at fault when one is ("response_format"), else empty
};

class Engine {
 public:
  static util::Result<std::unique_ptr<Engine>> create(std::shared_ptr<model::Model> model, tokenizer::Tokenizer tok,
                                                      const EngineOptions& options);
  ~Engine();

  // Events for the request's sequences arrive on the engine thread, in order per sequence; the last
  // event of each sequence has `finish` set. The sink must not block.
  util::Result<int64_t, SubmitError> submit(GenerationRequest request, EventSink sink);
  // Finishes every sequence of the request with kCancelled at the next step and frees its blocks.
  void cancel(int64_t request_id);

  const tokenizer::Tokenizer& tokenizer() const { return tok_; }
  const model::ModelConfig& model_config() const { return model_->config(); }
  int32_t n_ctx() const { return n_ctx_; }
  std::string metrics_text() const { return metrics_.render(); }

 private:
  Engine(std::shared_ptr<model::Model> model, tokenizer::Tokenizer tok, const EngineOptions& options);
  util::Result<std::vector<std::unique_ptr<Sequence>>, SubmitError> make_sequences(
      const std::shared_ptr<RequestState>& req);
  util::Result<void, SubmitError> resolve_words(GenerationRequest& request) const;
  void loop();
  void step();
  void drop_cancelled();
  void score_prompt(Sequence& seq, const float* rows, int32_t first_pos, int32_t n_rows);
  void on_logits(Sequence& seq, const float* row);
  void advance(Sequence& seq, const float* row);
  void finish(Sequence& seq, FinishReason reason, GenerationEvent event);
  void publish_gauges();
  std::vector<TopLogprob> top_alternatives(std::span<const float> row, int32_t n, float norm) const;

  std::shared_ptr<model::Model> model_;
  tokenizer::Tokenizer tok_;
  EngineOptions opt_;
  int32_t n_ctx_;
  std::vector<int32_t> end_of_generation_ids_;
  OutputConstraintCompiler constraints_;  // response_format grammars, compiled on submit()
  util::ThreadPool pool_;
  model::KvCache cache_;
  Scheduler scheduler_;
  Metrics metrics_;
  std::vector<float> logits_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Sequence>> incoming_;
  std::unordered_set<int64_t> cancel_requests_;
  int64_t next_id_ = 1;
  std::atomic<int64_t> n_waiting_{0};  // sequences in the scheduler queue, for max_queue
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace mynah::engine
