// Helpers shared by the sampling tests: logits from probabilities, probabilities out of a candidate
// list, and a stage context over a fixed history.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "sampling/candidates.h"
#include "sampling/rng.h"
#include "sampling/sampler_stage.h"
#include "sampling/token_history.h"

namespace mynah::sampling::testing {

// log p per token; p = 0 gives -inf.
inline std::vector<float> logits_for(const std::vector<float>& probs) {
  std::vector<float> out;
  for (float p : probs) out.push_back(p > 0.0f ? std::log(p) : -INFINITY);
  return out;
}

inline CandidateList candidates_for(const std::vector<float>& probs) {
  CandidateList c;
  c.assign(logits_for(probs));
  return c;
}

// id -> probability over the candidates that can still be drawn (weight > 0).
inline std::map<int32_t, float> probs_of(CandidateList& c) {
  c.compute_weights();
  std::map<int32_t, float> out;
  for (size_t pos = 0; pos < c.size(); ++pos) {
    if (c.weights()[pos] > 0.0f) out[c.id(pos)] = static_cast<float>(c.weights()[pos] / c.mass());
  }
  return out;
}

// Ids whose logit is -inf (removed or banned) in a dense list.
inline std::vector<int32_t> banned_ids(const CandidateList& c) {
  std::vector<int32_t> out;
  for (size_t pos = 0; pos < c.size(); ++pos) {
    if (c.logits()[pos] == -INFINITY) out.push_back(c.id(pos));
  }
  return out;
}

// A StageContext with its own history storage and Rng.
struct Context {
  std::vector<int32_t> prompt;
  std::vector<int32_t> generated;
  Rng rng{0};
  TokenHistory history() const { return {prompt, generated}; }
  template <class Stage>
  void apply(Stage& stage, CandidateList& c) {
    const TokenHistory h = history();
    stage.apply(c, StageContext{h, rng});
  }
};

}  // namespace mynah::sampling::testing
