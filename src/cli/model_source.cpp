// open_model_file: mmap a user's GGUF or parse the embedded bytes in place (no copy).
#include "cli/model_source.h"

#include <span>

extern "C" const uint8_t mynah_embedded_model_begin[];
extern "C" const uint8_t mynah_embedded_model_end[];

namespace mynah::cli {

util::Result<std::shared_ptr<const gguf::GgufFile>> open_model_file(const std::optional<std::string>& path) {
  util::Result<gguf::GgufFile> file =
      path && !path->empty()
          ? gguf::GgufFile::open(*path)
          : gguf::GgufFile::parse(std::span<const uint8_t>(mynah_embedded_model_begin, mynah_embedded_model_end),
                                  std::string("embedded:") + kEmbeddedModelName);
  if (!file) return file.take_error();
  return std::shared_ptr<const gguf::GgufFile>(std::make_shared<gguf::GgufFile>(std::move(file).value()));
}

}  // namespace mynah::cli
