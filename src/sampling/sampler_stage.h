// One step of the sampler chain. Stages edit or narrow the candidate list; the draw at the end of the
// chain picks the token. A small abstract class (STYLE.md: no hand-written C vtables).
#pragma once

#include <cstddef>
#include <string_view>

#include "sampling/candidates.h"
#include "sampling/rng.h"
#include "sampling/token_history.h"

namespace mynah::sampling {

// What a stage may read besides the candidates: the sequence's tokens and its random stream.
struct StageContext {
  const TokenHistory& history;
  Rng& rng;
};

class SamplerStage {
 public:
  virtual ~SamplerStage() = default;
  virtual std::string_view name() const = 0;
  virtual void apply(CandidateList& candidates, const StageContext& context) = 0;
  // Called after every draw with the list the token was drawn from and its position there; stateful
  // stages (mirostat) update here. Most stages keep no state.
  virtual void accept(const CandidateList& candidates, size_t chosen_pos) {}
};

}  // namespace mynah::sampling
