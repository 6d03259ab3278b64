// PreTokenizer: compiles preset regexes with PCRE2 and applies them as Hugging Face's Sequence of
// Split(Isolated) steps: every step re-splits each word of the previous one, matches and gaps alike.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/pretokenizer.h"

#include <pcre2.h>

#include <array>
#include <cstdint>
#include <memory>

#include <fmt/format.h>

namespace mynah::tokenizer {
namespace {

// The code points Hugging Face's regex engine (Oniguruma) calls \s: Unicode White_Space. PCRE2's
// UCP \s adds U+180E, so patterns are compiled with this class spelled out instead.
constexpr std::string_view kWhiteSpace =
    R"(\t-\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

// Rewrites \s and \S (outside classes) and \s (inside classes) as kWhiteSpace. The presets use no
// other construct that could contain a backslash-s, so tracking '[' ... ']' is enough.
util::Result<std::string> expand_white_space(std::string_view pattern) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '\\' || i + 1 == pattern.size()) {
      if (c == '[' && !in_class) in_class = true;
      else if (c == ']' && in_class) in_class = false;
      out += c;
      continue;
    }
    const char next = pattern[++i];
    if (next == 's') {
      out += in_class ? std::string(kWhiteSpace) : fmt::format("[{}]", kWhiteSpace);
    } else if (next == 'S' && !in_class) {
      out += fmt::format("[^{}]", kWhiteSpace);
    } else if (next == 'S') {
      return util::make_error("pre-tokenizer pattern '{}': \\S inside a class is not supported", pattern);
    } else {
      out += c;
      out += next;
    }
  }
  return out;
}

size_t utf8_char_len(std::string_view text, size_t pos) {
  size_t n = 1;
  while (pos + n < text.size() && (static_cast<uint8_t>(text[pos + n]) & 0xC0) == 0x80) ++n;
  return n;
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};
using MatchData = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;
struct MatchContextDeleter {
  void operator()(pcre2_match_context* ctx) const { pcre2_match_context_free(ctx); }
};
using MatchContext = std::unique_ptr<pcre2_match_context, MatchContextDeleter>;

// PCRE2's default match limit (10 million backtracks) is a guard against exponential patterns.
// The presets are linear, so the guard only bites on legitimately huge words (a 20 MB run of
// spaces backtracks 20 million times once), where giving up would change the split.
MatchContext make_match_context() {
  MatchContext ctx(pcre2_match_context_create(nullptr));
  if (ctx) pcre2_set_match_limit(ctx.get(), UINT32_MAX);
  return ctx;
}

}  // namespace

struct PreTokenizer::Regex {
  pcre2_code* code = nullptr;
  bool jit = false;  // compiled to machine code
  // Bytes a match can start with (PCRE2's start bitmap), or all set when PCRE2 has none. Later
  // steps of a sequence mostly see words they cannot split; one scan of a few bytes rules those
  // out for much less than a call into the matcher costs.
  std::array<bool, 256> may_start{};
  size_t min_bytes = 0;  // shortest possible match
  ~Regex() { pcre2_code_free(code); }

  void learn_start_bytes() {
    may_start.fill(true);
    uint32_t min_length = 0;
    if (pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &min_length) == 0) min_bytes = min_length;
    const uint8_t* bitmap = nullptr;
    uint32_t first_code_type = 0;
    uint32_t first_code_unit = 0;
    pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &first_code_type);
    if (first_code_type == 1 && pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &first_code_unit) == 0 &&
        first_code_unit < 256) {
      may_start.fill(false);
      may_start[first_code_unit] = true;
    } else if (first_code_type == 0 && pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 && bitmap) {
      for (size_t b = 0; b < 256; ++b) may_start[b] = (bitmap[b / 8] >> (b % 8)) & 1;
    }
  }

  // False only when no match can exist in `subject` (MINLENGTH counts characters, which are at
  // least one byte each, so comparing it with the byte length is safe).
  bool may_match(std::string_view subject) const {
    if (subject.size() < min_bytes) return false;
    for (char c : subject) {
      if (may_start[static_cast<uint8_t>(c)]) return true;
    }
    return false;
  }

  // Finds the next match in subject[start, end) (the word is the whole subject, so anchors and
  // lookarounds see word boundaries as HF does). Returns false when there is none.
  bool find(std::string_view subject, size_t start, pcre2_match_data* md, pcre2_match_context* ctx, size_t& begin,
            size_t& end) const {
    const auto* data = reinterpret_cast<PCRE2_SPTR>(subject.data());
    // pcre2_jit_match skips pcre2_match's per-call option checks, a third of the split time on
    // short words.
    int rc = jit ? pcre2_jit_match(code, data, subject.size(), start, 0, md, ctx)
                 : pcre2_match(code, data, subject.size(), start, 0, md, ctx);
    // The JIT runs on a fixed 32 KiB stack; the interpreter keeps its backtracking on the heap.
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) rc = pcre2_match(code, data, subject.size(), start, PCRE2_NO_JIT, md, ctx);
    if (rc < 0) return false;
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(md);
    begin = ovector[0];
    end = ovector[1];
    return true;
  }
};

util::Result<PreTokenizer> PreTokenizer::create(const PreTokenizerPreset& preset) {
  std::vector<std::shared_ptr<const Regex>> regexes;
  for (std::string_view source : preset.splits) {
    if (source.empty()) break;
    auto pattern = expand_white_space(source);
    if (!pattern) return pattern.take_error();
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    // UTF + UCP: \p{..} and \d-style classes are Unicode-aware. MATCH_INVALID_UTF: hostile input
    // need not be valid UTF-8 (bad bytes never match). MULTILINE: `$` and `^` behave as in
    // Oniguruma's Ruby syntax, which HF uses (before any "\n", not only at the end).
    auto code = std::make_shared<Regex>();
    code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern->data()), pattern->size(),
                               PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE, &error_code,
                               &error_offset, nullptr);
    if (code->code == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error_code, message, sizeof message);
      return util::make_error("pre-tokenizer \"{}\": regex '{}' does not compile at offset {}: {}",
                              preset.names[0], source, error_offset, reinterpret_cast<const char*>(message));
    }
    // Without JIT (e.g. an architecture PCRE2 cannot JIT for) pcre2_match interprets: slower, same result.
    code->jit = pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE) == 0;
    code->learn_start_bytes();
    regexes.push_back(std::move(code));
  }
  return PreTokenizer(preset, std::move(regexes));
}

void PreTokenizer::split(std::string_view text, std::vector<Span>& out) const {
  if (text.empty()) return;
  MatchData md(pcre2_match_data_create(1, nullptr));
  MatchContext ctx = make_match_context();
  std::vector<Span> words{Span{0, text.size()}};
  std::vector<Span> next;
  for (size_t step = 0; step < regexes_.size(); ++step) {
    const Regex& regex = *regexes_[step];
    // The last step writes straight into `out`.
    std::vector<Span>& dest = step + 1 == regexes_.size() ? out : next;
    for (const Span& word : words) {
      const std::string_view subject = text.substr(word.offset, word.n_bytes);
      size_t cursor = 0;  // end of the last emitted piece
      size_t start = 0;   // where the next search begins
      size_t begin = 0;
      size_t end = 0;
      if (!regex.may_match(subject)) start = subject.size();
      while (start < subject.size() && regex.find(subject, start, md.get(), ctx.get(), begin, end)) {
        if (end == begin) {  // an empty match splits nothing; step over one character
          start = begin + utf8_char_len(subject, begin);
          continue;
        }
        if (begin > cursor) dest.push_back(Span{word.offset + cursor, begin - cursor});
        dest.push_back(Span{word.offset + begin, end - begin});
        cursor = start = end;
      }
      if (cursor < subject.size()) dest.push_back(Span{word.offset + cursor, subject.size() - cursor});
    }
    if (&dest == &next) {
      words.swap(next);
      next.clear();
    }
  }
  if (regexes_.empty()) out.push_back(Span{0, text.size()});
}

}  // namespace mynah::tokenizer
