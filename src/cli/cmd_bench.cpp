// `mynah bench`: prompt-processing (ppN) and generation (tgN) throughput of a GGUF model, measured the
// way llama-bench measures it so the tables compare directly: the model is driven without the engine,
// ppN is one forward pass over N random tokens, tgN is N single-token passes starting from an empty
// cache, each test is warmed up once, and the table shows mean +- sample stddev of tokens/s over
// the repetitions.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_source.h"
#include "kernels/cpu_features.h"
#include "kernels/kernel_table.h"
#include "model/model.h"

namespace mynah::cli {
namespace {

struct BenchOptions {
  std::optional<std::string> model_path;
  std::vector<int32_t> n_prompt = {512};
  std::vector<int32_t> n_gen = {128};
  std::vector<int32_t> n_threads = {0};
  int32_t repetitions = 5;
  std::string output = "md";
};

struct TestResult {
  std::string name;  // "pp512" or "tg128"
  int32_t n_prompt = 0, n_gen = 0, n_threads = 0;
  std::vector<double> samples_ts;  // tokens per second, one per repetition
  double mean() const;
  double stddev() const;
};

double TestResult::mean() const {
  double sum = 0.0;
  for (double v : samples_ts) sum += v;
  return samples_ts.empty() ? 0.0 : sum / static_cast<double>(samples_ts.size());
}

double TestResult::stddev() const {
  if (samples_ts.size() < 2) return 0.0;
  const double m = mean();
  double ss = 0.0;
  for (double v : samples_ts) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(samples_ts.size() - 1));
}

// n with a K/M/B suffix ("1B", "1.10 B").
std::string count(uint64_t n, const char* format) {
  const double v = static_cast<double>(n);
  if (v >= 1e9) return fmt::format(fmt::runtime(format), v / 1e9, "B");
  if (v >= 1e6) return fmt::format(fmt::runtime(format), v / 1e6, "M");
  return fmt::format(fmt::runtime(format), v / 1e3, "K");
}

// What llama-bench prints about a model: "llama 1B Q4_0", bytes and parameters of all tensors.
struct ModelInfo {
  std::string description, type;
  uint64_t bytes = 0, n_params = 0;
};

ModelInfo describe(const gguf::GgufFile& file, const model::ModelConfig& config) {
  ModelInfo info;
  std::map<gguf::GgmlType, uint64_t> matrix_bytes;  // the type of most 2-D weight bytes names the file
  for (const auto& t : file.tensors()) {
    info.bytes += t.n_bytes;
    info.n_params += t.n_elements;
    if (t.dims.size() >= 2) matrix_bytes[t.type] += t.n_bytes;
  }
  auto top = std::max_element(matrix_bytes.begin(), matrix_bytes.end(),
                              [](const auto& a, const auto& b) { return a.second < b.second; });
  info.type = top == matrix_bytes.end() ? "?" : std::string(gguf::ggml_type_name(top->first));
  std::transform(info.type.begin(), info.type.end(), info.type.begin(), ::toupper);
  info.description = fmt::format("{} {} {}", config.arch, count(info.n_params, "{:.0f}{}"), info.type);
  return info;
}

// One model, one cache and one pool per thread count; every test starts from an empty cache.
class Bench {
 public:
  Bench(model::Model& m, int32_t n_ctx, int32_t n_threads)
      : model_(m), pool_(n_threads), rng_(1234),
        cache_(m.make_kv_cache((n_ctx + kBlockSize - 1) / kBlockSize, kBlockSize)) {
    table_.resize((n_ctx + kBlockSize - 1) / kBlockSize);
    for (size_t i = 0; i < table_.size(); ++i) table_[i] = static_cast<int32_t>(i);
    logits_.resize(m.config().n_vocab);
  }

  int n_threads() const { return pool_.n_threads(); }

  // Seconds to process n random tokens in one batch (logits for the last only).
  util::Result<double> prompt(int32_t n) {
    model::ForwardBatch b = batch();
    for (int32_t i = 0; i < n; ++i) b.entries.push_back({0, i, random_token(), i + 1 == n});
    const auto t0 = std::chrono::steady_clock::now();
    MYNAH_TRY(model_.forward(b, cache_, pool_, logits_.data()));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  // Seconds to generate n tokens one at a time from position 0.
  util::Result<double> generate(int32_t n) {
    model::ForwardBatch b = batch();
    const auto t0 = std::chrono::steady_clock::now();
    for (int32_t i = 0; i < n; ++i) {
      b.entries = {{0, i, random_token(), true}};
      MYNAH_TRY(model_.forward(b, cache_, pool_, logits_.data()));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

 private:
  static constexpr int32_t kBlockSize = 256;

  model::ForwardBatch batch() const {
    model::ForwardBatch b;
    b.block_tables = {table_};
    return b;
  }
  int32_t random_token() { return static_cast<int32_t>(rng_() % static_cast<uint32_t>(model_.config().n_vocab)); }

  model::Model& model_;
  util::ThreadPool pool_;
  std::mt19937 rng_;
  model::KvCache cache_;
  std::vector<int32_t> table_;
  std::vector<float> logits_;
};

util::Result<TestResult> run_test(Bench& bench, int32_t n_prompt, int32_t n_gen, int32_t repetitions) {
  TestResult r;
  r.n_prompt = n_prompt;
  r.n_gen = n_gen;
  r.n_threads = bench.n_threads();
  r.name = n_prompt > 0 ? fmt::format("pp{}", n_prompt) : fmt::format("tg{}", n_gen);
  const int32_t n = n_prompt > 0 ? n_prompt : n_gen;
  const auto once = [&]() { return n_prompt > 0 ? bench.prompt(n) : bench.generate(n); };
  auto warmup = n_prompt > 0 ? bench.prompt(n) : bench.generate(1);
  if (!warmup) return warmup.take_error();
  for (int32_t i = 0; i < repetitions; ++i) {
    auto seconds = once();
    if (!seconds) return seconds.take_error();
    r.samples_ts.push_back(static_cast<double>(n) / *seconds);
  }
  return r;
}

void print_markdown(const ModelInfo& info, const std::vector<TestResult>& results) {
  const std::string size = info.bytes >= (uint64_t{1} << 30)
                               ? fmt::format("{:.2f} GiB", static_cast<double>(info.bytes) / (1 << 30))
                               : fmt::format("{:.2f} MiB", static_cast<double>(info.bytes) / (1 << 20));
  const std::string params = count(info.n_params, "{:.2f} {}");
  const std::string backend = fmt::format("CPU ({})", kernels::isa_name(kernels::kernels().isa));
  fmt::print("| {:<30} | {:>10} | {:>10} | {:<12} | {:>7} | {:>13} | {:>20} |\n", "model", "size", "params", "backend",
             "threads", "test", "t/s");
  const auto right = [](int width) { return std::string(width - 1, '-') + ":"; };
  fmt::print("| {} | {} | {} | {} | {} | {} | {} |\n", std::string(30, '-'), right(10), right(10), std::string(12, '-'),
             right(7), right(13), right(20));
  for (const TestResult& r : results) {
    fmt::print("| {:<30} | {:>10} | {:>10} | {:<12} | {:>7} | {:>13} | {:>20} |\n", info.description, size, params,
               backend, r.n_threads, r.name, fmt::format("{:.2f} ± {:.2f}", r.mean(), r.stddev()));
  }
}

void print_json(const ModelInfo& info, const std::vector<TestResult>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (const TestResult& r : results) {
    out.push_back({{"model_type", info.description},
                   {"model_size", info.bytes},
                   {"model_n_params", info.n_params},
                   {"backends", "CPU"},
                   {"isa", kernels::isa_name(kernels::kernels().isa)},
                   {"n_threads", r.n_threads},
                   {"n_prompt", r.n_prompt},
                   {"n_gen", r.n_gen},
                   {"test", r.name},
                   {"avg_ts", r.mean()},
                   {"stddev_ts", r.stddev()},
                   {"samples_ts", r.samples_ts}});
  }
  fmt::print("{}\n", out.dump(2));
}

util::Status bench(const BenchOptions& o) {
  auto file = open_model_file(o.model_path);
  if (!file) return file.take_error();
  auto model = model::load_model(*file);
  if (!model) return model.take_error();
  const ModelInfo info = describe(**file, (*model)->config());
  int32_t n_ctx = 1;
  for (int32_t p : o.n_prompt) n_ctx = std::max(n_ctx, p);
  for (int32_t g : o.n_gen) n_ctx = std::max(n_ctx, g);
  std::vector<TestResult> results;
  for (int32_t threads : o.n_threads) {
    Bench b(**model, n_ctx, threads);
    for (int32_t p : o.n_prompt) {
      if (p <= 0) continue;
      auto r = run_test(b, p, 0, o.repetitions);
      if (!r) return r.take_error();
      results.push_back(std::move(r).value());
    }
    for (int32_t g : o.n_gen) {
      if (g <= 0) continue;
      auto r = run_test(b, 0, g, o.repetitions);
      if (!r) return r.take_error();
      results.push_back(std::move(r).value());
    }
  }
  if (o.output == "json") {
    print_json(info, results);
  } else {
    print_markdown(info, results);
  }
  return {};
}

}  // namespace

void add_bench_command(CLI::App& root, int* exit_code) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = root.add_subcommand("bench", "Measure prompt-processing and generation speed (like llama-bench)");
  cmd->add_option("-m,--model", o->model_path, "GGUF model file (default: the embedded stories260K model)");
  cmd->add_option("-p,--n-prompt", o->n_prompt, "Prompt tokens per pp test (comma list; 0 = none)")
      ->delimiter(',')->check(CLI::Range(0, 1 << 20));
  cmd->add_option("-n,--n-gen", o->n_gen, "Generated tokens per tg test (comma list; 0 = none)")
      ->delimiter(',')->check(CLI::Range(0, 1 << 20));
  cmd->add_option("-t,--threads", o->n_threads, "Compute threads (comma list; default: physical cores)")
      ->delimiter(',')->check(CLI::Range(1, 1024));
  cmd->add_option("-r,--repetitions", o->repetitions, "Repetitions per test")->check(CLI::Range(1, 1000));
  cmd->add_option("-o,--output", o->output, "Output format")->check(CLI::IsMember({"md", "json"}));
  cmd->callback([o, exit_code] {
    auto status = bench(*o);
    if (!status) {
      std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace mynah::cli
