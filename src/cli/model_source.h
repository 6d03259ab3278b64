// Where a command's model comes from: a GGUF path given with -m, or the model compiled into the binary.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "gguf/gguf_reader.h"
#include "util/status.h"

namespace mynah::cli {

inline constexpr const char* kEmbeddedModelName = "stories260K";

// nullopt or empty path: the embedded default model.
util::Result<std::shared_ptr<const gguf::GgufFile>> open_model_file(const std::optional<std::string>& path);

}  // namespace mynah::cli
