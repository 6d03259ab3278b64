// StepCostModel: what an engine step costs, learned online from measured step times, and the prefill
// budget that follows from it. While sequences are decoding, a step may add only as many prompt
// tokens as keep it within `max_step_ratio` times a decode-only step, so a long prompt is prefilled in
// small chunks piggybacked on the decode steps instead of stalling every stream for a whole chunk
// (stall-free batching, Sarathi-Serve, Agrawal et al. 2024, arXiv:2403.02310). With nothing decoding
// prefill takes the whole step budget.
//
// Model: seconds = base + row * (n_decode + n_prefill) + prefill_extra * n_prefill, fitted by ridge
// least squares over the most recent decode-only steps and the most recent steps with prefill (kept
// in separate windows so that a long run of one kind never makes the other kind's cost forgotten).
// The ridge pulls prefill_extra towards 0: until the data says otherwise a prompt token costs what a
// decode row costs, which holds on CPUs where both are one pass of the activations over the weights.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace mynah::engine {

struct StepCostOptions {
  bool adaptive = true;             // false: prefill always gets the whole step budget
  double max_step_ratio = 2.0;      // a step with prefill costs at most this times a decode-only step
  int32_t min_prefill_tokens = 4;   // floor while decoding, so that prompts always progress
  int32_t window = 32;              // measurements kept per kind of step
};

// The rows of one step.
struct StepShape {
  int32_t n_decode = 0;   // sequences computing the one position of their last sampled token
  int32_t n_prefill = 0;  // prompt (or recompute) positions
};

// The fitted coefficients, in seconds.
struct StepCost {
  double base = 0.0;           // per step (weight streaming, thread wake-ups)
  double row = 0.0;            // per row, decode or prefill
  double prefill_extra = 0.0;  // per prefill row on top of `row` (attention over long prompts)

  double decode_step(int32_t n_decode) const { return base + row * n_decode; }
  double prefill_token() const { return row + prefill_extra; }
};

class StepCostModel {
 public:
  explicit StepCostModel(const StepCostOptions& options) : opt_(options) {}

  void observe(const StepShape& shape, double seconds);
  // The current fit; nullopt before any step with prefill was measured.
  std::optional<StepCost> fit() const;
  // Prefill tokens a step with `n_decode` decoding rows may add, at most `max_tokens`.
  int32_t prefill_budget(int32_t n_decode, int32_t max_tokens) const;
  const StepCostOptions& options() const { return opt_; }

 private:
  struct Sample {
    StepShape shape;
    double seconds;
  };
  StepCostOptions opt_;
  std::deque<Sample> decode_only_, with_prefill_;
};

}  // namespace mynah::engine
