// Pre-tokenizer presets: expected word splits derived by hand from each family's published
// pre_tokenizer (contractions, digit grouping, CJK, whitespace runs, newlines, punctuation),
// plus tiling and linear time on hostile input.
#include "tokenizer/pretokenizer.h"

#include <chrono>
#include <random>

#include <gtest/gtest.h>

namespace mynah::tokenizer {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view preset_name, std::string_view text) {
  const PreTokenizerPreset* preset = find_pre_tokenizer_preset(preset_name);
  EXPECT_NE(preset, nullptr) << preset_name;
  if (!preset) return {};
  auto pre = PreTokenizer::create(*preset);
  EXPECT_TRUE(pre.ok()) << pre.error().message;
  std::vector<Span> spans;
  pre->split(text, spans);
  Words words;
  for (const Span& s : spans) words.emplace_back(text.substr(s.offset, s.n_bytes));
  return words;
}

TEST(PreTokenizerPresets, EveryRequiredNameIsKnown) {
  for (std::string_view name : {"default", "gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder", "starcoder",
                                "falcon", "mpt", "gpt-neox", "smollm", "refact", "command-r"}) {
    const PreTokenizerPreset* preset = find_pre_tokenizer_preset(name);
    ASSERT_NE(preset, nullptr) << name;
    EXPECT_TRUE(PreTokenizer::create(*preset).ok()) << name;
  }
  EXPECT_EQ(find_pre_tokenizer_preset("no-such-pre"), nullptr);
  EXPECT_EQ(find_pre_tokenizer_preset(""), nullptr);
  EXPECT_NE(known_pre_tokenizer_names().find("deepseek-coder"), std::string::npos);
}

// GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
TEST(PreTokenizerPresets, Gpt2) {
  EXPECT_EQ(split("gpt-2", "Hello world"), (Words{"Hello", " world"}));
  // Contractions are case-sensitive: "'LL" is punctuation then letters.
  EXPECT_EQ(split("gpt-2", "I'm don't you'LL"), (Words{"I", "'m", " don", "'t", " you", "'", "LL"}));
  EXPECT_EQ(split("gpt-2", "abc 12345"), (Words{"abc", " 12345"}));  // digit runs are unbounded
  // A whitespace run gives its last space to the next word; trailing whitespace stays one word.
  EXPECT_EQ(split("gpt-2", "a   b"), (Words{"a", "  ", " b"}));
  EXPECT_EQ(split("gpt-2", "a  "), (Words{"a", "  "}));
  EXPECT_EQ(split("gpt-2", "a\n\nb"), (Words{"a", "\n", "\n", "b"}));
  EXPECT_EQ(split("gpt-2", "\tfoo"), (Words{"\t", "foo"}));  // only ' ' may lead a word
  EXPECT_EQ(split("gpt-2", "\xE6\x88\x91\xE6\x83\xB3" "apple"), (Words{"\xE6\x88\x91\xE6\x83\xB3" "apple"}));  // CJK is \p{L}
  EXPECT_EQ(split("gpt-2", "Hello, world!"), (Words{"Hello", ",", " world", "!"}));
  EXPECT_EQ(split("gpt-2", " \xF0\x9F\xA6\x99.cpp"), (Words{" \xF0\x9F\xA6\x99.", "cpp"}));  // emoji is not L/N
  // "default", GPT-NeoX and MPT use the same ByteLevel pattern.
  for (std::string_view name : {"default", "gpt-neox", "mpt"}) {
    EXPECT_EQ(split(name, "I'm  2024!"), (Words{"I", "'m", " ", " 2024", "!"})) << name;
  }
}

// Llama 3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//          \s*[\r\n]+|\s+(?!\S)|\s+
TEST(PreTokenizerPresets, Llama3) {
  EXPECT_EQ(split("llama-bpe", "I'M DON'T we'Ll"), (Words{"I", "'M", " DON", "'T", " we", "'Ll"}));
  EXPECT_EQ(split("llama-bpe", "1234567"), (Words{"123", "456", "7"}));
  // Any single non-letter, non-digit, non-newline character may lead a word: tab, '$', space.
  EXPECT_EQ(split("llama-bpe", "\thello$x"), (Words{"\thello", "$x"}));
  // Alternatives are tried in order, not longest first: " $" is punctuation before "x" is reached.
  EXPECT_EQ(split("llama-bpe", " $x"), (Words{" $", "x"}));
  EXPECT_EQ(split("llama-bpe", "!!\n\nabc"), (Words{"!!\n\n", "abc"}));  // punctuation takes newlines
  EXPECT_EQ(split("llama-bpe", "a  \n  b"), (Words{"a", "  \n", " ", " b"}));
  EXPECT_EQ(split("llama-bpe", "Hello\n\n\nworld"), (Words{"Hello", "\n\n\n", "world"}));
  // 我想在apple工作1314151天～ : letters (CJK included) run together, digits in threes.
  EXPECT_EQ(split("llama-bpe", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C" "1314151\xE5\xA4\xA9\xEF\xBD\x9E"),
            (Words{"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C", "131", "415", "1", "\xE5\xA4\xA9",
                   "\xEF\xBD\x9E"}));
  EXPECT_EQ(split("llama-bpe", "  Hello"), (Words{" ", " Hello"}));
}

// Qwen2: Llama 3's pattern with single digits.
TEST(PreTokenizerPresets, Qwen2) {
  EXPECT_EQ(split("qwen2", "x2024y"), (Words{"x", "2", "0", "2", "4", "y"}));
  EXPECT_EQ(split("qwen2", "it'S"), (Words{"it", "'S"}));
  EXPECT_EQ(split("qwen2", "\thello\r\n\r\nbye"), (Words{"\thello", "\r\n\r\n", "bye"}));
}

// DeepSeek LLM: [\r\n] ; \s?[cased letters]+ ; \s?[ASCII & fullwidth punctuation]+ ; \s+$ ;
//               [CJK]+ ; Digits(individual).
TEST(PreTokenizerPresets, DeepSeekLlm) {
  EXPECT_EQ(split("deepseek-llm", "Hello world"), (Words{"Hello", " world"}));
  EXPECT_EQ(split("deepseek-llm", "a\n\nb"), (Words{"a", "\n", "\n", "b"}));
  EXPECT_EQ(split("deepseek-llm", "I'm"), (Words{"I", "'", "m"}));  // no contraction rule
  EXPECT_EQ(split("deepseek-llm", "3333"), (Words{"3", "3", "3", "3"}));
  // 我想在apple工作: CJK runs apart from Latin letters.
  EXPECT_EQ(split("deepseek-llm", "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8" "apple\xE5\xB7\xA5\xE4\xBD\x9C"),
            (Words{"\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8", "apple", "\xE5\xB7\xA5\xE4\xBD\x9C"}));
  // Only whitespace at the end of a word splits off; a space before a digit is its own word.
  EXPECT_EQ(split("deepseek-llm", "a 1  "), (Words{"a", " ", "1", "  "}));
  // Cyrillic is in the cased-letter class: нещо на
  EXPECT_EQ(split("deepseek-llm", "\xD0\xBD\xD0\xB5 \xD0\xBD\xD0\xB0"), (Words{"\xD0\xBD\xD0\xB5", " \xD0\xBD\xD0\xB0"}));
  EXPECT_EQ(split("deepseek-llm", "Hello, world! ("), (Words{"Hello", ",", " world", "!", " ("}));
  // Fullwidth punctuation (！ U+FF01) joins ASCII punctuation.
  EXPECT_EQ(split("deepseek-llm", "ok\xEF\xBC\x81!"), (Words{"ok", "\xEF\xBC\x81!"}));
}

// DeepSeek Coder: [\r\n] ; \s?\p{L}+ ; \s?\p{P}+ ; [CJK]+ ; Digits(individual).
TEST(PreTokenizerPresets, DeepSeekCoder) {
  EXPECT_EQ(split("deepseek-coder", "def foo(x):\n    return x+1"),
            (Words{"def", " foo", "(", "x", "):", "\n", "   ", " return", " x", "+", "1"}));
  EXPECT_EQ(split("deepseek-coder", "v12"), (Words{"v", "1", "2"}));
}

// Falcon: Punctuation(Contiguous) ; ByteLevel ; Digits(runs) ; [0-9][0-9][0-9].
TEST(PreTokenizerPresets, Falcon) {
  EXPECT_EQ(split("falcon", "Hello, world!"), (Words{"Hello", ",", " world", "!"}));
  EXPECT_EQ(split("falcon", "x = 1234567"), (Words{"x", " ", "=", " ", "123", "456", "7"}));
  EXPECT_EQ(split("falcon", "don't"), (Words{"don", "'", "t"}));  // the apostrophe is punctuation first
  EXPECT_EQ(split("falcon", "a+=b"), (Words{"a", "+=", "b"}));    // ASCII symbols count as punctuation
}

// StarCoder, Refact, SmolLM and Command-R: Digits(individual) then ByteLevel.
TEST(PreTokenizerPresets, DigitsThenByteLevel) {
  for (std::string_view name : {"starcoder", "refact", "smollm", "command-r"}) {
    EXPECT_EQ(split(name, " 2024"), (Words{" ", "2", "0", "2", "4"})) << name;
    EXPECT_EQ(split(name, "abc123def x's"), (Words{"abc", "1", "2", "3", "def", " x", "'s"})) << name;
  }
}

// Words tile the input, whatever the bytes (invalid UTF-8 included).
TEST(PreTokenizerPresets, WordsTileArbitraryBytes) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"a", " ", "\n", "1", "'s", "\xC3\xA9", "\xE4\xB8\xAD", "\xFF", "\x80", "!", "\t"};
  for (std::string_view name : {"gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder", "falcon", "starcoder"}) {
    auto pre = PreTokenizer::create(*find_pre_tokenizer_preset(name));
    ASSERT_TRUE(pre.ok());
    for (int round = 0; round < 200; ++round) {
      std::string text;
      for (size_t i = rng() % 40; i > 0; --i) text += pieces[rng() % pieces.size()];
      std::vector<Span> spans;
      pre->split(text, spans);
      size_t pos = 0;
      for (const Span& s : spans) {
        ASSERT_EQ(s.offset, pos) << name;
        ASSERT_GT(s.n_bytes, 0u) << name;
        pos += s.n_bytes;
      }
      ASSERT_EQ(pos, text.size()) << name;
    }
  }
}

// A megabyte of one character, of spaces before a digit, or of text without spaces must split in
// linear time (a quadratic regex would take minutes here).
TEST(PreTokenizerPresets, HugeRunsStayLinear) {
  const std::string spaces_then_digit = std::string(1 << 20, ' ') + "1";
  const std::string letters(1 << 20, 'a');
  std::string no_spaces;
  while (no_spaces.size() < (1u << 20)) no_spaces += "abc,def;1234\xE4\xB8\xAD";
  for (std::string_view name : {"gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder", "falcon", "starcoder"}) {
    auto pre = PreTokenizer::create(*find_pre_tokenizer_preset(name));
    ASSERT_TRUE(pre.ok());
    const auto start = std::chrono::steady_clock::now();
    for (const std::string* text : {&spaces_then_digit, &letters, static_cast<const std::string*>(&no_spaces)}) {
      std::vector<Span> spans;
      pre->split(*text, spans);
      ASSERT_FALSE(spans.empty());
      EXPECT_EQ(spans.back().offset + spans.back().n_bytes, text->size());
    }
    // Generous bound (about 100x the expected time) so only a complexity regression trips it.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << name;
  }
  EXPECT_EQ(split("deepseek-llm", spaces_then_digit).size(), 2u);
}

}  // namespace
}  // namespace mynah::tokenizer
