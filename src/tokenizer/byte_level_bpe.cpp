// Byte-level BPE merge loop, Hugging Face's Word::merge_all over token ids: a doubly linked list of
// symbols and a min-heap of candidate merges ordered by (rank, position); stale entries are
// skipped on pop, so a word of n bytes costs O(n log n) whatever its content.
#include "tokenizer/byte_level_bpe.h"

#include <algorithm>
#include <cstdint>

#include "tokenizer/normalizer.h"

namespace mynah::tokenizer {
namespace {

constexpr size_t kCacheCapacity = size_t{1} << 15;  // words
constexpr size_t kMaxCachedBytes = 255;             // HF caches words shorter than 256 bytes

// GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves and the other 68 bytes
// (controls, space, DEL, NBSP, soft hyphen) take U+0100.. in byte order, so every token text is
// printable and a space shows as U+0120 'Ġ'.
constexpr std::array<uint16_t, 256> make_byte_to_cp() {
  std::array<uint16_t, 256> cp{};
  uint16_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    cp[static_cast<size_t>(b)] = printable ? static_cast<uint16_t>(b) : next++;
  }
  return cp;
}
constexpr std::array<uint16_t, 256> kByteToCp = make_byte_to_cp();
constexpr uint32_t kNumCps = 256 + 68;  // every mapped code point is below this

constexpr std::array<int16_t, kNumCps> make_cp_to_byte() {
  std::array<int16_t, kNumCps> byte{};
  for (auto& b : byte) b = -1;
  for (int b = 0; b < 256; ++b) byte[kByteToCp[static_cast<size_t>(b)]] = static_cast<int16_t>(b);
  return byte;
}
constexpr std::array<int16_t, kNumCps> kCpToByte = make_cp_to_byte();

// Appends the UTF-8 form of a mapped code point (all are below U+0800).
void append_cp(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A run of the word that is currently one token; n_bytes == 0 marks one merged into its left.
struct Symbol {
  TokenId id;
  int32_t prev;
  int32_t next;
  uint32_t n_bytes;
};

struct Candidate {
  int32_t rank;
  int32_t pos;  // index of the left symbol
  TokenId new_id;
};

// Heap order: lowest rank on top, then leftmost position (HF's Merge ordering).
bool lower_priority(const Candidate& a, const Candidate& b) {
  return a.rank > b.rank || (a.rank == b.rank && a.pos > b.pos);
}

}  // namespace

struct ByteLevelBpe::Scratch {
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
  std::string mapped;
};

util::Result<std::unique_ptr<ByteLevelBpe>> ByteLevelBpe::create(const gguf::Metadata& metadata,
                                                                 std::shared_ptr<const Vocab> vocab,
                                                                 const PreTokenizerPreset& preset) {
  auto merges = MergeTable::from_metadata(metadata, *vocab);
  if (!merges) return merges.take_error();
  auto pre = PreTokenizer::create(preset);
  if (!pre) return pre.take_error();
  std::array<TokenId, 256> byte_ids{};
  std::string text;
  for (size_t b = 0; b < 256; ++b) {
    text.clear();
    append_cp(text, kByteToCp[b]);
    auto id = vocab->find(text);
    byte_ids[b] = id && vocab->type(*id) == TokenType::kNormal ? *id : -1;
  }
  return std::unique_ptr<ByteLevelBpe>(new ByteLevelBpe(std::move(vocab), std::move(*merges), std::move(*pre),
                                                        byte_ids));
}

ByteLevelBpe::ByteLevelBpe(std::shared_ptr<const Vocab> vocab, MergeTable merges, PreTokenizer pre,
                           const std::array<TokenId, 256>& byte_ids)
    : vocab_(std::move(vocab)),
      merges_(std::move(merges)),
      pre_(std::move(pre)),
      byte_ids_(byte_ids),
      cache_(kCacheCapacity) {}

void ByteLevelBpe::encode_fragment(std::string_view text, bool /*at_boundary*/, std::vector<TokenId>& out) const {
  std::string normalized;  // outlives `cached`, whose words may point into it
  if (pre_.preset().nfc && needs_nfc(text)) {
    normalized = to_nfc(text);
    text = normalized;
  }
  std::vector<Span> words;
  pre_.split(text, words);
  Scratch scratch;
  WordCache::Batch cached(cache_);
  for (const Span& word : words) encode_word(text.substr(word.offset, word.n_bytes), scratch, cached, out);
  cached.commit(out);
}

void ByteLevelBpe::encode_word(std::string_view word, Scratch& scratch, WordCache::Batch& cached,
                               std::vector<TokenId>& out) const {
  if (word.size() == 1) {  // the commonest word (a space, a digit, punctuation) needs no merging
    if (byte_ids_[static_cast<uint8_t>(word[0])] >= 0) out.push_back(byte_ids_[static_cast<uint8_t>(word[0])]);
    return;
  }
  const bool cacheable = word.size() <= kMaxCachedBytes;
  if (cacheable && cached.lookup(word, out)) return;
  const size_t first = out.size();
  if (!pre_.preset().ignore_merges || !emit_whole_word(word, scratch, out)) merge(word, scratch, out);
  if (cacheable) cached.add(word, first, out.size());
}

bool ByteLevelBpe::emit_whole_word(std::string_view word, Scratch& scratch, std::vector<TokenId>& out) const {
  scratch.mapped.clear();
  for (char c : word) append_cp(scratch.mapped, kByteToCp[static_cast<uint8_t>(c)]);
  auto id = vocab_->find(scratch.mapped);
  if (!id || vocab_->type(*id) != TokenType::kNormal) return false;
  out.push_back(*id);
  return true;
}

void ByteLevelBpe::merge(std::string_view word, Scratch& scratch, std::vector<TokenId>& out) const {
  std::vector<Symbol>& symbols = scratch.symbols;
  symbols.clear();
  for (char c : word) {
    const TokenId id = byte_ids_[static_cast<uint8_t>(c)];
    if (id < 0) continue;  // no token for this byte: dropped, and its neighbours become adjacent
    const auto idx = static_cast<int32_t>(symbols.size());
    symbols.push_back(Symbol{id, idx - 1, idx + 1, 1});
  }
  if (symbols.empty()) return;
  symbols.back().next = -1;

  std::vector<Candidate>& heap = scratch.heap;
  heap.clear();
  auto push = [&](int32_t left) {
    const Symbol& l = symbols[static_cast<size_t>(left)];
    if (l.next < 0) return;
    if (const MergeTable::Merge* m = merges_.find(l.id, symbols[static_cast<size_t>(l.next)].id)) {
      heap.push_back(Candidate{m->rank, left, m->id});
      std::push_heap(heap.begin(), heap.end(), lower_priority);
    }
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) push(i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), lower_priority);
    const Candidate top = heap.back();
    heap.pop_back();
    Symbol& left = symbols[static_cast<size_t>(top.pos)];
    if (left.n_bytes == 0 || left.next < 0) continue;
    Symbol& right = symbols[static_cast<size_t>(left.next)];
    // Stale unless this pair still merges into the same token (HF's exact check).
    const MergeTable::Merge* current = merges_.find(left.id, right.id);
    if (current == nullptr || current->id != top.new_id) continue;
    left.id = top.new_id;
    left.n_bytes += right.n_bytes;
    right.n_bytes = 0;
    left.next = right.next;
    if (left.next >= 0) symbols[static_cast<size_t>(left.next)].prev = top.pos;
    if (left.prev >= 0) push(left.prev);
    push(top.pos);
  }
  // Symbol 0 is never merged into a left neighbour, so the list starts there.
  for (int32_t i = 0; i != -1; i = symbols[static_cast<size_t>(i)].next) out.push_back(symbols[static_cast<size_t>(i)].id);
}

std::string ByteLevelBpe::normal_piece(std::string_view token_text) const {
  std::string bytes;
  bytes.reserve(token_text.size());
  for (size_t i = 0; i < token_text.size();) {
    const auto lead = static_cast<uint8_t>(token_text[i]);
    uint32_t cp = kNumCps;  // "not in the alphabet" unless decoded below
    if (lead < 0x80) {
      cp = lead;
      i += 1;
    } else if ((lead & 0xE0) == 0xC0 && i + 1 < token_text.size() &&
               (static_cast<uint8_t>(token_text[i + 1]) & 0xC0) == 0x80) {
      cp = (lead & 0x1Fu) << 6 | (static_cast<uint8_t>(token_text[i + 1]) & 0x3Fu);
      i += 2;
    }
    if (cp >= kNumCps || kCpToByte[cp] < 0) return std::string(token_text);
    bytes += static_cast<char>(kCpToByte[cp]);
  }
  return bytes;
}

}  // namespace mynah::tokenizer
