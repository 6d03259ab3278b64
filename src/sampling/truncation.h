// Truncation stages: each keeps a head of the distribution in rank order (probability descending,
// then lower id) and always keeps at least one candidate. top-k by count, top-p by mass, min-p by
// ratio to the most likely token.
#pragma once

#include <cstdint>
#include <vector>

#include "sampling/sampler_stage.h"
#include "sampling/top_n.h"

namespace mynah::sampling {

// Keeps the k most likely candidates (Fan et al. 2018, arXiv:1805.04833). Partial selection, no sort.
class TopKStage final : public SamplerStage {
 public:
  explicit TopKStage(int32_t k) : k_(k) {}
  std::string_view name() const override { return "top_k"; }
  void apply(CandidateList& candidates, const StageContext& context) override;

 private:
  int32_t k_;
  std::vector<RankedValue> ranked_;  // scratch
  std::vector<int32_t> positions_;   // scratch
};

// Nucleus sampling (Holtzman et al. 2019, arXiv:1904.09751): keeps the smallest head whose
// probability mass reaches p (ties at the cut broken by lower id).
class TopPStage final : public SamplerStage {
 public:
  explicit TopPStage(float p) : p_(p) {}
  std::string_view name() const override { return "top_p"; }
  void apply(CandidateList& candidates, const StageContext& context) override;

  struct Entry {
    float logit;
    int32_t pos;
    float weight;
  };

 private:
  float p_;
  std::vector<Entry> scratch_;
};

// min-p (Nguyen et al. 2024, arXiv:2407.01082): keeps candidates with p >= min_p * p_max. Needs only
// the max logit (p / p_max = exp(logit - max)), so it never normalises.
class MinPStage final : public SamplerStage {
 public:
  explicit MinPStage(float min_p) : min_p_(min_p) {}
  std::string_view name() const override { return "min_p"; }
  void apply(CandidateList& candidates, const StageContext& context) override;

 private:
  float min_p_;
};

}  // namespace mynah::sampling
