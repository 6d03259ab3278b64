// `mynah serve`: load one or more models, start an engine for each, serve the HTTP API.
#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "api/dialect.h"
#include "cli/model_source.h"
#include "engine/engine.h"
#include "server/http_server.h"

namespace mynah::cli {
namespace {

struct ServeOptions {
  std::string model_path;
  std::vector<std::string> named_models;  // NAME=PATH
  server::ServerOptions server;
  engine::EngineOptions engine;
};

util::Result<std::unique_ptr<engine::Engine>> start_engine(const std::string& path, const engine::EngineOptions& options) {
  auto file = open_model_file(path);
  if (!file) return file.take_error();
  auto tok = tokenizer::Tokenizer::from_gguf(**file);
  if (!tok) return tok.take_error();
  auto model = model::load_model(*file);
  if (!model) return model.take_error();
  return engine::Engine::create(std::move(model).value(), std::move(tok).value(), options);
}

util::Status serve(const ServeOptions& o) {
  std::vector<std::pair<std::string, std::string>> models;  // name, path ("" = embedded)
  if (!o.model_path.empty()) models.emplace_back(std::filesystem::path(o.model_path).stem().string(), o.model_path);
  for (const auto& spec : o.named_models) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      return util::make_error("--model expects NAME=PATH, got '{}'", spec);
    }
    models.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  if (models.empty()) models.emplace_back(kEmbeddedModelName, "");
  server::ModelRegistry registry;
  for (const auto& [name, path] : models) {
    if (registry.find(name)) return util::make_error("model name '{}' is given twice", name);
    auto engine = start_engine(path, o.engine);
    if (!engine) return util::make_error("model '{}': {}", name, engine.error().message);
    spdlog::info("model '{}' loaded from {} (context {})", name, path.empty() ? "the embedded default" : path, (*engine)->n_ctx());
    registry.add(name, std::move(engine).value());
  }
  server::HttpServer http(o.server, registry);
  MYNAH_TRY(http.start());
  spdlog::info("listening on http://{}:{}", o.server.host, http.port());
  http.run();
  spdlog::info("stopped");
  return {};
}

}  // namespace

void add_serve_command(CLI::App& root, int* exit_code) {
  auto o = std::make_shared<ServeOptions>();
  // The help lists the dialects from the api registry, so a new dialect needs no edit here.
  std::string dialect_names;
  for (const auto& d : api::dialects()) dialect_names += (dialect_names.empty() ? "" : ", ") + std::string(d->name());
  CLI::App* cmd = root.add_subcommand("serve", "Serve the HTTP API (dialects: " + dialect_names + ")");
  cmd->add_option("-m,--model-file", o->model_path, "GGUF model served under its file name (default: the embedded model)");
  cmd->add_option("--model", o->named_models, "NAME=PATH: serve a model under NAME (repeatable)");
  cmd->add_option("--host", o->server.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o->server.port, "Port to listen on (0: any free port)")->capture_default_str();
  cmd->add_option("--api-key", o->server.api_keys, "Require this API key on generation routes (repeatable)");
  cmd->add_option("--metrics-key", o->server.metrics_key, "Require this bearer key on /metrics");
  cmd->add_option("--max-body-bytes", o->server.max_body_bytes, "Largest accepted request body")->capture_default_str()
      ->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 32));
  cmd->add_option("--parallel", o->engine.n_parallel, "Sequences computed at once")->capture_default_str()->check(CLI::Range(1, 4096));
  cmd->add_option("-c,--ctx-size", o->engine.n_ctx, "Context per sequence (default: the model's)")->check(CLI::Range(1, 1 << 24));
  cmd->add_option("-t,--threads", o->engine.n_threads, "Compute threads (default: physical cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("--batch-tokens", o->engine.batch_tokens, "Tokens per engine step (chunked prefill budget)")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--max-queue", o->engine.max_queue, "Waiting requests before 429")->capture_default_str()->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--kv-blocks", o->engine.n_kv_blocks, "KV cache blocks of 16 positions (default: parallel full contexts)")
      ->check(CLI::Range(1, 1 << 24));
  cmd->callback([o, exit_code] {
    auto status = serve(*o);
    if (!status) {
      std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace mynah::cli
