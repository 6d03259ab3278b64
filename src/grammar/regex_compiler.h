// ECMA-262 regex subset -> ExprPool expression over the encoded bytes of the matched text.
// Supported: literals, escapes (\d \w \s and negations, \t \n \r \f \v \0 \xHH \uHHHH \u{H..}
// \cX, identity escapes), classes with ranges and negation, '.', groups ((?:) (?<n>) ()), '|',
// quantifiers (* + ? {n} {n,} {n,m}, lazy forms accepted: same language). '^' and '$' only at the
// start/end of a top-level alternative. Lookarounds, backreferences, \b and \p{..} are errors,
// because they cannot be enforced exactly by this machinery.
#pragma once

#include <string_view>

#include "grammar/codepoint_set.h"
#include "grammar/expr.h"
#include "util/status.h"

namespace mynah::grammar {

enum class RegexAnchoring : uint8_t {
  kSearch,     // JSON Schema `pattern`: unanchored search unless the pattern uses ^ / $
  kFullMatch,  // regex response format: the whole output must match
};

util::Result<ExprId> compile_regex(ExprPool& pool, std::string_view pattern, TextEncoding encoding,
                                   RegexAnchoring anchoring);

}  // namespace mynah::grammar
