// SentencePiece BPE merge loop: a doubly linked list of symbols plus a max-heap of candidate
// bigrams; stale heap entries are skipped on pop, so every merge costs O(log n).
#include "tokenizer/spm_bpe.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <queue>

#include <fmt/format.h>

namespace mynah::tokenizer {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

// Longest text one merge run sees. Symbol offsets are 32-bit to keep the heap entries at 16 bytes;
// longer fragments (over a gigabyte, far beyond any request limit) are cut at character boundaries.
constexpr size_t kMaxRunBytes = size_t{1} << 30;

// A span of the text that is currently one unit; n_bytes == 0 marks a symbol merged into its left.
struct Symbol {
  int32_t prev;
  int32_t next;
  uint32_t offset;
  uint32_t n_bytes;
};

struct Bigram {
  float score;
  int32_t left;
  int32_t right;
  uint32_t n_bytes;  // left + right length when queued; a mismatch on pop means the entry is stale
};

// Highest score first; among equal scores the leftmost pair (llama.cpp's llm_bigram_spm order).
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

// llama.cpp's unicode_len_utf8: the length a lead byte announces; stray continuation bytes and
// invalid leads count as one byte (0xF8..0xFF as four), clamped to the text by the caller.
size_t utf8_len(char lead) {
  static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[static_cast<uint8_t>(lead) >> 4];
}

std::vector<Symbol> split_chars(std::string_view text) {
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) {
    const size_t n = std::min(utf8_len(text[offset]), text.size() - offset);
    const auto idx = static_cast<int32_t>(symbols.size());
    offset += n;
    symbols.push_back(Symbol{idx - 1, offset == text.size() ? -1 : idx + 1,
                             static_cast<uint32_t>(offset - n), static_cast<uint32_t>(n)});
  }
  return symbols;
}

// Cuts `text` into runs of at most kMaxRunBytes that end on a character boundary.
size_t run_end(std::string_view text, size_t start) {
  size_t end = std::min(text.size(), start + kMaxRunBytes);
  while (end < text.size() && end > start && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
  return end == start ? std::min(text.size(), start + kMaxRunBytes) : end;
}

}  // namespace

util::Result<std::unique_ptr<SpmBpe>> SpmBpe::create(std::shared_ptr<const Vocab> vocab) {
  std::array<TokenId, 256> byte_tokens{};
  std::vector<int> missing;
  for (int b = 0; b < 256; ++b) {
    auto id = vocab->find(fmt::format("<0x{:02X}>", b));
    if (!id) id = vocab->find(std::string(1, static_cast<char>(b)));
    if (!id) id = vocab->unk();
    if (!id) missing.push_back(b);
    byte_tokens[static_cast<size_t>(b)] = id.value_or(0);
  }
  if (!missing.empty()) {
    return util::make_error(
        "{} byte values (first 0x{:02X}) have no <0xNN> token and tokenizer.ggml.unknown_token_id "
        "is not set, so some text could not be encoded",
        missing.size(), missing.front());
  }
  return std::unique_ptr<SpmBpe>(new SpmBpe(std::move(vocab), byte_tokens));
}

void SpmBpe::encode_fragment(std::string_view text, bool at_boundary, std::vector<TokenId>& out) const {
  std::string escaped;
  escaped.reserve(text.size() + kSpaceMark.size());
  if (at_boundary && vocab_->add_space_prefix()) escaped += kSpaceMark;
  for (char c : text) {
    if (c == ' ') {
      escaped += kSpaceMark;
    } else {
      escaped += c;
    }
  }
  const std::string_view all = escaped;
  for (size_t start = 0; start < all.size();) {
    const size_t end = run_end(all, start);
    merge(all.substr(start, end - start), out);
    start = end;
  }
}

void SpmBpe::merge(std::string_view text, std::vector<TokenId>& out) const {
  std::vector<Symbol> symbols = split_chars(text);
  if (symbols.empty()) return;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[static_cast<size_t>(left)];
    const uint32_t n_bytes = l.n_bytes + symbols[static_cast<size_t>(right)].n_bytes;
    // Any token type may be a merge target, as in llama.cpp (only the text must exist).
    if (auto id = vocab_->find(text.substr(l.offset, n_bytes))) {
      queue.push(Bigram{vocab_->score(*id), left, right, n_bytes});
    }
  };
  for (size_t i = 1; i < symbols.size(); ++i) try_add(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));

  while (!queue.empty()) {
    const Bigram top = queue.top();
    queue.pop();
    Symbol& l = symbols[static_cast<size_t>(top.left)];
    Symbol& r = symbols[static_cast<size_t>(top.right)];
    // A symbol only grows by absorbing its right neighbour, so unchanged sizes prove adjacency.
    if (l.n_bytes == 0 || r.n_bytes == 0 || l.n_bytes + r.n_bytes != top.n_bytes) continue;
    l.n_bytes += r.n_bytes;
    r.n_bytes = 0;
    l.next = r.next;
    if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = top.left;
    try_add(l.prev, top.left);
    try_add(top.left, l.next);
  }

  // Every merged symbol is a vocab token by construction, so llama.cpp's rev_merge resegmenting
  // never triggers; what is left unmatched is a single character that falls back to bytes.
  for (int32_t i = 0; i != -1; i = symbols[static_cast<size_t>(i)].next) {
    const Symbol& s = symbols[static_cast<size_t>(i)];
    const std::string_view piece = text.substr(s.offset, s.n_bytes);
    if (auto id = vocab_->find(piece)) {
      out.push_back(*id);
      continue;
    }
    for (char c : piece) out.push_back(byte_tokens_[static_cast<uint8_t>(c)]);
  }
}

std::string SpmBpe::normal_piece(std::string_view token_text) const {
  std::string out;
  out.reserve(token_text.size());
  for (size_t i = 0; i < token_text.size();) {
    if (token_text.substr(i, kSpaceMark.size()) == kSpaceMark) {
      out += ' ';
      i += kSpaceMark.size();
    } else {
      out += token_text[i++];
    }
  }
  return out;
}

}  // namespace mynah::tokenizer
