// TemperatureStage: one multiply per candidate; the order of candidates is unchanged.
#include "sampling/temperature.h"

#include "util/status.h"

namespace mynah::sampling {

void TemperatureStage::apply(CandidateList& candidates, const StageContext& context) {
  MYNAH_DCHECK(temperature_ > 0.0f);
  const float inv = 1.0f / temperature_;
  for (float& logit : candidates.mutable_logits()) logit *= inv;
}

}  // namespace mynah::sampling
