// Sampler chain cost per token on a 128,256-entry vocabulary (Llama 3) with a 2,000-token history
// (1,000 prompt + 1,000 generated): every stage on, the dense paths, greedy, and the logprob lookups.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "sampling/logprobs.h"
#include "sampling/sampler_chain.h"
#include "sampling/row_ops.h"

namespace {

using mynah::sampling::MirostatParams;
using mynah::sampling::PenaltyWindow;
using mynah::sampling::SamplerChain;
using mynah::sampling::SamplingParams;
using mynah::sampling::TokenHistory;
using mynah::sampling::XtcParams;

constexpr int32_t kVocab = 128256;
constexpr size_t kPromptTokens = 1000;
constexpr size_t kGeneratedTokens = 1000;

// Shaped like a language model's output: a broad N(0, 2) floor and a few dozen boosted candidates,
// so the head holds most of the mass (p_max around 0.3) over a long tail.
struct Workload {
  std::vector<float> logits;
  std::vector<int32_t> prompt;
  std::vector<int32_t> generated;

  Workload() : logits(kVocab), prompt(kPromptTokens), generated(kGeneratedTokens) {
    std::mt19937 gen(1234);
    std::normal_distribution<float> floor(0.0f, 2.0f);
    std::uniform_int_distribution<int32_t> token(0, kVocab - 1);
    std::uniform_real_distribution<float> boost(8.0f, 14.0f);
    for (float& z : logits) z = floor(gen);
    for (int i = 0; i < 40; ++i) logits[static_cast<size_t>(token(gen))] += boost(gen);
    // Text-like history: ids drawn from a 5,000-token working vocabulary, so tokens repeat.
    std::uniform_int_distribution<int32_t> common(0, 4999);
    for (int32_t& t : prompt) t = common(gen);
    for (int32_t& t : generated) t = common(gen);
  }
  TokenHistory history() const { return {prompt, generated}; }
};

const Workload& workload() {
  static const Workload w;
  return w;
}

SamplingParams every_stage(bool mirostat) {
  SamplingParams p;
  for (int32_t i = 0; i < 20; ++i) p.logit_bias.push_back({i * 611, (i % 2 == 0 ? 2.0f : -3.0f)});
  for (int32_t i = 0; i < 50; ++i) p.banned_token_ids.push_back(100000 + i * 7);
  for (int32_t i = 0; i < 10; ++i) p.banned_sequences.push_back({i, i + 1, i + 2});
  p.no_repeat_ngram_size = 3;
  p.min_new_tokens = 4000;  // still ahead: EOS and stop ids are suppressed on every step
  p.end_of_generation_ids = {128001, 128009};
  p.stop_token_ids = {13, 198};
  p.presence_penalty = 0.5f;
  p.frequency_penalty = 0.3f;
  p.penalty_window = PenaltyWindow::kPromptAndGenerated;
  p.repetition_penalty = 1.1f;
  p.temperature = 0.8f;
  p.top_k = 40;
  p.top_p = 0.95f;
  p.min_p = 0.05f;
  p.xtc = XtcParams{1.0f, 0.1f};
  if (mirostat) p.mirostat = MirostatParams{3.0f, 0.1f};
  p.seed = 7;
  return p;
}

void run_chain(benchmark::State& state, const SamplingParams& params) {
  const Workload& w = workload();
  SamplerChain chain(params);
  const TokenHistory history = w.history();
  for (auto _ : state) benchmark::DoNotOptimize(chain.sample(w.logits, history));
  state.SetItemsProcessed(state.iterations());
}

// Every stage on: bias, bans (ids, sequences, 3-gram, min tokens), all three penalties, temperature,
// top-k, top-p, min-p, XTC.
void BM_FullChain(benchmark::State& state) { run_chain(state, every_stage(false)); }

// The same with Mirostat, which replaces top-k/top-p/min-p and so must normalise the whole vocabulary.
void BM_FullChainMirostat(benchmark::State& state) { run_chain(state, every_stage(true)); }

// Common API defaults: temperature and top-p only (no top-k), a dense softmax.
void BM_TopP(benchmark::State& state) {
  SamplingParams p;
  p.temperature = 0.7f;
  p.top_p = 0.9f;
  run_chain(state, p);
}

// Temperature 1, no truncation: a draw from the whole distribution.
void BM_PlainDraw(benchmark::State& state) { run_chain(state, SamplingParams{}); }

// Greedy with nothing to edit: argmax in place.
void BM_Greedy(benchmark::State& state) {
  SamplingParams p;
  p.temperature = 0.0f;
  run_chain(state, p);
}

// Greedy after biases, bans and penalties (copies the row).
void BM_GreedyWithEdits(benchmark::State& state) {
  SamplingParams p = every_stage(false);
  p.temperature = 0.0f;
  run_chain(state, p);
}

// Raw-model scoring for a logprobs=5 request: one log-sum-exp shared by the chosen token and the top 5.
void BM_Logprobs5(benchmark::State& state) {
  const Workload& w = workload();
  for (auto _ : state) {
    const float log_norm = mynah::sampling::log_sum_exp(w.logits);
    benchmark::DoNotOptimize(mynah::sampling::token_logprob(w.logits, 42, log_norm));
    benchmark::DoNotOptimize(mynah::sampling::top_logprobs(w.logits, 5, log_norm));
  }
}

BENCHMARK(BM_FullChain)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FullChainMirostat)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TopP)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PlainDraw)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Greedy)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GreedyWithEdits)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Logprobs5)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
