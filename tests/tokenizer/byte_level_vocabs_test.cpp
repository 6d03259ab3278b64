// Byte-level BPE on the real vocabularies in shared/tokenizer-vectors: Llama 3 special tokens and
// BOS, megabyte inputs, streaming, and the seven extra families (which have no vectors): each
// loads with its preset, round-trips, never merges across a pre-token boundary, and finds its ids.
#include <atomic>
#include <ostream>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tokenizer/decode_stream.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/tokenizer.h"

namespace mynah::tokenizer {
namespace {

using Ids = std::vector<TokenId>;

std::string vocab_path(const std::string& name) {
  return std::string(MYNAH_SHARED_DIR) + "/tokenizer-vectors/" + name;
}

Tokenizer load(const std::string& name) {
  auto file = gguf::GgufFile::open(vocab_path(name));
  EXPECT_TRUE(file.ok()) << file.error().message;
  auto tok = Tokenizer::from_gguf(*file);
  EXPECT_TRUE(tok.ok()) << tok.error().message;
  return std::move(tok).value();
}

const Tokenizer& llama3() {
  static const Tokenizer tok = load("ggml-vocab-llama-bpe.gguf");
  return tok;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<uint8_t>(s[i]);
    const size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST(ByteLevelVocabs, Llama3BosAndSpecialTokens) {
  const Tokenizer& t = llama3();
  EXPECT_TRUE(t.add_bos());  // not in the GGUF: the llama-bpe preset's default
  EXPECT_EQ(t.bos_id(), 128000);
  EXPECT_EQ(t.eos_id(), 128001);
  EXPECT_EQ(t.encode("Hello", t.add_bos(), false), (Ids{128000, 9906}));
  const Ids chat = t.encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", false, true);
  EXPECT_EQ(chat, (Ids{128006, 882, 128007, 271, 13347, 128009}));
  EXPECT_TRUE(t.is_end_of_generation(128009));
  EXPECT_TRUE(t.is_end_of_generation(128001));
  EXPECT_FALSE(t.is_end_of_generation(128006));
  EXPECT_EQ(t.decode(chat), "user\n\nHi");
  EXPECT_EQ(t.decode(t.encode("<|eot_id|>", false, false)), "<|eot_id|>");  // literal when not parsed
}

TEST(ByteLevelVocabs, MegabyteRunsRoundTrip) {
  const std::string same(1 << 20, 'a');
  Ids ids = llama3().encode(same, false, false);
  EXPECT_LT(ids.size(), same.size() / 4);
  EXPECT_EQ(llama3().decode(ids), same);

  std::mt19937 rng(5);
  std::string letters;
  while (letters.size() < (1u << 20)) {
    letters += static_cast<char>('a' + rng() % 26);
    if (rng() % 64 == 0) letters += "\xC3\xA9";
  }
  ids = llama3().encode(letters, false, false);
  EXPECT_EQ(llama3().decode(ids), letters);
}

TEST(ByteLevelVocabs, StreamNeverEmitsPartialCharacters) {
  const std::string text = "\xF0\x9F\xA6\x99\xF0\x9F\x9A\x80 \xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F ok";
  for (const char* name : {"ggml-vocab-llama-bpe.gguf", "ggml-vocab-gpt-2.gguf"}) {
    const Tokenizer t = load(name);
    const Ids ids = t.encode(text, false, false);
    DecodeStream stream(t);
    std::string streamed;
    size_t held_back = 0;  // pushes that produced nothing because a character was incomplete
    for (TokenId id : ids) {
      const std::string piece = stream.push(id);
      EXPECT_TRUE(valid_utf8(piece)) << name;
      held_back += piece.empty() ? 1 : 0;
      streamed += piece;
    }
    streamed += stream.flush();
    EXPECT_EQ(streamed, text) << name;
    EXPECT_GT(held_back, 0u) << name << ": the emoji should span several byte-level tokens";
  }
}

// The word cache is shared: concurrent encodes must agree with a single-threaded one.
TEST(ByteLevelVocabs, ConcurrentEncodesAgree) {
  const Tokenizer t = load("ggml-vocab-qwen2.gguf");
  std::vector<std::string> texts;
  std::mt19937 rng(9);
  for (int i = 0; i < 64; ++i) {
    std::string text;
    for (int w = 0; w < 200; ++w) text += std::to_string(rng() % 5000) + (rng() % 3 ? " word" : " \xE5\xA4\xA9") + char('a' + rng() % 26);
    texts.push_back(std::move(text));
  }
  std::vector<Ids> expected;
  {
    const Tokenizer fresh = load("ggml-vocab-qwen2.gguf");  // its own, cold cache
    for (const auto& text : texts) expected.push_back(fresh.encode(text, false, false));
  }
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (size_t i = 0; i < texts.size(); ++i) {
        const size_t idx = (i + static_cast<size_t>(k) * 16) % texts.size();
        if (t.encode(texts[idx], false, false) != expected[idx]) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

struct ExtraVocab {
  std::string file;
  std::string pre;  // canonical preset expected from tokenizer.ggml.pre (absent: "default")
  TokenId bos;
  TokenId eos;
  FimIds fim;
};

void PrintTo(const ExtraVocab& vocab, std::ostream* os) { *os << vocab.file; }

FimIds fim(TokenId pre, TokenId suf, TokenId mid) {
  FimIds ids;
  ids.pre = pre;
  ids.suf = suf;
  ids.mid = mid;
  return ids;
}

class ExtraVocabs : public ::testing::TestWithParam<ExtraVocab> {};

const std::string kSample =
    "Hello, y'all! I'm    here\n\n\tdef f(x):\n        return x+1234567 // 3.14\r\n"
    "\xE6\x88\x91\xE6\x83\xB3\xE5\x9C\xA8 apple \xE5\xB7\xA5\xE4\xBD\x9C 2024\xE5\xB9\xB4 \xF0\x9F\xA6\x99 "
    "\xD0\xBD\xD0\xB5\xD1\x89\xD0\xBE \xC3\x84pfel  ~!@#$%^&*()   ";

TEST_P(ExtraVocabs, LoadsWithItsPresetAndRoundTrips) {
  const ExtraVocab& param = GetParam();
  auto file = gguf::GgufFile::open(vocab_path("extra/" + param.file));
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto tok = Tokenizer::from_gguf(*file);
  ASSERT_TRUE(tok.ok()) << tok.error().message;
  auto pre_name = file->metadata().find_string("tokenizer.ggml.pre");
  ASSERT_TRUE(pre_name.ok());
  const PreTokenizerPreset* preset = find_pre_tokenizer_preset(pre_name->value_or("default"));
  ASSERT_EQ(preset, find_pre_tokenizer_preset(param.pre));

  EXPECT_EQ(tok->bos_id(), param.bos);
  EXPECT_EQ(tok->eos_id(), param.eos);
  EXPECT_TRUE(tok->is_end_of_generation(param.eos));
  EXPECT_EQ(tok->fim_ids().pre, param.fim.pre);
  EXPECT_EQ(tok->fim_ids().suf, param.fim.suf);
  EXPECT_EQ(tok->fim_ids().mid, param.fim.mid);

  const Ids ids = tok->encode(kSample, false, false);
  EXPECT_EQ(tok->decode(ids), kSample);
  // Merges stay inside words: every pre-token boundary is also a token boundary. Words come from
  // the text between added tokens (GPT-NeoX has space-run tokens), as in the pipeline.
  std::set<size_t> token_ends;
  size_t pos = 0;
  for (TokenId id : ids) token_ends.insert(pos += tok->token_to_piece(id).size());
  auto pre = PreTokenizer::create(*preset);
  ASSERT_TRUE(pre.ok());
  std::vector<Span> words;
  for (const Fragment& fragment : SpecialTokens(tok->vocab()).partition(kSample, false)) {
    if (fragment.token) continue;
    const size_t first = words.size();
    pre->split(std::string_view(kSample).substr(fragment.offset, fragment.length), words);
    for (size_t i = first; i < words.size(); ++i) words[i].offset += fragment.offset;
  }
  ASSERT_FALSE(words.empty());
  for (const Span& w : words) EXPECT_TRUE(token_ends.count(w.offset + w.n_bytes)) << param.file << " @" << w.offset;
  EXPECT_GE(ids.size(), words.size());
}

INSTANTIATE_TEST_SUITE_P(
    Families, ExtraVocabs,
    ::testing::Values(ExtraVocab{"ggml-vocab-command-r.gguf", "command-r", 5, 255001, {}},
                      ExtraVocab{"ggml-vocab-deepseek-coder.gguf", "deepseek-coder", 32013, 32014,
                                 fim(32016, 32015, 32017)},
                      ExtraVocab{"ggml-vocab-falcon.gguf", "falcon", 11, 11, {}},
                      ExtraVocab{"ggml-vocab-gpt-neox.gguf", "default", 0, 0, {}},  // no tokenizer.ggml.pre
                      ExtraVocab{"ggml-vocab-mpt.gguf", "mpt", 0, 0, {}},
                      ExtraVocab{"ggml-vocab-refact.gguf", "refact", 0, 0, fim(1, 3, 2)},
                      ExtraVocab{"ggml-vocab-starcoder.gguf", "starcoder", 0, 0, fim(1, 3, 2)}),
    [](const ::testing::TestParamInfo<ExtraVocab>& param_info) {
      std::string name = param_info.param.file.substr(11, param_info.param.file.size() - 16);  // ggml-vocab-NAME.gguf
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

// Spot checks of each family's digit handling on its real vocab.
TEST(ByteLevelVocabs, DigitGroupingPerFamily) {
  auto pieces = [](const Tokenizer& t, std::string_view text) {
    std::vector<std::string> out;
    for (TokenId id : t.encode(text, false, false)) out.push_back(t.token_to_piece(id));
    return out;
  };
  using Pieces = std::vector<std::string>;
  EXPECT_EQ(pieces(load("extra/ggml-vocab-starcoder.gguf"), "2024"), (Pieces{"2", "0", "2", "4"}));
  EXPECT_EQ(pieces(load("extra/ggml-vocab-command-r.gguf"), "2024"), (Pieces{"2", "0", "2", "4"}));
  EXPECT_EQ(pieces(load("extra/ggml-vocab-deepseek-coder.gguf"), "2024"), (Pieces{"2", "0", "2", "4"}));
  const Pieces falcon = pieces(load("extra/ggml-vocab-falcon.gguf"), "1234567");
  ASSERT_GE(falcon.size(), 3u);
  EXPECT_EQ(falcon.front().substr(0, 1), "1");
  EXPECT_EQ(falcon.back(), "7");  // "7" is left over after the groups of three
  EXPECT_EQ(pieces(llama3(), "1234567"), (Pieces{"123", "456", "7"}));
}

}  // namespace
}  // namespace mynah::tokenizer
