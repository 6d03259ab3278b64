// Tokenizer throughput: encode 1 MB of mixed text (English prose, C++ code, CJK, emoji, numbers)
// single-threaded with the shared vocabularies, warm and with a cold word cache; decode; load.
#include <benchmark/benchmark.h>

#include <array>
#include <random>
#include <stdexcept>
#include <string>

#include "tokenizer/tokenizer.h"

namespace {

using mynah::tokenizer::TokenId;
using mynah::tokenizer::Tokenizer;

constexpr size_t kTextBytes = size_t{1} << 20;

constexpr std::array<const char*, 6> kProse = {
    "The committee met on Tuesday to review the proposal, and after a long discussion it agreed that "
    "the budget would need another look before anything could be approved. ",
    "She hadn't expected the results to be so clear: every measurement pointed the same way, which "
    "almost never happens in field work like this. ",
    "In 1969, roughly 600 million people watched the landing; today we'd stream it to billions. ",
    "\"Why not?\" he asked, leaning back. \"We've tried everything else, and they're still waiting.\"\n\n",
    "Prices rose 3.7% in March, the largest increase since 2008 (excluding energy and food). ",
    "Photosynthesis converts light energy into chemical energy stored in glucose molecules.\n",
};
constexpr std::array<const char*, 4> kCode = {
    "for (size_t i = 0; i < n_tokens; ++i) {\n    logits[i] = std::max(logits[i], -1e9f);\n}\n",
    "def merge(pairs, ranks):\n    return sorted(pairs, key=lambda p: ranks.get(p, float('inf')))\n\n",
    "  if (!file.ok()) return util::make_error(\"{}: {}\", path, file.error().message);\n",
    "<div class=\"row\"><span id=\"x-42\">{{ user.name | escape }}</span></div>\n",
};
constexpr std::array<const char*, 4> kCjk = {
    "\xE6\x88\x91\xE4\xBB\xAC\xE4\xBB\x8A\xE5\xA4\xA9\xE5\x8E\xBB\xE5\x85\xAC\xE5\x9B\xAD\xE6\x95\xA3\xE6\xAD\xA5\xE3\x80\x82",
    "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAF\xE6\x97\xA5\xE6\x9C\xAC\xE3\x81\xAE\xE9\xA6\x96\xE9\x83\xBD\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82",
    "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4\xEB\x8A\x94 \xEC\x96\xB4\xEB\xA0\xB5\xEC\xA7\x80 \xEC\x95\x8A\xEC\x8A\xB5\xEB\x8B\x88\xEB\x8B\xA4. ",
    "\xE4\xBA\xBA\xE5\xB7\xA5\xE6\x99\xBA\xE8\x83\xBD\xE6\xAD\xA3\xE5\x9C\xA8\xE6\x94\xB9\xE5\x8F\x98\xE4\xB8\x96\xE7\x95\x8C\xEF\xBC\x81\n",
};
constexpr std::array<const char*, 4> kEmoji = {
    " \xF0\x9F\xA6\x99", " \xF0\x9F\x9A\x80\xF0\x9F\x9A\x80", " \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F",
    " \xE2\x9C\x85 ",
};

// Deterministic mix by bytes: about 60% prose, 25% code, 10% CJK, 5% emoji, with random numbers
// mixed in so words are not all cache hits.
const std::string& mixed_text() {
  static const std::string text = [] {
    std::mt19937 rng(2024);
    std::string out;
    out.reserve(kTextBytes + 256);
    while (out.size() < kTextBytes) {
      const unsigned roll = rng() % 100;
      if (roll < 60) {
        out += kProse[rng() % kProse.size()];
      } else if (roll < 85) {
        out += kCode[rng() % kCode.size()];
      } else if (roll < 95) {
        out += kCjk[rng() % kCjk.size()];
      } else {
        out += kEmoji[rng() % kEmoji.size()];
      }
      if (rng() % 4 == 0) {
        out += ' ';
        out += std::to_string(rng() % 100000);
        out += ' ';
      }
    }
    out.resize(kTextBytes);
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();  // whole chars
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    return out;
  }();
  return text;
}

std::string vocab_path(const char* name) {
  return std::string(MYNAH_SHARED_DIR) + "/tokenizer-vectors/ggml-vocab-" + name + ".gguf";
}

// Loading is not measured except in BM_Load.
Tokenizer load(const char* name) {
  auto file = mynah::gguf::GgufFile::open(vocab_path(name));
  if (!file) throw std::runtime_error(file.error().message);
  auto tok = Tokenizer::from_gguf(*file);
  if (!tok) throw std::runtime_error(tok.error().message);
  return std::move(tok).value();
}

void BM_Encode(benchmark::State& state, const char* name) {
  const Tokenizer tok = load(name);
  const std::string& text = mixed_text();
  size_t n_tokens = 0;
  for (auto _ : state) {
    auto ids = tok.encode(text, false, false);
    n_tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(n_tokens);
}

// First encode after load: every word misses the cache (the case a server sees on new text).
void BM_EncodeColdCache(benchmark::State& state, const char* name) {
  const std::string& text = mixed_text();
  for (auto _ : state) {
    state.PauseTiming();
    Tokenizer tok = load(name);
    state.ResumeTiming();
    auto ids = tok.encode(text, false, false);
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Decode(benchmark::State& state, const char* name) {
  const Tokenizer tok = load(name);
  const std::vector<TokenId> ids = tok.encode(mixed_text(), false, false);
  for (auto _ : state) {
    std::string text = tok.decode(ids);
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * mixed_text().size()));
}

void BM_Load(benchmark::State& state, const char* name) {
  for (auto _ : state) benchmark::DoNotOptimize(load(name).n_vocab());
}

}  // namespace

int main(int argc, char** argv) {
  for (const char* name : {"llama-bpe", "llama-spm", "qwen2", "gpt-2", "deepseek-llm"}) {
    const std::string suffix = std::string("/") + name;
    benchmark::RegisterBenchmark(("BM_Encode" + suffix).c_str(), BM_Encode, name)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_EncodeColdCache" + suffix).c_str(), BM_EncodeColdCache, name)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
    benchmark::RegisterBenchmark(("BM_Decode" + suffix).c_str(), BM_Decode, name)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Load" + suffix).c_str(), BM_Load, name)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
