// Rotary position angles for one model: per position, cos/sin of each rotated pair, including
// linear scaling, YaRN (arXiv:2309.00071, as ggml computes it) and per-pair frequency factors.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/model_config.h"

namespace mynah::model {

class RopeAngles {
 public:
  // freq_factors: optional per-pair divisors of the frequency (GGUF tensor rope_freqs.weight, Llama 3.1).
  RopeAngles(const ModelConfig& config, std::optional<std::vector<float>> freq_factors);

  // Fills cos/sin ([rope_dim / 2] each) for position `pos`.
  void angles(int32_t pos, float* cos, float* sin) const;
  int32_t n_pairs() const { return static_cast<int32_t>(inv_freq_.size()); }

 private:
  std::vector<float> inv_freq_;  // base^(-2i/rope_dim) / freq_factor[i]
  float freq_scale_ = 1.0f;      // 1 / linear or YaRN factor
  float ext_factor_ = 0.0f;      // YaRN extrapolation mix (0: off)
  float mscale_ = 1.0f;          // YaRN magnitude scaling
  float corr_low_ = 0.0f, corr_high_ = 0.0f;
};

}  // namespace mynah::model
