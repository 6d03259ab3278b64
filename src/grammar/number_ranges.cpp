// Range-to-regex: split [a, b] by digit count, then digit by digit (the classic construction
// behind e.g. llguidance's and xgrammar's integer ranges).
#include "grammar/number_ranges.h"

#include <string>
#include <vector>

namespace mynah::grammar {
namespace {

ExprId digit_range(ExprPool& pool, char lo, char hi) {
  return pool.byte_range(static_cast<uint8_t>(lo), static_cast<uint8_t>(hi));
}

// Same-length digit strings x <= y.
ExprId same_length(ExprPool& pool, const std::string& x, const std::string& y) {
  if (x.empty()) return pool.empty();
  if (x.size() == 1) return digit_range(pool, x[0], y[0]);
  // 0..0 to 9..9 is any L digits; without this shortcut the recursion below doubles per digit.
  if (x.find_first_not_of('0') == std::string::npos && y.find_first_not_of('9') == std::string::npos) {
    const auto n = static_cast<int32_t>(x.size());
    return pool.repeat(digit_range(pool, '0', '9'), n, n);
  }
  const std::string xr = x.substr(1);
  const std::string yr = y.substr(1);
  if (x[0] == y[0]) return pool.seq({digit_range(pool, x[0], x[0]), same_length(pool, xr, yr)});
  std::vector<ExprId> alts;
  alts.push_back(pool.seq({digit_range(pool, x[0], x[0]), same_length(pool, xr, std::string(xr.size(), '9'))}));
  if (y[0] - x[0] > 1) {
    alts.push_back(pool.seq({digit_range(pool, static_cast<char>(x[0] + 1), static_cast<char>(y[0] - 1)),
                             pool.repeat(digit_range(pool, '0', '9'), static_cast<int32_t>(xr.size()),
                                         static_cast<int32_t>(xr.size()))}));
  }
  alts.push_back(pool.seq({digit_range(pool, y[0], y[0]), same_length(pool, std::string(yr.size(), '0'), yr)}));
  return pool.alt(std::move(alts));
}

uint64_t pow10(size_t n) {
  uint64_t v = 1;
  for (size_t i = 0; i < n; ++i) v *= 10;
  return v;
}

// Non-negative integers a..b (b nullopt = unbounded), canonical spelling.
ExprId natural_in_range(ExprPool& pool, uint64_t a, std::optional<uint64_t> b) {
  if (b && *b < a) return pool.nothing();
  std::vector<ExprId> alts;
  const size_t la = std::to_string(a).size();
  const size_t lb = b ? std::to_string(*b).size() : 19;
  for (size_t len = la; len <= lb; ++len) {
    const uint64_t lo = std::max<uint64_t>(a, len == 1 ? 0 : pow10(len - 1));
    const uint64_t hi = (b && len == lb) ? *b : pow10(len) - 1;
    if (lo > hi) continue;
    alts.push_back(same_length(pool, std::to_string(lo), std::to_string(hi)));
  }
  if (!b) {  // 20 digits and more: beyond int64, all above any int64 lower bound
    alts.push_back(pool.seq({digit_range(pool, '1', '9'), pool.repeat(digit_range(pool, '0', '9'), 19, -1)}));
  }
  return pool.alt(std::move(alts));
}

ExprId any_fraction(ExprPool& pool) {
  return pool.optional(pool.seq({pool.literal("."), pool.repeat(digit_range(pool, '0', '9'), 1, -1)}));
}
ExprId zero_fraction(ExprPool& pool) {
  return pool.optional(pool.seq({pool.literal("."), pool.repeat(digit_range(pool, '0', '0'), 1, -1)}));
}
ExprId nonzero_fraction(ExprPool& pool) {
  return pool.seq({pool.literal("."), pool.star(digit_range(pool, '0', '0')), digit_range(pool, '1', '9'),
                   pool.star(digit_range(pool, '0', '9'))});
}

// Non-negative decimals I(.F)? in the interval; lo.value >= 0 is assumed (callers clamp).
ExprId nonneg_decimal(ExprPool& pool, NumberBound lo, std::optional<NumberBound> hi) {
  std::vector<ExprId> alts;
  const uint64_t lo_v = static_cast<uint64_t>(lo.value);
  // Integer parts whose every fraction is inside: lo (incl) or lo+1 (excl) .. hi-1.
  const uint64_t any_lo = lo.exclusive ? lo_v + 1 : lo_v;
  std::optional<uint64_t> any_hi;
  if (hi) {
    if (hi->value <= 0) {
      any_hi.reset();
    } else {
      any_hi = static_cast<uint64_t>(hi->value) - 1;
    }
  }
  if (!hi || (hi->value > 0 && any_lo <= *any_hi)) {
    alts.push_back(pool.seq({natural_in_range(pool, any_lo, any_hi), any_fraction(pool)}));
  }
  // lo exclusive: lo.F with F non-zero, if that stays below hi.
  if (lo.exclusive && (!hi || lo.value < hi->value)) {
    alts.push_back(pool.seq({pool.literal(std::to_string(lo_v)), nonzero_fraction(pool)}));
  }
  // hi inclusive: exactly hi (zero fraction), if hi satisfies the lower bound.
  if (hi && !hi->exclusive && hi->value >= 0 && (lo.exclusive ? hi->value > lo.value : hi->value >= lo.value)) {
    alts.push_back(pool.seq({pool.literal(std::to_string(hi->value)), zero_fraction(pool)}));
  }
  return pool.alt(std::move(alts));
}

}  // namespace

ExprId integer_in_range(ExprPool& pool, std::optional<int64_t> lo, std::optional<int64_t> hi) {
  std::vector<ExprId> alts;
  // Non-negative part.
  if (!hi || *hi >= 0) {
    const uint64_t a = lo && *lo > 0 ? static_cast<uint64_t>(*lo) : 0;
    std::optional<uint64_t> b;
    if (hi) b = static_cast<uint64_t>(*hi);
    alts.push_back(natural_in_range(pool, a, b));
  }
  // Negative part: -n with n in max(1, -hi) .. -lo.
  if (!lo || *lo < 0) {
    const uint64_t a = hi && *hi < 0 ? static_cast<uint64_t>(-(*hi + 1)) + 1 : 1;
    std::optional<uint64_t> b;
    if (lo) b = static_cast<uint64_t>(-(*lo + 1)) + 1;
    alts.push_back(pool.seq({pool.literal("-"), natural_in_range(pool, a, b)}));
  }
  return pool.alt(std::move(alts));
}

ExprId number_in_range(ExprPool& pool, std::optional<NumberBound> lo, std::optional<NumberBound> hi) {
  if (!lo && !hi) {
    const ExprId digits = pool.repeat(digit_range(pool, '0', '9'), 1, -1);
    const ExprId exponent =
        pool.optional(pool.seq({pool.byte_class({{'E', 'E'}, {'e', 'e'}}), pool.optional(pool.byte_class({{'+', '+'}, {'-', '-'}})),
                                digits}));
    return pool.seq({pool.optional(pool.literal("-")), natural_in_range(pool, 0, std::nullopt), any_fraction(pool),
                     exponent});
  }
  std::vector<ExprId> alts;
  // Non-negative numbers x >= 0 with the bounds clamped.
  if (!hi || hi->value > 0 || (hi->value == 0 && !hi->exclusive)) {
    NumberBound l{0, false};
    if (lo && lo->value >= 0) l = *lo;
    alts.push_back(nonneg_decimal(pool, l, hi));
  }
  // Negative numbers x = -y, y > 0: bounds on y are the negated, swapped bounds.
  if (!lo || lo->value < 0) {
    NumberBound l{0, true};
    if (hi && hi->value < 0) l = NumberBound{-hi->value, hi->exclusive};
    std::optional<NumberBound> h;
    if (lo) h = NumberBound{-lo->value, lo->exclusive};
    alts.push_back(pool.seq({pool.literal("-"), nonneg_decimal(pool, l, h)}));
  }
  return pool.alt(std::move(alts));
}

}  // namespace mynah::grammar
