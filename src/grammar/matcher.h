// Matcher: one sequence's position in a constraint. The engine calls fill_mask before sampling
// each token and accept_token after; copying a Matcher forks the sequence (n > 1).
//
//   grammar::ConstraintCache cache;                                   // one per server
//   auto index = grammar::TokenIndex::from_tokenizer(tok);            // one per vocabulary
//   auto masks = cache.masks_for(spec, index);                        // compiled once per schema
//   grammar::Matcher m(*masks, eos_ids);                             // per sequence
//   m.fill_mask(allowed);  sampler.sample(logits, history, allowed);  m.accept_token(id);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "grammar/mask_cache.h"
#include "grammar/stack_set.h"

namespace mynah::grammar {

class Matcher {
 public:
  // `eos_ids`: tokens that end generation; the mask allows them exactly when is_complete().
  Matcher(std::shared_ptr<MaskCache> masks, std::vector<int32_t> eos_ids);

  // allowed.size() must be at least ceil(n_vocab / 64); bit i of allowed[i / 64] is set when
  // token i keeps the output a valid prefix. Words beyond the vocabulary are cleared too.
  void fill_mask(std::span<uint64_t> allowed);
  // False (and no state change) when the token is not allowed. An EOS id is accepted only when
  // the value is complete, and ends the matcher (nothing is allowed afterwards).
  bool accept_token(int32_t id);
  // Same for raw bytes (tests, fast-forwarding); false leaves the state unchanged.
  bool accept_bytes(std::string_view bytes);

  // The output so far is a complete value (EOS may follow).
  bool is_complete() const { return config_.complete && !ended_; }
  // Nothing but EOS can follow (the value is complete and cannot be extended).
  bool must_end() const { return config_.complete && config_.heads.empty(); }
  bool ended() const { return ended_; }

 private:
  std::shared_ptr<MaskCache> masks_;
  std::vector<int32_t> eos_ids_;
  StackSet stacks_;
  Configuration config_;
  bool ended_ = false;
  size_t compact_at_ = size_t{1} << 16;
};

}  // namespace mynah::grammar
