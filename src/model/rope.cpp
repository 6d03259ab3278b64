// RopeAngles: theta = pos * base^(-2i/d), optionally interpolated (linear) or blended per YaRN ramp.
#include "model/rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace mynah::model {
namespace {

// Dimension index at which a rotation completes `n_rot` turns over the original context (YaRN).
float yarn_corr_dim(int32_t n_dims, int32_t n_ctx_orig, float n_rot, float base) {
  return static_cast<float>(n_dims) * std::log(static_cast<float>(n_ctx_orig) / (n_rot * 2.0f * std::numbers::pi_v<float>)) /
         (2.0f * std::log(base));
}

}  // namespace

RopeAngles::RopeAngles(const ModelConfig& c, std::optional<std::vector<float>> freq_factors) {
  const int32_t n_pairs = c.rope_dim / 2;
  inv_freq_.resize(n_pairs);
  for (int32_t i = 0; i < n_pairs; ++i) {
    float f = std::pow(c.rope_freq_base, -2.0f * static_cast<float>(i) / static_cast<float>(c.rope_dim));
    if (freq_factors && static_cast<size_t>(i) < freq_factors->size()) f /= (*freq_factors)[i];
    inv_freq_[i] = f;
  }
  if (c.rope_scaling != RopeScaling::kNone) freq_scale_ = 1.0f / c.rope_scaling_factor;
  if (c.rope_scaling == RopeScaling::kYarn) {
    ext_factor_ = 1.0f;
    constexpr float kBetaFast = 32.0f, kBetaSlow = 1.0f;
    const int32_t orig = c.rope_orig_ctx > 0 ? c.rope_orig_ctx : c.n_ctx_train;
    corr_low_ = std::max(0.0f, std::floor(yarn_corr_dim(c.rope_dim, orig, kBetaFast, c.rope_freq_base)));
    corr_high_ = std::min(static_cast<float>(c.rope_dim - 1),
                          std::ceil(yarn_corr_dim(c.rope_dim, orig, kBetaSlow, c.rope_freq_base)));
    mscale_ = 1.0f + 0.1f * std::log(1.0f / freq_scale_);
  }
}

void RopeAngles::angles(int32_t pos, float* cos, float* sin) const {
  for (int32_t i = 0; i < n_pairs(); ++i) {
    const float theta_extrap = static_cast<float>(pos) * inv_freq_[i];
    const float theta_interp = freq_scale_ * theta_extrap;
    float theta = theta_interp;
    if (ext_factor_ != 0.0f) {
      const float y = (static_cast<float>(i) - corr_low_) / std::max(0.001f, corr_high_ - corr_low_);
      const float ramp_mix = (1.0f - std::min(1.0f, std::max(0.0f, y))) * ext_factor_;
      theta = theta_interp * (1.0f - ramp_mix) + theta_extrap * ramp_mix;
    }
    cos[i] = std::cos(theta) * mscale_;
    sin[i] = std::sin(theta) * mscale_;
  }
}

}  // namespace mynah::model
