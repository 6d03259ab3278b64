// DecodeStream: appends each token's piece to a small pending buffer and releases the longest
// prefix that is whole UTF-8, validated against Unicode Table 3-7 (no overlongs or surrogates).
#include "tokenizer/decode_stream.h"

#include <cstdint>
#include <string_view>

namespace mynah::tokenizer {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

enum class Utf8Status { kComplete, kIncomplete, kInvalid };

struct Utf8Scan {
  Utf8Status status;
  size_t n_bytes;  // kComplete: the character; kInvalid: the maximal ill-formed subpart
};

// Allowed range of the second byte for a lead byte, and the sequence length (0: not a lead).
struct LeadInfo {
  uint8_t lo, hi;
  size_t len;
};

LeadInfo lead_info(uint8_t b) {
  if (b < 0x80) return {0, 0, 1};
  if (b >= 0xC2 && b <= 0xDF) return {0x80, 0xBF, 2};
  if (b == 0xE0) return {0xA0, 0xBF, 3};
  if (b == 0xED) return {0x80, 0x9F, 3};
  if (b >= 0xE1 && b <= 0xEF) return {0x80, 0xBF, 3};
  if (b == 0xF0) return {0x90, 0xBF, 4};
  if (b >= 0xF1 && b <= 0xF3) return {0x80, 0xBF, 4};
  if (b == 0xF4) return {0x80, 0x8F, 4};
  return {0, 0, 0};
}

Utf8Scan scan_char(std::string_view s, size_t pos) {
  const LeadInfo info = lead_info(static_cast<uint8_t>(s[pos]));
  if (info.len == 0) return {Utf8Status::kInvalid, 1};
  for (size_t k = 1; k < info.len; ++k) {
    if (pos + k == s.size()) return {Utf8Status::kIncomplete, k};
    const auto b = static_cast<uint8_t>(s[pos + k]);
    const uint8_t lo = k == 1 ? info.lo : 0x80;
    const uint8_t hi = k == 1 ? info.hi : 0xBF;
    if (b < lo || b > hi) return {Utf8Status::kInvalid, k};
  }
  return {Utf8Status::kComplete, info.len};
}

}  // namespace

DecodeStream::DecodeStream(const Tokenizer& tokenizer, bool strip_leading_space)
    : tokenizer_(tokenizer), strip_pending_(strip_leading_space && tokenizer.add_space_prefix()) {}

std::string DecodeStream::push(TokenId id) {
  std::string piece = tokenizer_.token_to_piece(id);
  if (piece.empty()) return {};
  // Same rule as Tokenizer::decode: only the first piece that produces bytes loses its space.
  if (strip_pending_ && piece[0] == ' ') piece.erase(0, 1);
  strip_pending_ = false;
  pending_ += piece;
  return drain(false);
}

std::string DecodeStream::flush() { return drain(true); }

std::string DecodeStream::drain(bool at_end) {
  std::string out;
  size_t pos = 0;
  while (pos < pending_.size()) {
    const Utf8Scan scan = scan_char(pending_, pos);
    if (scan.status == Utf8Status::kIncomplete && !at_end) break;
    if (scan.status == Utf8Status::kComplete) {
      out.append(pending_, pos, scan.n_bytes);
    } else {
      out += kReplacement;
    }
    pos += scan.n_bytes;
  }
  pending_.erase(0, pos);
  return out;
}

}  // namespace mynah::tokenizer
