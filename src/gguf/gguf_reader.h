// GGUF v2/v3 reader. The file is treated as hostile: every count, length and offset is checked
// against the bytes actually present before anything is allocated or read, and the first problem
// is reported with its byte offset, key or tensor name. Tensor data stays in the mapping (no copy).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_types.h"
#include "gguf/metadata.h"
#include "util/mmap_file.h"
#include "util/status.h"

namespace mynah::gguf {

class GgufFile {
 public:
  // Maps the file at `path` and parses it.
  static util::Result<GgufFile> open(const std::string& path);
  // Parses bytes that outlive the GgufFile (e.g. a model compiled into the binary).
  static util::Result<GgufFile> parse(std::span<const uint8_t> bytes, std::string source_name);

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  const std::string& source_name() const { return source_name_; }
  const Metadata& metadata() const { return metadata_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(std::string_view name) const;
  // Bytes of one tensor inside the data section (already bounds-checked at parse time).
  std::span<const uint8_t> tensor_bytes(const TensorInfo& info) const;
  uint64_t file_bytes() const { return bytes_.size(); }

 private:
  std::shared_ptr<util::MmapFile> file_;  // null when parsing caller-owned bytes
  std::span<const uint8_t> bytes_;
  std::string source_name_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  Metadata metadata_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;

  friend class GgufParser;
};

}  // namespace mynah::gguf
