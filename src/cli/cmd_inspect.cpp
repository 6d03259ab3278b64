// `mynah inspect`: what a GGUF file holds: architecture, hyperparameters, tensors by type, vocabulary.
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/model_source.h"
#include "model/model_config.h"
#include "tokenizer/tokenizer.h"

namespace mynah::cli {
namespace {

void print_tensor_summary(const gguf::GgufFile& file) {
  std::map<std::string_view, std::pair<int64_t, uint64_t>> by_type;  // count, bytes
  uint64_t total_bytes = 0, total_elements = 0;
  for (const auto& t : file.tensors()) {
    auto& [count, bytes] = by_type[gguf::ggml_type_name(t.type)];
    ++count;
    bytes += t.n_bytes;
    total_bytes += t.n_bytes;
    total_elements += t.n_elements;
  }
  fmt::print("tensors:        {} ({} parameters, {:.2f} MiB)\n", file.tensors().size(), total_elements,
             static_cast<double>(total_bytes) / (1 << 20));
  for (const auto& [type, cb] : by_type) {
    fmt::print("  {:<8} {:>6} tensors  {:>12} bytes\n", type, cb.first, cb.second);
  }
}

void print_config(const model::ModelConfig& c) {
  fmt::print("architecture:   {}\n", c.arch);
  if (!c.name.empty()) fmt::print("name:           {}\n", c.name);
  fmt::print("context length: {}\n", c.n_ctx_train);
  fmt::print("embedding:      {}\nlayers:         {}\nheads:          {} (kv heads {}, head size {})\n", c.n_embd,
             c.n_layers, c.n_heads, c.n_kv_heads, c.head_dim);
  fmt::print("feed-forward:   {}\nrms epsilon:    {}\nrope:           base {}, {} dims", c.n_ff, c.rms_eps,
             c.rope_freq_base, c.rope_dim);
  if (c.rope_scaling != model::RopeScaling::kNone) {
    fmt::print(", {} scaling x{}", c.rope_scaling == model::RopeScaling::kLinear ? "linear" : "yarn",
               c.rope_scaling_factor);
  }
  fmt::print("\n");
}

void print_vocab(const tokenizer::Tokenizer& tok) {
  fmt::print("vocabulary:     {} tokens\n", tok.n_vocab());
  auto show = [&](const char* label, tokenizer::TokenId id) {
    if (id >= 0) fmt::print("  {:<6} {} '{}'\n", label, id, tok.token_text(id));
  };
  show("bos", tok.bos_id());
  show("eos", tok.eos_id());
  fmt::print("  add_bos {}, add_eos {}\n", tok.add_bos(), tok.add_eos());
}

util::Status inspect(const std::string& path) {
  auto file = open_model_file(path);
  if (!file) return file.take_error();
  const auto& f = **file;
  fmt::print("file:           {} (GGUF v{}, {} bytes, {} metadata keys)\n", f.source_name(), f.version(),
             f.file_bytes(), f.metadata().keys().size());
  if (f.metadata().contains("general.architecture")) {
    auto config = model::ModelConfig::from_metadata(f.metadata());
    if (config) {
      print_config(*config);
    } else {
      fmt::print("model:          not loadable: {}\n", config.error().message);
    }
  }
  print_tensor_summary(f);
  auto tok = tokenizer::Tokenizer::from_gguf(f);
  if (tok) {
    print_vocab(*tok);
  } else {
    fmt::print("vocabulary:     not loadable: {}\n", tok.error().message);
  }
  return {};
}

}  // namespace

void add_inspect_command(CLI::App& root, int* exit_code) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = root.add_subcommand("inspect", "Describe a GGUF model file");
  cmd->add_option("model", *path, "GGUF file (default: the embedded model)");
  cmd->callback([path, exit_code] {
    auto status = inspect(*path);
    if (!status) {
      std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace mynah::cli
