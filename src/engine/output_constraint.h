// Constrained decoding for a request's ResponseFormat. OutputConstraintCompiler (one per engine)
// compiles formats at submit time, on the caller's thread, so a schema the grammar compiler rejects
// comes back as a submit error (a 400), never as unconstrained generation. OutputConstraint (one per
// sequence) holds the sequence's position in the grammar and its allowed-token mask.
//
//   auto grammar = compiler.compile(request.response_format);        // submit: cached per schema text
//   seq.constraint.emplace(*grammar, eos_ids);                       // per sequence
//   sampler.sample(logits, history, seq.constraint->fill_mask());    // each step, then
//   seq.constraint->accept(token);  if (seq.constraint->must_end()) finish(kStop);
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "engine/generation_request.h"
#include "grammar/mask_cache.h"
#include "grammar/matcher.h"
#include "grammar/token_index.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace mynah::engine {

// One sequence's constraint. Copyable (a copy continues independently). Advances only on sampled
// tokens: recomputing the KV cache after preemption feeds tokens the matcher has already seen, and
// must not call accept() again.
class OutputConstraint {
 public:
  // `eos_ids`: the tokens that end generation (end-of-generation ids and the request's stop tokens);
  // the mask allows them exactly when the output so far is a complete value.
  OutputConstraint(std::shared_ptr<grammar::MaskCache> masks, std::vector<int32_t> eos_ids);

  // The tokens that keep the output a valid prefix: bit i of word i / 64 set = token i allowed
  // ([ceil(n_vocab / 64)] words, owned here and valid until the next call).
  std::span<const uint64_t> fill_mask();
  // Advances past a sampled token; false if the token breaks the constraint (then nothing changes).
  bool accept(int32_t token) { return matcher_.accept_token(token); }
  // The output is a complete value that nothing can extend: the sequence must end now.
  bool must_end() const { return matcher_.must_end(); }
  // The output so far is a complete value (stopping here leaves it valid).
  bool is_complete() const { return matcher_.is_complete() || matcher_.ended(); }

 private:
  grammar::Matcher matcher_;
  std::vector<uint64_t> mask_;  // [ceil(n_vocab / 64)]
};

class OutputConstraintCompiler {
 public:
  // `tok` must outlive this object (the engine owns both).
  explicit OutputConstraintCompiler(const tokenizer::Tokenizer& tok) : tok_(tok) {}

  // The compiled grammar and its token-mask cache for `format`; nullptr for ResponseFormat::kNone.
  // Errors start with "response_format" and carry the compiler's message (keyword and JSON pointer).
  // Thread-safe: compiled formats are shared by every engine in the process, keyed by format text
  // and vocabulary, so a schema sent with every request compiles once.
  util::Result<std::shared_ptr<grammar::MaskCache>> compile(const ResponseFormat& format);

 private:
  // The vocabulary's token bytes and trie, built on the first constrained request (not at start-up:
  // servers that never see response_format never pay for it).
  const std::shared_ptr<const grammar::TokenIndex>& token_index();

  const tokenizer::Tokenizer& tok_;
  std::once_flag index_once_;
  std::shared_ptr<const grammar::TokenIndex> index_;
};

}  // namespace mynah::engine
