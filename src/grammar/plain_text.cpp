// The plain-text DFA: ASCII 0x20..0x7F minus '"' and '\', plus the well-formed UTF-8 sequences of
// RFC 3629 table 3-7 (no overlongs, no surrogates, nothing above U+10FFFF).
#include "grammar/plain_text.h"

#include <array>
#include <vector>

namespace mynah::grammar {
namespace {

// States: 0 boundary; 1..3 need that many continuation bytes; 4 after E0 (A0-BF next); 5 after
// ED (80-9F next); 6 after F0 (90-BF next); 7 after F4 (80-8F next).
const std::array<std::vector<PlainTextRange>, kPlainTextStates>& table() {
  static const std::array<std::vector<PlainTextRange>, kPlainTextStates> t = {{
      {{0x20, 0x21, 0}, {0x23, 0x5B, 0}, {0x5D, 0x7F, 0}, {0xC2, 0xDF, 1}, {0xE0, 0xE0, 4}, {0xE1, 0xEC, 2},
       {0xED, 0xED, 5}, {0xEE, 0xEF, 2}, {0xF0, 0xF0, 6}, {0xF1, 0xF3, 3}, {0xF4, 0xF4, 7}},
      {{0x80, 0xBF, 0}},
      {{0x80, 0xBF, 1}},
      {{0x80, 0xBF, 2}},
      {{0xA0, 0xBF, 1}},
      {{0x80, 0x9F, 1}},
      {{0x90, 0xBF, 2}},
      {{0x80, 0x8F, 2}},
  }};
  return t;
}

}  // namespace

std::span<const PlainTextRange> plain_text_transitions(int u) { return table()[static_cast<size_t>(u)]; }

int plain_text_next(int u, uint8_t b) {
  for (const PlainTextRange& r : table()[static_cast<size_t>(u)]) {
    if (b < r.lo) return -1;
    if (b <= r.hi) return r.target;
  }
  return -1;
}

}  // namespace mynah::grammar
