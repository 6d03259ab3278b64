// `mynah quantize IN.gguf OUT.gguf TYPE`: rewrites an F32/F16/BF16 GGUF with its matrices in TYPE
// (or a mixed recipe such as q4_k_m, tensor/quantize_plan.h), keeping every metadata key; only
// general.file_type and general.quantization_version are set to describe the new file.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tensor/dequantize.h"
#include "tensor/quantize.h"
#include "tensor/quantize_plan.h"
#include "util/thread_pool.h"

namespace mynah::cli {
namespace {

using gguf::GgmlType;

struct QuantizeOptions {
  std::string in_path, out_path, type;
  int32_t n_threads = 0;
};

bool is_float_source(GgmlType type) {
  return type == GgmlType::kF32 || type == GgmlType::kF16 || type == GgmlType::kBF16;
}

// The tensor's rows converted to `type`, rows spread over the pool (each row is independent).
util::Result<std::vector<uint8_t>> convert(const gguf::GgufFile& file, const gguf::TensorInfo& t, GgmlType type,
                                           util::ThreadPool& pool) {
  const int64_t n_cols = static_cast<int64_t>(t.dims[0]);
  const int64_t n_rows = static_cast<int64_t>(t.n_elements / t.dims[0]);
  const auto in_traits = gguf::ggml_type_traits(t.type), out_traits = gguf::ggml_type_traits(type);
  const size_t in_row = static_cast<size_t>(n_cols / in_traits.block_size) * in_traits.block_bytes;
  const size_t out_row = static_cast<size_t>(n_cols / out_traits.block_size) * out_traits.block_bytes;
  std::vector<uint8_t> out(out_row * static_cast<size_t>(n_rows));
  const uint8_t* in = file.tensor_bytes(t).data();
  std::atomic<bool> ok{true};
  pool.parallel_for(n_rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(n_cols));
    for (int64_t r = begin; r < end; ++r) {
      if (!tensor::dequantize_row(t.type, in + in_row * r, row.data(), n_cols) ||
          !tensor::quantize_row(type, row.data(), out.data() + out_row * r, n_cols)) {
        ok = false;
        return;
      }
    }
  });
  if (!ok) return util::make_error("tensor {}: cannot convert {} to {}", t.name, gguf::ggml_type_name(t.type),
                                   gguf::ggml_type_name(type));
  return out;
}

// The layer count from "<arch>.block_count", or one more than the highest blk.N seen.
int64_t count_layers(const gguf::GgufFile& file) {
  int64_t n = 0;
  for (const auto& t : file.tensors()) {
    if (t.name.rfind("blk.", 0) != 0) continue;
    n = std::max<int64_t>(n, std::atoll(t.name.c_str() + 4) + 1);
  }
  return n;
}

// Checked before any work: converting a large model only to fail at the write wastes minutes, and
// writing over the memory-mapped input would destroy it.
util::Status check_output_path(const std::string& in_path, const std::string& out_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::equivalent(in_path, out_path, ec)) {
    return util::make_error("the output '{}' is the input file; write the quantized model to a new path", out_path);
  }
  const fs::path dir = fs::path(out_path).has_parent_path() ? fs::path(out_path).parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) return util::make_error("cannot create '{}': no directory '{}'", out_path, dir.string());
  if (::access(dir.c_str(), W_OK) != 0) return util::make_error("cannot create '{}': {}", out_path, std::strerror(errno));
  return {};
}

util::Status quantize(const QuantizeOptions& o) {
  const std::optional<tensor::QuantizeRecipe> recipe = tensor::find_quantize_recipe(o.type);
  if (!recipe) return util::make_error("unknown type '{}' (expected one of {})", o.type, tensor::quantize_recipe_names());
  MYNAH_TRY(check_output_path(o.in_path, o.out_path));
  auto file = gguf::GgufFile::open(o.in_path);
  if (!file) return file.take_error();
  const int64_t n_layers = count_layers(*file);
  const bool tied = file->find_tensor("output.weight") == nullptr;
  util::ThreadPool pool(o.n_threads);
  gguf::GgufWriter writer(static_cast<uint32_t>(file->alignment()));
  for (const auto& key : file->metadata().keys()) {
    if (key == "general.file_type" || key == "general.quantization_version") continue;
    writer.add(key, *file->metadata().find(key));
  }
  writer.add("general.file_type", {recipe->file_type});
  writer.add("general.quantization_version", {uint32_t{2}});
  uint64_t bytes_in = 0, bytes_out = 0;
  for (const auto& t : file->tensors()) {
    const std::optional<GgmlType> type = tensor::planned_type(*recipe, {t.name, t.dims, tied}, n_layers);
    const std::span<const uint8_t> src = file->tensor_bytes(t);
    bytes_in += src.size();
    if (!type || *type == t.type) {  // kept as it is
      writer.add_tensor(t.name, t.type, t.dims, std::vector<uint8_t>(src.begin(), src.end()));
      bytes_out += src.size();
      continue;
    }
    if (!is_float_source(t.type)) {
      return util::make_error("tensor {} is {}: only F32, F16 and BF16 tensors can be quantized", t.name,
                              gguf::ggml_type_name(t.type));
    }
    auto data = convert(*file, t, *type, pool);
    if (!data) return data.take_error();
    std::fprintf(stderr, "%-32s %-6s -> %s\n", t.name.c_str(), std::string(gguf::ggml_type_name(t.type)).c_str(),
                 std::string(gguf::ggml_type_name(*type)).c_str());
    bytes_out += data->size();
    writer.add_tensor(t.name, *type, t.dims, std::move(*data));
  }
  MYNAH_TRY(writer.write_file(o.out_path));
  std::fprintf(stderr, "wrote %s: %.2f MiB -> %.2f MiB (%s)\n", o.out_path.c_str(), static_cast<double>(bytes_in) / (1 << 20),
               static_cast<double>(bytes_out) / (1 << 20), recipe->name.c_str());
  return {};
}

}  // namespace

void add_quantize_command(CLI::App& root, int* exit_code) {
  auto o = std::make_shared<QuantizeOptions>();
  CLI::App* cmd = root.add_subcommand("quantize", "Convert an F32/F16/BF16 GGUF to a quantized type or recipe");
  cmd->add_option("input", o->in_path, "Input GGUF (F32, F16 or BF16 matrices)")->required()->check(CLI::ExistingFile);
  cmd->add_option("output", o->out_path, "Output GGUF")->required();
  cmd->add_option("type", o->type, "Target: " + tensor::quantize_recipe_names())->required();
  cmd->add_option("-t,--threads", o->n_threads, "Threads (default: physical cores)")->check(CLI::Range(1, 1024));
  cmd->callback([o, exit_code] {
    auto status = quantize(*o);
    if (!status) {
      std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace mynah::cli
