// The working set a sampler chain narrows down: candidate token ids in increasing id order, their
// logits and, once a stage needs them, unnormalised probabilities ("weights") and their sum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mynah::sampling {

// Starts dense (every vocabulary id, ids implicit, so logit edits by id are O(1) and nothing is
// copied but the logits) and becomes sparse at the first compaction. Staying in id order makes the
// seeded draw independent of how a stage selected its survivors. A candidate is removed either by
// compaction or by marking it: logit -inf, weight 0.
class CandidateList {
 public:
  // Every id of a logits row ([n_vocab]); the list is dense.
  void assign(std::span<const float> logits);
  // Removes the ids whose bit is clear in `allowed` (bit i of allowed[i / 64]); ids past the end of
  // the mask count as clear. Requires dense().
  void restrict_to(std::span<const uint64_t> allowed);

  size_t size() const { return logits_.size(); }
  bool dense() const { return dense_; }
  int32_t id(size_t pos) const { return dense_ ? static_cast<int32_t>(pos) : ids_[pos]; }
  std::span<const float> logits() const { return logits_; }
  // For stages that edit logits in place (indexed by id while dense()); invalidates the weights.
  std::span<float> mutable_logits();

  bool any_finite() const;
  float max_logit() const;
  // Position of the largest logit, the lowest on ties. Requires size() > 0.
  size_t argmax() const;

  // weights()[pos] = exp(logit - max_logit()); computed at most once between logit edits.
  void compute_weights();
  bool has_weights() const { return has_weights_; }
  std::span<const float> weights() const {  // empty until compute_weights()
    return has_weights_ ? std::span<const float>(weights_.data(), logits_.size()) : std::span<const float>();
  }
  double mass() const { return mass_; }  // sum of weights()

  // Keeps the candidates at `ascending_positions` (strictly increasing), in order; weights follow.
  void keep_positions(std::span<const int32_t> ascending_positions);
  // Keeps the candidates with logit >= floor: compacts when few survive, else marks the others
  // removed in place. Vectorised either way: a truncation costs about two passes over the list.
  void keep_logits_at_least(float floor);
  // The same on weights (floor > 0, so removed candidates go too). Requires weights.
  void keep_weights_at_least(float floor);
  // Marks one candidate removed without moving the others.
  void remove(size_t pos);

  // size() ints a stage may use as scratch (positions_at_least's output row), shared so each chain
  // holds one such row, not one per stage. Overwritten by restrict_to and the keep_*_at_least calls.
  std::span<int32_t> scratch_positions();

  // Inverse-CDF draw over the weights in list (id) order, u in [0, 1). Requires weights and mass() > 0.
  size_t sample_position(double u) const;

 private:
  std::span<float> mutable_weights() { return {weights_.data(), logits_.size()}; }
  void keep_at_least(std::span<const float> key, float floor);

  std::vector<float> logits_;   // [size()] in id order; a copy of the row while dense
  std::vector<int32_t> ids_;    // [size()] once sparse; empty while dense
  std::vector<float> weights_;  // [>= size()], first size() valid when has_weights_
  std::vector<int32_t> kept_;   // scratch positions for keep_at_least and restrict_to; only grows
  double mass_ = 0.0;
  bool dense_ = true;
  bool has_weights_ = false;
};

}  // namespace mynah::sampling
