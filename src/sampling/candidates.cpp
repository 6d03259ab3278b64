// CandidateList: assignment, the allowed-token mask, compaction, weights and the inverse-CDF draw.
#include "sampling/candidates.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "sampling/row_ops.h"
#include "util/status.h"

namespace mynah::sampling {
namespace {

constexpr size_t kDrawBlock = 256;  // the draw skips whole blocks by their (vectorised) sum, then walks one

}  // namespace

void CandidateList::assign(std::span<const float> logits) {
  logits_.assign(logits.begin(), logits.end());
  ids_.clear();
  dense_ = true;
  has_weights_ = false;
  mass_ = 0.0;
}

void CandidateList::restrict_to(std::span<const uint64_t> allowed) {
  MYNAH_DCHECK(dense_);
  const size_t n = logits_.size();
  const size_t n_words = std::min((n + 63) / 64, allowed.size());
  size_t n_allowed = 0;
  for (size_t w = 0; w < n_words; ++w) n_allowed += static_cast<size_t>(std::popcount(allowed[w]));
  if (n_allowed * 2 < n) {
    // A grammar usually allows few tokens: gather them, O(n / 64 + n_allowed).
    if (kept_.size() < n_allowed) kept_.resize(n_allowed);
    size_t count = 0;
    for (size_t w = 0; w < n_words; ++w) {
      for (uint64_t bits = allowed[w]; bits != 0; bits &= bits - 1) {
        const size_t pos = w * 64 + static_cast<size_t>(std::countr_zero(bits));
        if (pos < n) kept_[count++] = static_cast<int32_t>(pos);
      }
    }
    keep_positions({kept_.data(), count});
    return;
  }
  // Most tokens allowed: mark the few others in place and stay dense.
  for (size_t w = 0; w < (n + 63) / 64; ++w) {
    for (uint64_t bits = w < allowed.size() ? ~allowed[w] : ~0ull; bits != 0; bits &= bits - 1) {
      const size_t pos = w * 64 + static_cast<size_t>(std::countr_zero(bits));
      if (pos < n) logits_[pos] = -INFINITY;
    }
  }
  has_weights_ = false;
}

std::span<float> CandidateList::mutable_logits() {
  has_weights_ = false;
  return logits_;
}

bool CandidateList::any_finite() const {
  // Exits at the first candidate in the usual case; a full scan only when (nearly) all are removed.
  return std::any_of(logits_.begin(), logits_.end(), [](float x) { return x > -INFINITY; });
}

float CandidateList::max_logit() const { return max_value(logits_); }

size_t CandidateList::argmax() const { return argmax_position(logits_); }

void CandidateList::compute_weights() {
  if (has_weights_) return;
  // weights_ never shrinks, so a vocabulary-sized row is zero-filled once per chain, not per step.
  if (weights_.size() < logits_.size()) weights_.resize(logits_.size());
  const std::span<float> w = mutable_weights();
  const float max = max_logit();
  if (max == -INFINITY) {
    std::fill(w.begin(), w.end(), 0.0f);
    mass_ = 0.0;
  } else {
    mass_ = exp_shifted(logits_, max, w);
  }
  has_weights_ = true;
}

void CandidateList::keep_positions(std::span<const int32_t> ascending_positions) {
  const size_t n = ascending_positions.size();
  // In place: the j-th kept position is >= j, so every read is ahead of every write.
  if (dense_) {
    ids_.assign(ascending_positions.begin(), ascending_positions.end());
  } else {
    for (size_t j = 0; j < n; ++j) ids_[j] = ids_[static_cast<size_t>(ascending_positions[j])];
    ids_.resize(n);
  }
  for (size_t j = 0; j < n; ++j) logits_[j] = logits_[static_cast<size_t>(ascending_positions[j])];
  logits_.resize(n);
  if (has_weights_) {
    for (size_t j = 0; j < n; ++j) weights_[j] = weights_[static_cast<size_t>(ascending_positions[j])];
    mass_ = sum(weights());
  }
  dense_ = false;
}

void CandidateList::keep_logits_at_least(float floor) { keep_at_least(logits_, floor); }

void CandidateList::keep_weights_at_least(float floor) {
  MYNAH_DCHECK(has_weights_ && floor > 0.0f);
  keep_at_least(weights(), floor);
}

void CandidateList::keep_at_least(std::span<const float> key, float floor) {
  const size_t n_keep = count_at_least(key, floor);
  if (n_keep == logits_.size()) return;
  // Past a quarter of the list, two fill passes cost less than moving the survivors.
  if (n_keep * 4 <= logits_.size()) {
    const std::span<int32_t> positions = scratch_positions();
    keep_positions(positions.first(positions_at_least(key, floor, positions)));
    return;
  }
  // Most survive (a flat distribution, a loose cutoff): mark the rest instead of moving everything.
  // The key is filled last, as it may be one of the two rows.
  if (has_weights_) {
    if (key.data() == weights_.data()) {
      fill_below(key, floor, logits_, -INFINITY);
      fill_below(key, floor, mutable_weights(), 0.0f);
    } else {
      fill_below(key, floor, mutable_weights(), 0.0f);
      fill_below(key, floor, logits_, -INFINITY);
    }
    mass_ = sum(weights());
  } else {
    fill_below(key, floor, logits_, -INFINITY);
  }
}

std::span<int32_t> CandidateList::scratch_positions() {
  if (kept_.size() < logits_.size()) kept_.resize(logits_.size());
  return {kept_.data(), logits_.size()};
}

void CandidateList::remove(size_t pos) {
  logits_[pos] = -INFINITY;
  if (has_weights_) {
    mass_ -= weights_[pos];
    weights_[pos] = 0.0f;
  }
}

size_t CandidateList::sample_position(double u) const {
  MYNAH_DCHECK(has_weights_ && mass_ > 0.0);
  const double target = u * mass_;
  const size_t n = logits_.size();
  double cumulative = 0.0;
  for (size_t begin = 0; begin < n; begin += kDrawBlock) {
    const size_t end = std::min(n, begin + kDrawBlock);
    const std::span<const float> block(weights_.data() + begin, end - begin);
    const double block_mass = sum(block);
    if (cumulative + block_mass <= target) {
      cumulative += block_mass;
      continue;
    }
    for (size_t pos = begin; pos < end; ++pos) {
      cumulative += weights_[pos];
      if (target < cumulative && weights_[pos] > 0.0f) return pos;
    }
  }
  // u landed in the rounding slack at the top: the last candidate that can be drawn.
  for (size_t pos = n; pos-- > 0;) {
    if (weights_[pos] > 0.0f) return pos;
  }
  return 0;
}

}  // namespace mynah::sampling
