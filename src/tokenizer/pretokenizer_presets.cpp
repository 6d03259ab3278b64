// The pre-tokenizer presets: one row per model family, transcribed from the pre_tokenizer of its
// Hugging Face tokenizer.json (the reference the conformance vectors come from).
#include <fmt/format.h>

#include "tokenizer/pretokenizer.h"

namespace mynah::tokenizer {
namespace {

// HF ByteLevel's own regex (use_regex: true), the GPT-2 pattern including its final `\s+`.
constexpr std::string_view kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
// Llama 3 and Qwen2 differ only in digit grouping. The contraction group stays case-insensitive
// (`(?i:...)`) as published; PCRE2 folds case like Oniguruma, so "'S" and "'ſ" both match.
constexpr std::string_view kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// HF Digits: individual_digits true isolates each \p{N} character (Rust char::is_numeric),
// false keeps runs of them together.
constexpr std::string_view kDigitsEach = R"(\p{N})";
constexpr std::string_view kDigitRuns = R"(\p{N}+)";
// HF Punctuation with behaviour Contiguous: runs of \p{P} or ASCII punctuation (which adds the
// symbols $ + < = > ^ ` | ~).
constexpr std::string_view kPunctuationRuns = R"([\p{P}$+<=>^`|~]+)";

constexpr std::string_view kNewline = R"([\r\n])";
// Both DeepSeek tokenizers isolate these CJK / Hangul ranges (U+4E00..U+9FA5, U+0800..U+4E00,
// U+AC00..U+D7FF) as published.
constexpr std::string_view kDeepSeekCjk = R"([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";
// DeepSeek LLM's letter class: the cased letters (Lu, Ll, Lt) of its tokenizer.json, as code points.
constexpr std::string_view kDeepSeekLetters =
    R"(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293}\x{295}-\x{2AF})"
    R"(\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A}\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5})"
    R"(\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556}\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD})"
    R"(\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF}\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15})"
    R"(\x{1F18}-\x{1F1D}\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D}\x{1F5F}-\x{1F7D})"
    R"(\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4}\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB})"
    R"(\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4}\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D})"
    R"(\x{2124}\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F}\x{2145}-\x{2149}\x{214E})"
    R"(\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4}\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D})"
    R"(\x{A680}-\x{A69B}\x{A722}-\x{A76F}\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06})"
    R"(\x{FB13}-\x{FB17}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3}\x{104D8}-\x{104FB})"
    R"(\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF}\x{1E900}-\x{1E943}]+)";
// ASCII punctuation and symbols, their fullwidth forms, curly quotes and CJK full stops.
constexpr std::string_view kDeepSeekPunct =
    R"(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)";
// Published as `\s+$`. That form backtracks over a long whitespace run once per start position
// (quadratic on a megabyte of spaces before a digit); the lookbehind starts it only where a run
// begins. Same matches: earlier steps leave no newline inside a word, so `$` is the word's end.
constexpr std::string_view kTrailingSpace = R"((?<!\s)\s+$)";

constexpr PreTokenizerPreset kPresets[] = {
    // GGUFs without tokenizer.ggml.pre get "default": plain HF ByteLevel, GPT-2's pattern.
    {.names = {"default", "gpt-2", "gpt2", "phi-2", "roberta-bpe"}, .splits = {kGpt2}},
    {.names = {"llama-bpe", "llama3", "llama-v3"}, .splits = {kLlama3}, .ignore_merges = true, .add_bos = true},
    {.names = {"qwen2"}, .splits = {kQwen2}, .nfc = true},
    {.names = {"deepseek-llm"},
     .splits = {kNewline, kDeepSeekLetters, kDeepSeekPunct, kTrailingSpace, kDeepSeekCjk, kDigitsEach}},
    {.names = {"deepseek-coder"},
     .splits = {kNewline, R"(\s?\p{L}+)", R"(\s?\p{P}+)", kDeepSeekCjk, kDigitsEach}},
    {.names = {"falcon"}, .splits = {kPunctuationRuns, kGpt2, kDigitRuns, "[0-9][0-9][0-9]"}},
    // EleutherAI's GPT-NeoX-20B tokenizer, which MPT reuses: NFC, then ByteLevel alone.
    {.names = {"gpt-neox", "mpt"}, .splits = {kGpt2}, .nfc = true},
    // Digits(individual_digits) then ByteLevel; Command-R normalizes to NFC first.
    {.names = {"starcoder", "refact", "smollm"}, .splits = {kDigitsEach, kGpt2}},
    {.names = {"command-r"}, .splits = {kDigitsEach, kGpt2}, .nfc = true},
};

}  // namespace

const PreTokenizerPreset* find_pre_tokenizer_preset(std::string_view name) {
  if (name.empty()) return nullptr;
  for (const auto& preset : kPresets) {
    for (std::string_view alias : preset.names) {
      if (alias == name) return &preset;
    }
  }
  return nullptr;
}

std::string known_pre_tokenizer_names() {
  std::string out;
  for (const auto& preset : kPresets) {
    for (std::string_view alias : preset.names) {
      if (!alias.empty()) out += fmt::format("{}{}", out.empty() ? "" : ", ", alias);
    }
  }
  return out;
}

}  // namespace mynah::tokenizer
