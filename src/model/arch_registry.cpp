// The single list of supported architectures: adding one is one arch/<name>.cpp plus one row here.
#include <array>
#include <string_view>

#include "model/arch/llama.h"
#include "model/model.h"

namespace mynah::model {
namespace {

using Loader = util::Result<std::unique_ptr<Model>> (*)(std::shared_ptr<const gguf::GgufFile>, ModelConfig);

struct ArchEntry {
  std::string_view name;
  Loader load;
};

constexpr std::array kArchitectures = {
    ArchEntry{"llama", &load_llama},
};

}  // namespace

util::Result<std::unique_ptr<Model>> load_model(std::shared_ptr<const gguf::GgufFile> file) {
  auto config = ModelConfig::from_metadata(file->metadata());
  if (!config) return util::make_error("{}: {}", file->source_name(), config.error().message);
  for (const auto& arch : kArchitectures) {
    if (arch.name == config->arch) return arch.load(std::move(file), std::move(config).value());
  }
  std::string known;
  for (const auto& arch : kArchitectures) known += (known.empty() ? "" : ", ") + std::string(arch.name);
  return util::make_error("{}: architecture '{}' is not supported (supported: {})", file->source_name(), config->arch, known);
}

}  // namespace mynah::model
