// StepCostModel: windowed ridge least squares over three coefficients, solved in closed form.
#include "engine/step_cost_model.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace mynah::engine {
namespace {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;

// Ridge weights per coefficient (base, row, prefill_extra), against squared seconds of residual.
// All are far below what a window of varied steps carries, so they decide only directions the data
// leaves open: when every step has had the same number of decoders, base and row trade off against
// prefill_extra, and the much larger third weight settles that as "a prompt token costs what a decode
// row does" rather than by noise.
constexpr Vec3 kRidge = {1e-9, 1e-9, 1e-2};

// Solves m x = rhs by Gaussian elimination with partial pivoting; m is positive definite here.
Vec3 solve(Mat3 m, Vec3 rhs) {
  for (int col = 0; col < 3; ++col) {
    int pivot = col;
    for (int r = col + 1; r < 3; ++r) {
      if (std::abs(m[r][col]) > std::abs(m[pivot][col])) pivot = r;
    }
    std::swap(m[col], m[pivot]);
    std::swap(rhs[col], rhs[pivot]);
    for (int r = col + 1; r < 3; ++r) {
      const double f = m[r][col] / m[col][col];
      for (int c = col; c < 3; ++c) m[r][c] -= f * m[col][c];
      rhs[r] -= f * rhs[col];
    }
  }
  Vec3 x = {0.0, 0.0, 0.0};
  for (int r = 2; r >= 0; --r) {
    double s = rhs[r];
    for (int c = r + 1; c < 3; ++c) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

}  // namespace

void StepCostModel::observe(const StepShape& shape, double seconds) {
  if (shape.n_decode + shape.n_prefill == 0 || !(seconds >= 0.0) || !std::isfinite(seconds)) return;
  auto& window = shape.n_prefill == 0 ? decode_only_ : with_prefill_;
  window.push_back({shape, seconds});
  while (static_cast<int32_t>(window.size()) > std::max(opt_.window, 1)) window.pop_front();
}

std::optional<StepCost> StepCostModel::fit() const {
  if (with_prefill_.empty()) return std::nullopt;
  Mat3 m{};
  Vec3 rhs{};
  auto add = [&](const Sample& s) {
    const Vec3 x = {1.0, static_cast<double>(s.shape.n_decode + s.shape.n_prefill), static_cast<double>(s.shape.n_prefill)};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r][c] += x[r] * x[c];
      rhs[r] += x[r] * s.seconds;
    }
  };
  for (const Sample& s : decode_only_) add(s);
  for (const Sample& s : with_prefill_) add(s);
  for (int i = 0; i < 3; ++i) m[i][i] += kRidge[i];
  const Vec3 x = solve(m, rhs);
  return StepCost{x[0], x[1], x[2]};
}

int32_t StepCostModel::prefill_budget(int32_t n_decode, int32_t max_tokens) const {
  if (!opt_.adaptive || n_decode == 0) return max_tokens;
  const int32_t floor = std::min(std::max(opt_.min_prefill_tokens, 1), max_tokens);
  const auto cost = fit();
  // Nothing learned yet: a small first chunk is cheap and teaches the model what prefill costs.
  if (!cost) return floor;
  const double decode_step = cost->decode_step(n_decode);
  const double token = cost->prefill_token();
  if (!(decode_step > 0.0) || !(token > 0.0)) return floor;
  const double allowed = (opt_.max_step_ratio - 1.0) * decode_step / token;
  if (!(allowed < static_cast<double>(max_tokens))) return max_tokens;
  return std::max(floor, static_cast<int32_t>(allowed));
}

}  // namespace mynah::engine
