// OutputConstraint and its compiler: the engine's side of response_format. The grammar library does
// the work; this file maps the vendor-neutral ResponseFormat onto it and owns the process-wide cache.
#include "engine/output_constraint.h"

#include "grammar/constraint_cache.h"

namespace mynah::engine {
namespace {

// One cache for the process: entries are keyed by the TokenIndex too, and each entry keeps its index
// alive, so engines over different vocabularies never share (or dangle) an entry.
grammar::ConstraintCache& process_cache() {
  static grammar::ConstraintCache cache;
  return cache;
}

}  // namespace

OutputConstraint::OutputConstraint(std::shared_ptr<grammar::MaskCache> masks, std::vector<int32_t> eos_ids)
    : matcher_(masks, std::move(eos_ids)), mask_(masks->index().n_mask_words(), 0) {}

std::span<const uint64_t> OutputConstraint::fill_mask() {
  matcher_.fill_mask(mask_);
  return mask_;
}

const std::shared_ptr<const grammar::TokenIndex>& OutputConstraintCompiler::token_index() {
  std::call_once(index_once_, [&] { index_ = grammar::TokenIndex::from_tokenizer(tok_); });
  return index_;
}

util::Result<std::shared_ptr<grammar::MaskCache>> OutputConstraintCompiler::compile(const ResponseFormat& format) {
  grammar::ConstraintSpec spec;
  switch (format.kind) {
    case ResponseFormat::Kind::kNone:
      return std::shared_ptr<grammar::MaskCache>();
    case ResponseFormat::Kind::kJsonObject:
      spec.kind = grammar::ConstraintKind::kJsonObject;
      break;
    case ResponseFormat::Kind::kJsonSchema:
      spec.kind = grammar::ConstraintKind::kJsonSchema;
      spec.text = format.text;
      break;
    case ResponseFormat::Kind::kRegex:
      spec.kind = grammar::ConstraintKind::kRegex;
      spec.text = format.text;
      break;
  }
  auto masks = process_cache().masks_for(spec, token_index());
  if (!masks) {
    const char* what = format.kind == ResponseFormat::Kind::kRegex ? "regex" : "schema";
    return util::make_error("response_format: the {} cannot be enforced: {}", what, masks.error().message);
  }
  return std::move(masks).value();
}

}  // namespace mynah::engine
