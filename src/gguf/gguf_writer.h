// Builds GGUF v3 files in memory: used by the random-model tool and by tests that need good and
// deliberately corrupt files without touching the disk.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gguf/gguf_types.h"
#include "util/status.h"

namespace mynah::gguf {

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = 32) : alignment_(alignment) {}

  void add(std::string key, Value value);
  // `data` must hold exactly the bytes of a tensor of this type and shape (dims in ggml order).
  void add_tensor(std::string name, GgmlType type, std::vector<uint64_t> dims, std::vector<uint8_t> data);

  std::vector<uint8_t> to_bytes() const;
  util::Status write_file(const std::string& path) const;

  // Convenience constructors for metadata values.
  static Value string_array(const std::vector<std::string>& items);
  static Value f32_array(const std::vector<float>& items);
  static Value i32_array(const std::vector<int32_t>& items);

 private:
  struct PendingTensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> dims;
    std::vector<uint8_t> data;
  };
  std::vector<uint8_t> header_bytes() const;
  uint64_t padded(uint64_t n) const { return (n + alignment_ - 1) / alignment_ * alignment_; }

  uint32_t alignment_;
  std::vector<std::pair<std::string, Value>> kvs_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace mynah::gguf
