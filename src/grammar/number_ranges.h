// Decimal numbers with bounds as regular expressions over their JSON spelling (no leading zeros).
// Integers: any int64 interval. Numbers: integer-valued bounds only, and no exponent when bounded
// (the exponent would make the comparison non-local); other bounds are refused by the caller.
#pragma once

#include <cstdint>
#include <optional>

#include "grammar/expr.h"

namespace mynah::grammar {

// -?(0|[1-9][0-9]*) restricted to lo..hi (inclusive; nullopt = unbounded).
ExprId integer_in_range(ExprPool& pool, std::optional<int64_t> lo, std::optional<int64_t> hi);

struct NumberBound {
  int64_t value;
  bool exclusive;
};

// JSON numbers (integer part, optional fraction; exponent only when both bounds are absent) in
// the interval given by integer-valued bounds.
ExprId number_in_range(ExprPool& pool, std::optional<NumberBound> lo, std::optional<NumberBound> hi);

}  // namespace mynah::grammar
