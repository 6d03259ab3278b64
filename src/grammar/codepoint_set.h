// Sets of Unicode scalar values and their byte encodings: raw UTF-8 (regex response format) or the
// canonical JSON string encoding (what Python's json.dumps(ensure_ascii=False) writes: `\"`,
// `\\`, \b \f \n \r \t, other controls as lowercase \u00XX, everything else as raw UTF-8). One
// encoding per character keeps lengths exact and lets key sets be subtracted byte-wise.
#pragma once

#include <cstdint>
#include <vector>

#include "grammar/expr.h"

namespace mynah::grammar {

struct CodepointRange {
  uint32_t lo;
  uint32_t hi;
};

// Sorted, disjoint, non-adjacent ranges; never contains surrogates (U+D800..U+DFFF).
class CodepointSet {
 public:
  CodepointSet() = default;
  static CodepointSet all();
  static CodepointSet of(uint32_t lo, uint32_t hi);

  void add(uint32_t lo, uint32_t hi);
  void add(const CodepointSet& other);
  CodepointSet complement() const;
  bool empty() const { return ranges_.empty(); }
  const std::vector<CodepointRange>& ranges() const { return ranges_; }

 private:
  void normalize();
  std::vector<CodepointRange> ranges_;
};

enum class TextEncoding : uint8_t { kRawUtf8, kJsonString };

// One character of the set, as bytes in the given encoding.
ExprId encode_codepoints(ExprPool& pool, const CodepointSet& set, TextEncoding encoding);

}  // namespace mynah::grammar
