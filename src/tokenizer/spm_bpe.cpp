// SentencePiece BPE merge loop: a doubly linked list of symbols plus a max-heap of candidate
// bigrams; stale heap entries are skipped on pop, so every merge costs O(log n). Text is merged
// word by word (with a cache) when the vocab proves words cannot interact.
#include "tokenizer/spm_bpe.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace mynah::tokenizer {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

// Longest text one merge run sees. Symbol offsets are 32-bit to keep the heap entries at 16 bytes;
// longer fragments (over a gigabyte, far beyond any request limit) are cut at character boundaries.
constexpr size_t kMaxRunBytes = size_t{1} << 30;

constexpr size_t kCacheCapacity = size_t{1} << 15;  // words
constexpr size_t kMaxCachedBytes = 255;

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

void split_chars(std::string_view text, std::vector<Symbol>& symbols) {
  symbols.clear();
  size_t offset = 0;
  while (offset < text.size()) {
    const size_t n = std::min(utf8_len(text[offset]), text.size() - offset);
    const auto idx = static_cast<int32_t>(symbols.size());
    offset += n;
    symbols.push_back(Symbol{idx - 1, offset == text.size() ? -1 : idx + 1,
                             static_cast<uint32_t>(offset - n), static_cast<uint32_t>(n)});
  }
}

// Whether some token has U+2581 right after a different character (e.g. "a\u2581b"): only then
// could a merge join the end of one word to the U+2581 that starts the next.
bool has_inner_space_mark(const Vocab& vocab) {
  for (TokenId id = 0; id < vocab.n_tokens(); ++id) {
    const std::string& text = vocab.text(id);
    for (size_t pos = text.find(kSpaceMark, 1); pos != std::string::npos; pos = text.find(kSpaceMark, pos + 1)) {
      if (pos < kSpaceMark.size() || text.compare(pos - kSpaceMark.size(), kSpaceMark.size(), kSpaceMark) != 0) {
        return true;
      }
    }
  }
  return false;
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
  const bool split_words = !has_inner_space_mark(*vocab);
  return std::unique_ptr<SpmBpe>(new SpmBpe(std::move(vocab), byte_tokens, split_words));
}

struct SpmBpe::Scratch {
  std::vector<Symbol> symbols;
  std::vector<Bigram> heap;
};

SpmBpe::SpmBpe(std::shared_ptr<const Vocab> vocab, const std::array<TokenId, 256>& byte_tokens, bool split_words)
    : vocab_(std::move(vocab)), byte_tokens_(byte_tokens), split_words_(split_words), cache_(kCacheCapacity) {}

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
  Scratch scratch;
  if (!split_words_) {
    for (size_t start = 0; start < all.size();) {
      const size_t end = run_end(all, start);
      merge(all.substr(start, end - start), scratch, out);
      start = end;
    }
    return;
  }
  // A word ends where a U+2581 follows another character. Walking by characters as split_chars
  // does keeps the cut where the merge loop would see a character start, even in invalid UTF-8.
  WordCache::Batch cached(cache_);
  size_t word_start = 0;
  bool prev_is_mark = false;
  for (size_t pos = 0; pos < all.size();) {
    const bool is_mark = all.compare(pos, kSpaceMark.size(), kSpaceMark) == 0;
    if (is_mark && !prev_is_mark && pos > word_start) {
      encode_word(all.substr(word_start, pos - word_start), scratch, cached, out);
      word_start = pos;
    }
    prev_is_mark = is_mark;
    pos += std::min(utf8_len(all[pos]), all.size() - pos);
  }
  encode_word(all.substr(word_start), scratch, cached, out);
  cached.commit(out);  // before `escaped`, which the batch's words point into, goes away
}

void SpmBpe::encode_word(std::string_view word, Scratch& scratch, WordCache::Batch& cached,
                         std::vector<TokenId>& out) const {
  const bool cacheable = word.size() <= kMaxCachedBytes;
  if (cacheable && cached.lookup(word, out)) return;
  const size_t first = out.size();
  for (size_t start = 0; start < word.size();) {
    const size_t end = run_end(word, start);
    merge(word.substr(start, end - start), scratch, out);
    start = end;
  }
  if (cacheable) cached.add(word, first, out.size());
}

void SpmBpe::merge(std::string_view text, Scratch& scratch, std::vector<TokenId>& out) const {
  std::vector<Symbol>& symbols = scratch.symbols;
  split_chars(text, symbols);
  if (symbols.empty()) return;
  std::vector<Bigram>& heap = scratch.heap;
  heap.clear();
  auto try_add = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[static_cast<size_t>(left)];
    const uint32_t n_bytes = l.n_bytes + symbols[static_cast<size_t>(right)].n_bytes;
    // Any token type may be a merge target, as in llama.cpp (only the text must exist).
    if (auto id = vocab_->find(text.substr(l.offset, n_bytes))) {
      heap.push_back(Bigram{vocab_->score(*id), left, right, n_bytes});
      std::push_heap(heap.begin(), heap.end(), BigramOrder{});
    }
  };
  for (size_t i = 1; i < symbols.size(); ++i) try_add(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), BigramOrder{});
    const Bigram top = heap.back();
    heap.pop_back();
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
