// `mynah generate`: prompt in, continuation on stdout (streamed), timings on stderr.
#include <chrono>
#include <cstdio>
#include <random>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/model_source.h"
#include "model/model.h"
#include "sampling/sampler_chain.h"
#include "tokenizer/decode_stream.h"
#include "tokenizer/tokenizer.h"

namespace mynah::cli {
namespace {

constexpr int32_t kKvBlockSize = 16;
constexpr int32_t kPromptChunk = 512;  // tokens per forward call while prefilling

struct GenerateOptions {
  std::string model_path;
  std::string prompt;
  int32_t n_predict = 128;
  float temperature = 0.8f;
  int32_t top_k = 40;
  float top_p = 0.95f;
  int64_t seed = -1;
  int32_t n_threads = 0;
  int32_t n_ctx = 0;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

sampling::SamplingParams sampling_params(const GenerateOptions& o) {
  sampling::SamplingParams p;
  p.temperature = o.temperature;
  if (o.top_k > 0) p.top_k = o.top_k;
  p.top_p = o.top_p;
  p.seed = o.seed >= 0 ? static_cast<uint64_t>(o.seed) : std::random_device{}();
  return p;
}

util::Status generate(const GenerateOptions& o) {
  const auto t_load = std::chrono::steady_clock::now();
  auto file = open_model_file(o.model_path);
  if (!file) return file.take_error();
  auto tok = tokenizer::Tokenizer::from_gguf(**file);
  if (!tok) return tok.take_error();
  auto model = model::load_model(*file);
  if (!model) return model.take_error();
  const auto& cfg = (*model)->config();
  const int32_t n_ctx = o.n_ctx > 0 ? o.n_ctx : cfg.n_ctx_train;
  util::ThreadPool pool(o.n_threads);
  const double load_s = seconds_since(t_load);

  const auto prompt = tok->encode(o.prompt, tok->add_bos(), /*parse_special=*/true);
  if (prompt.empty()) return util::make_error("the prompt is empty and the model adds no BOS token");
  if (static_cast<int32_t>(prompt.size()) >= n_ctx) {
    return util::make_error("the prompt has {} tokens but the context holds {} (-c)", prompt.size(), n_ctx);
  }
  const int32_t n_blocks = (n_ctx + kKvBlockSize - 1) / kKvBlockSize;
  auto cache = (*model)->make_kv_cache(n_blocks, kKvBlockSize);
  std::vector<int32_t> block_table(n_blocks);
  for (int32_t b = 0; b < n_blocks; ++b) block_table[b] = b;
  std::vector<float> logits(cfg.n_vocab);

  model::ForwardBatch batch;
  batch.block_tables = {block_table};
  const auto t_prompt = std::chrono::steady_clock::now();
  for (size_t start = 0; start < prompt.size(); start += kPromptChunk) {
    batch.entries.clear();
    for (size_t i = start; i < std::min(prompt.size(), start + kPromptChunk); ++i) {
      batch.entries.push_back({0, static_cast<int32_t>(i), prompt[i], i + 1 == prompt.size()});
    }
    MYNAH_TRY((*model)->forward(batch, cache, pool, logits.data()));
  }
  const double prompt_s = seconds_since(t_prompt);

  const auto params = sampling_params(o);
  sampling::SamplerChain sampler(params);
  tokenizer::DecodeStream stream(*tok, /*at_sequence_start=*/false);
  const auto t_gen = std::chrono::steady_clock::now();
  std::vector<int32_t> generated;
  int32_t n_generated = 0;
  int32_t pos = static_cast<int32_t>(prompt.size());
  while (n_generated < o.n_predict && pos < n_ctx) {
    const auto next = sampler.sample(logits, {prompt, generated});
    if (!next) break;  // every token was excluded
    const int32_t token = *next;
    ++n_generated;
    if (tok->is_end_of_generation(token)) break;
    generated.push_back(token);
    std::fputs(stream.push(token).c_str(), stdout);
    std::fflush(stdout);
    if (n_generated == o.n_predict || pos >= n_ctx) break;
    batch.entries = {{0, pos++, token, true}};
    MYNAH_TRY((*model)->forward(batch, cache, pool, logits.data()));
  }
  std::fputs((stream.flush() + "\n").c_str(), stdout);
  std::fflush(stdout);
  const double gen_s = seconds_since(t_gen);
  std::fprintf(stderr, "load: %.3f s | prompt: %zu tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s | "
               "threads: %d | seed: %llu\n", load_s, prompt.size(), prompt.size() / prompt_s, n_generated,
               n_generated / gen_s, pool.n_threads(), static_cast<unsigned long long>(params.seed));
  return {};
}

}  // namespace

void add_generate_command(CLI::App& root, int* exit_code) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = root.add_subcommand("generate", "Generate a continuation of a prompt");
  cmd->add_option("-m,--model", o->model_path, "GGUF model file (default: the embedded stories260K model)");
  cmd->add_option("-p,--prompt", o->prompt, "Prompt text")->required();
  cmd->add_option("-n,--n-predict", o->n_predict, "Tokens to generate")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--temp", o->temperature, "Temperature (0 = greedy)")->check(CLI::Range(0.0f, 100.0f));
  cmd->add_option("--top-k", o->top_k, "Top-k (0 = off)")->check(CLI::Range(0, 1 << 24));
  cmd->add_option("--top-p", o->top_p, "Top-p (1 = off)")->check(CLI::Range(0.0f, 1.0f));
  cmd->add_option("--seed", o->seed, "Random seed (-1 = random)")->check(CLI::Range(int64_t{-1}, INT64_MAX));
  cmd->add_option("-t,--threads", o->n_threads, "Compute threads (default: physical cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("-c,--ctx-size", o->n_ctx, "Context size in tokens (default: the model's)")->check(CLI::Range(1, 1 << 24));
  cmd->callback([o, exit_code] {
    auto status = generate(*o);
    if (!status) {
      std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace mynah::cli
