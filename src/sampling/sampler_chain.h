// The per-sequence sampler: the stages a request turns on, in one fixed order, then a seeded draw.
//
// Order (a stage that is off is not constructed and costs nothing):
//   1. logit_bias     additive bias by token id, on the raw logits
//   2. banned_tokens  banned ids and sequences, no-repeat n-grams, EOS/stop ids before min_new_tokens,
//                     EOS under ignore_eos: logit = -inf
//   3. penalties      repetition (CTRL, multiplicative), then presence/frequency (additive)
//      -- allowed-token mask (grammar), if given: tokens outside it are removed --
//   -- greedy (temperature 0) stops here: argmax over what is left --
//   4. temperature    logits / T
//   5. top_k          } truncation; skipped when mirostat is on, which replaces them
//   6. top_p          }
//   7. min_p          }
//   8. xtc            with probability xtc.probability, drop all top choices but the least likely
//   9. mirostat       keep surprise <= mu; mu updated after the draw
//  10. draw           inverse CDF in id order with the sequence's Rng
// Stages 1-3 edit the dense logits row by id and need the history; 4-9 see only candidates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sampling/candidates.h"
#include "sampling/rng.h"
#include "sampling/sampler_stage.h"
#include "sampling/sampling_params.h"
#include "sampling/token_history.h"

namespace mynah::sampling {

// One per sequence: holds the Rng, mirostat's mu, the penalty counts and scratch rows reused across
// steps (about 20 bytes per vocabulary entry, 2.5 MB at 128k, allocated on first use). A step draws
// one uniform for XTC when it is on and one for the draw; greedy draws none. Movable, not copyable.
class SamplerChain {
 public:
  explicit SamplerChain(const SamplingParams& params);

  // Picks the next token from a row of logits ([n_vocab]). `history` must be this sequence's and only
  // grow between calls (the penalty counts are incremental; anything else is recounted). `allowed`:
  // an optional bitmask over the vocabulary from a grammar (bit i of allowed[i / 64] set = token i
  // allowed; ids past its end are not); empty = no constraint. Returns nullopt when no token can be
  // drawn (all banned, masked out or -inf): the engine ends the sequence. Logits must not be NaN or +inf.
  std::optional<int32_t> sample(std::span<const float> logits, const TokenHistory& history,
                                std::span<const uint64_t> allowed = {});

  // For callers that track no history and pass no mask (CLI, golden tests): history-based rules see an
  // empty history. If nothing can be drawn it falls back to argmax of the raw logits, so callers
  // that ban tokens should use the overload above.
  int32_t sample(std::span<const float> logits);

  // Names of the active stages, in order (for logs and tests).
  std::vector<std::string_view> stage_names() const;

 private:
  bool greedy_;
  std::vector<std::unique_ptr<SamplerStage>> logit_stages_;     // 1-3: run for greedy too
  std::vector<std::unique_ptr<SamplerStage>> sampling_stages_;  // 4-9
  Rng rng_;
  CandidateList candidates_;
};

// Index of the largest logit; ties go to the lowest id. 0 for an empty row.
int32_t argmax(std::span<const float> logits);

}  // namespace mynah::sampling
