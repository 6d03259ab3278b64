// NFC: decompose canonically (Hangul arithmetically), sort each run of non-starters by combining
// class, then recompose every unblocked pair from the last starter, as UAX #15 specifies.
#include "tokenizer/normalizer.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <tuple>
#include <utility>
#include <vector>

#include "tokenizer/unicode_nfc_tables.h"

namespace mynah::tokenizer {
namespace {

namespace t = nfc_tables;

// Hangul syllable arithmetic (Unicode chapter 3.12).
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

constexpr char32_t kFirstNotQuick = 0x300;  // below this every code point passes the quick check

// Decodes one well-formed UTF-8 character at text[pos]; returns its length, 0 when ill-formed.
size_t decode(std::string_view text, size_t pos, char32_t& cp) {
  const auto b0 = static_cast<uint8_t>(text[pos]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t n = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 2, cp = b0 & 0x1F, min = 0x80;
  else if (b0 >= 0xE0 && b0 <= 0xEF) n = 3, cp = b0 & 0x0F, min = 0x800;
  else if (b0 >= 0xF0 && b0 <= 0xF4) n = 4, cp = b0 & 0x07, min = 0x10000;
  else return 0;
  if (pos + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<uint8_t>(text[pos + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool not_quick(char32_t cp) {
  if (cp < kFirstNotQuick) return false;
  const t::CodePointRange* end = t::kNotQuickNfc + t::kNumNotQuickNfc;
  auto it = std::upper_bound(t::kNotQuickNfc, end, cp, [](char32_t c, const t::CodePointRange& r) { return c < r.first; });
  return it != t::kNotQuickNfc && cp <= std::prev(it)->last;
}

uint8_t combining_class(char32_t cp) {
  if (cp < kFirstNotQuick) return 0;
  const t::CombiningClassRange* end = t::kCombiningClasses + t::kNumCombiningClasses;
  auto it = std::upper_bound(t::kCombiningClasses, end, cp,
                             [](char32_t c, const t::CombiningClassRange& r) { return c < r.first; });
  return it != t::kCombiningClasses && cp <= std::prev(it)->last ? std::prev(it)->ccc : 0;
}

void decompose(char32_t cp, std::vector<char32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const char32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  const t::Decomposition* end = t::kDecompositions + t::kNumDecompositions;
  auto it = std::lower_bound(t::kDecompositions, end, cp, [](const t::Decomposition& d, char32_t c) { return d.cp < c; });
  if (it == end || it->cp != cp) {
    out.push_back(cp);
    return;
  }
  out.insert(out.end(), t::kDecompositionData + it->offset, t::kDecompositionData + it->offset + it->length);
}

// The primary composite of (first, second), or 0.
char32_t compose_pair(char32_t first, char32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase && second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 && second > kTBase &&
      second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  const t::Composition* end = t::kCompositions + t::kNumCompositions;
  auto it = std::lower_bound(t::kCompositions, end, std::pair{first, second}, [](const t::Composition& c, auto key) {
    return c.first < key.first || (c.first == key.first && c.second < key.second);
  });
  return it != end && it->first == first && it->second == second ? it->composite : 0;
}

// Canonical ordering, then canonical composition, of one decomposed run; appends it as UTF-8.
void compose_into(std::vector<char32_t>& cps, std::string& out) {
  std::vector<uint8_t> ccc(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) ccc[i] = combining_class(cps[i]);
  // stable_sort rather than the usual insertion sort keeps a megabyte of marks O(n log n).
  for (size_t i = 0; i < cps.size();) {
    if (ccc[i] == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    std::vector<std::pair<uint8_t, char32_t>> run;
    for (; j < cps.size() && ccc[j] != 0; ++j) run.emplace_back(ccc[j], cps[j]);
    std::stable_sort(run.begin(), run.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t k = 0; k < run.size(); ++k) std::tie(ccc[i + k], cps[i + k]) = run[k];
    i = j;
  }
  std::vector<char32_t> result;
  result.reserve(cps.size());
  ptrdiff_t starter = -1;  // index in `result` of the last starter
  uint8_t last_ccc = 0;    // class of result.back()
  for (size_t i = 0; i < cps.size(); ++i) {
    const bool adjacent = starter >= 0 && static_cast<size_t>(starter) + 1 == result.size();
    // Blocked when something between the starter and cps[i] has class 0 or >= its own.
    if (starter >= 0 && (adjacent || (last_ccc != 0 && last_ccc < ccc[i]))) {
      if (char32_t composite = compose_pair(result[static_cast<size_t>(starter)], cps[i])) {
        result[static_cast<size_t>(starter)] = composite;
        continue;
      }
    }
    if (ccc[i] == 0) starter = static_cast<ptrdiff_t>(result.size());
    result.push_back(cps[i]);
    last_ccc = ccc[i];
  }
  for (char32_t cp : result) encode(cp, out);
  cps.clear();
}

}  // namespace

bool needs_nfc(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    if (static_cast<uint8_t>(text[pos]) < 0xCC) {  // ASCII, continuation bytes and leads below U+0300
      ++pos;
      continue;
    }
    char32_t cp = 0;
    const size_t n = decode(text, pos, cp);
    if (n != 0 && not_quick(cp)) return true;
    pos += n == 0 ? 1 : n;
  }
  return false;
}

std::string to_nfc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::vector<char32_t> run;  // decomposed code points of the current valid stretch
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const size_t n = decode(text, pos, cp);
    if (n == 0) {
      compose_into(run, out);
      out += text[pos++];
      continue;
    }
    decompose(cp, run);
    pos += n;
  }
  compose_into(run, out);
  return out;
}

}  // namespace mynah::tokenizer
