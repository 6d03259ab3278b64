// Code point ranges to byte-level expressions. The UTF-8 split follows the classic approach (as
// in RE2 and Rust's utf8-ranges): cut a range until every piece shares all but a suffix of
// continuation bytes, then each piece is a sequence of byte ranges.
#include "grammar/codepoint_set.h"

#include <algorithm>
#include <string>

namespace mynah::grammar {
namespace {

constexpr uint32_t kMaxCodepoint = 0x10FFFF;

int utf8_length(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

void utf8_encode(uint32_t cp, uint8_t* out) {
  switch (utf8_length(cp)) {
    case 1: out[0] = static_cast<uint8_t>(cp); break;
    case 2:
      out[0] = static_cast<uint8_t>(0xC0 | (cp >> 6));
      out[1] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
      break;
    case 3:
      out[0] = static_cast<uint8_t>(0xE0 | (cp >> 12));
      out[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
      out[2] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
      break;
    default:
      out[0] = static_cast<uint8_t>(0xF0 | (cp >> 18));
      out[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F));
      out[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
      out[3] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
  }
}

// lo..hi have the same UTF-8 length here.
void utf8_split(ExprPool& pool, uint32_t lo, uint32_t hi, std::vector<ExprId>& out) {
  const int n = utf8_length(lo);
  for (int i = 1; i < n; ++i) {
    const uint32_t m = (1u << (6 * i)) - 1;
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        utf8_split(pool, lo, lo | m, out);
        utf8_split(pool, (lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) != m) {
        utf8_split(pool, lo, (hi & ~m) - 1, out);
        utf8_split(pool, hi & ~m, hi, out);
        return;
      }
    }
  }
  uint8_t a[4] = {0, 0, 0, 0};
  uint8_t b[4] = {0, 0, 0, 0};
  utf8_encode(lo, a);
  utf8_encode(hi, b);
  std::vector<ExprId> parts;
  for (int i = 0; i < n; ++i) parts.push_back(pool.byte_range(a[i], b[i]));
  out.push_back(pool.seq(std::move(parts)));
}

void utf8_ranges(ExprPool& pool, uint32_t lo, uint32_t hi, std::vector<ExprId>& out) {
  static constexpr uint32_t kBounds[] = {0x7F, 0x7FF, 0xFFFF, kMaxCodepoint};
  for (uint32_t bound : kBounds) {
    if (lo > hi) return;
    if (lo <= bound) {
      const uint32_t top = std::min(hi, bound);
      utf8_split(pool, lo, top, out);
      lo = top + 1;
    }
  }
}

std::string json_escape(uint32_t cp) {
  switch (cp) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      return std::string("\\u00") + kHex[cp >> 4] + kHex[cp & 15];
    }
  }
}

}  // namespace

CodepointSet CodepointSet::all() {
  CodepointSet s;
  s.add(0, kMaxCodepoint);
  return s;
}

CodepointSet CodepointSet::of(uint32_t lo, uint32_t hi) {
  CodepointSet s;
  s.add(lo, hi);
  return s;
}

void CodepointSet::add(uint32_t lo, uint32_t hi) {
  if (lo > hi) return;
  ranges_.push_back({lo, std::min(hi, kMaxCodepoint)});
  normalize();
}

void CodepointSet::add(const CodepointSet& other) {
  ranges_.insert(ranges_.end(), other.ranges_.begin(), other.ranges_.end());
  normalize();
}

void CodepointSet::normalize() {
  std::vector<CodepointRange> split;
  for (const CodepointRange& r : ranges_) {  // cut out surrogates
    if (r.hi < 0xD800 || r.lo > 0xDFFF) {
      split.push_back(r);
      continue;
    }
    if (r.lo < 0xD800) split.push_back({r.lo, 0xD7FF});
    if (r.hi > 0xDFFF) split.push_back({0xE000, r.hi});
  }
  std::sort(split.begin(), split.end(), [](const auto& a, const auto& b) { return a.lo < b.lo; });
  ranges_.clear();
  for (const CodepointRange& r : split) {
    if (!ranges_.empty() && r.lo <= ranges_.back().hi + 1) {
      ranges_.back().hi = std::max(ranges_.back().hi, r.hi);
    } else {
      ranges_.push_back(r);
    }
  }
}

CodepointSet CodepointSet::complement() const {
  CodepointSet out;
  uint32_t next = 0;
  for (const CodepointRange& r : ranges_) {
    if (r.lo > next) out.ranges_.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= kMaxCodepoint) out.ranges_.push_back({next, kMaxCodepoint});
  out.normalize();
  return out;
}

ExprId encode_codepoints(ExprPool& pool, const CodepointSet& set, TextEncoding encoding) {
  std::vector<ExprId> alts;
  // When every escaped character is in the set (the common case: "any character"), emit the
  // escapes as one compact expression instead of 34 literals; it keeps repeated classes small.
  bool all_escapes = encoding == TextEncoding::kJsonString;
  for (uint32_t cp = 0; cp <= '\\' && all_escapes; ++cp) {
    if (cp >= 0x20 && cp != '"' && cp != '\\') continue;
    all_escapes = std::any_of(set.ranges().begin(), set.ranges().end(),
                              [cp](const CodepointRange& r) { return r.lo <= cp && cp <= r.hi; });
  }
  if (all_escapes) {
    const ExprId u_escape = pool.seq(
        {pool.literal("u00"),
         pool.alt({pool.seq({pool.literal("0"), pool.byte_class({{'0', '7'}, {'b', 'b'}, {'e', 'f'}})}),
                   pool.seq({pool.literal("1"), pool.byte_class({{'0', '9'}, {'a', 'f'}})})})});
    const ExprId short_escape = pool.byte_class({{'"', '"'}, {'\\', '\\'}, {'b', 'b'}, {'f', 'f'}, {'n', 'n'},
                                                 {'r', 'r'}, {'t', 't'}});
    alts.push_back(pool.seq({pool.literal("\\"), pool.alt({short_escape, u_escape})}));
  }
  for (const CodepointRange& r : set.ranges()) {
    if (encoding == TextEncoding::kRawUtf8) {
      utf8_ranges(pool, r.lo, r.hi, alts);
      continue;
    }
    // JSON: controls, '"' and '\' have escape spellings; everything else is raw UTF-8.
    uint32_t lo = r.lo;
    while (lo <= r.hi) {
      if (lo < 0x20 || lo == '"' || lo == '\\') {
        if (!all_escapes) alts.push_back(pool.literal(json_escape(lo)));
        ++lo;
        continue;
      }
      uint32_t hi = r.hi;
      if (lo < '"') hi = std::min<uint32_t>(hi, '"' - 1);
      if (lo > '"' && lo < '\\') hi = std::min<uint32_t>(hi, '\\' - 1);
      utf8_ranges(pool, lo, hi, alts);
      lo = hi + 1;
    }
  }
  return pool.alt(std::move(alts));
}

}  // namespace mynah::grammar
