// `mynah generate`: prompt in, continuation on stdout (streamed through the engine), timings on stderr.
#include <chrono>
#include <cstdio>
#include <future>
#include <random>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/model_source.h"
#include "engine/engine.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace mynah::cli {
namespace {

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
  engine::EngineOptions eo;
  eo.n_ctx = o.n_ctx;
  eo.n_parallel = 1;
  eo.n_threads = o.n_threads;
  auto eng = engine::Engine::create(std::move(model).value(), std::move(tok).value(), eo);
  if (!eng) return eng.take_error();
  const double load_s = seconds_since(t_load);

  engine::GenerationRequest req;
  req.prompts = {engine::Prompt{o.prompt, {}, {}}};
  req.max_new_tokens = o.n_predict;
  req.overflow = engine::OverflowPolicy::kShrinkMaxTokens;
  req.sampling = sampling_params(o);
  // Streams text to stdout from the engine thread; the main thread waits for the finish event.
  std::promise<engine::GenerationEvent> done;
  std::chrono::steady_clock::time_point t_first{};
  const auto t_start = std::chrono::steady_clock::now();
  auto id = (*eng)->submit(std::move(req), [&](engine::GenerationEvent ev) {
    if (!ev.tokens.empty() && t_first == std::chrono::steady_clock::time_point{}) t_first = std::chrono::steady_clock::now();
    std::fwrite(ev.text_delta.data(), 1, ev.text_delta.size(), stdout);
    std::fflush(stdout);
    if (ev.finish) done.set_value(std::move(ev));
  });
  if (!id) return util::Error{id.error().message};
  const engine::GenerationEvent last = done.get_future().get();
  const auto t_end = std::chrono::steady_clock::now();
  std::fputs("\n", stdout);
  std::fflush(stdout);
  if (last.finish == engine::FinishReason::kError) return util::Error{last.error};
  // Prompt speed counts up to the first token (prefill + one sample); generation speed the rest.
  const auto& u = last.usage;
  if (t_first == std::chrono::steady_clock::time_point{}) t_first = t_end;
  const double prompt_s = std::chrono::duration<double>(t_first - t_start).count();
  const double gen_s = std::chrono::duration<double>(t_end - t_first).count();
  std::fprintf(stderr, "load: %.3f s | prompt: %d tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s | "
               "threads: %d | seed: %llu\n", load_s, u.prompt_tokens, u.prompt_tokens / prompt_s, u.completion_tokens,
               u.completion_tokens > 1 ? (u.completion_tokens - 1) / gen_s : 0.0,
               o.n_threads > 0 ? o.n_threads : util::ThreadPool::physical_cores(),
               static_cast<unsigned long long>(last.seed));
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
