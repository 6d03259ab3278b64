// Sequence: one continuation being generated, and RequestState: what its request shares among its
// sequences (event sink, options, cancellation). Owned by the engine thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "engine/generation_event.h"
#include "engine/generation_request.h"
#include "engine/output_constraint.h"
#include "engine/stop_matcher.h"
#include "sampling/sampler_chain.h"
#include "tokenizer/decode_stream.h"

namespace mynah::engine {

using Clock = std::chrono::steady_clock;
using EventSink = std::function<void(GenerationEvent)>;

struct RequestState {
  int64_t id = 0;
  GenerationRequest request;
  EventSink sink;
  std::atomic<bool> cancelled{false};
  Clock::time_point arrival;
  int32_t n_open = 0;  // sequences not yet finished
};

struct Sequence {
  std::shared_ptr<RequestState> req;
  int32_t prompt_idx = 0;
  int32_t seq_idx = 0;
  uint64_t seed = 0;

  std::vector<int32_t> tokens;  // prompt, then generated tokens
  int32_t n_prompt = 0;
  int32_t max_new = 0;          // generated tokens allowed (already fitted to the context)
  int32_t n_computed = 0;       // leading positions whose keys/values are in the cache
  int32_t n_cached_prompt = 0;  // prompt positions that came from the prefix cache
  std::vector<int32_t> blocks;  // KV block table
  int32_t n_published = 0;      // leading full blocks registered in the prefix cache
  uint64_t last_hash = 0;       // chain hash of those blocks
  bool prompt_scored = false;
  // Input embeddings replaced at prompt positions ([pos] -> values); such KV is not content-addressable
  // by token ids, so these sequences neither use nor feed the prefix cache.
  std::vector<EmbeddingOverride> embeddings;
  bool cacheable() const { return embeddings.empty(); }

  std::unique_ptr<sampling::SamplerChain> sampler;
  std::optional<tokenizer::DecodeStream> decoder;
  std::optional<StopMatcher> stop;
  // response_format: the sequence's position in its grammar. Advanced only on sampled tokens, so
  // recomputing the cache after preemption leaves it where it is.
  std::optional<OutputConstraint> constraint;
  // Continuations of the same prompt that start from this sequence's prefill (n > 1).
  std::vector<std::unique_ptr<Sequence>> followers;

  uint64_t admit_order = 0;  // when it (last) started running: preemption takes the newest
  Clock::time_point first_token_time{}, last_token_time{};
  bool queue_time_observed = false;

  int32_t n_generated() const { return static_cast<int32_t>(tokens.size()) - n_prompt; }
  // Positions still to compute before the next logits row (the last is the unfed sampled token).
  int32_t n_pending() const { return static_cast<int32_t>(tokens.size()) - n_computed; }
};

}  // namespace mynah::engine
