// Typed access to GGUF metadata. Integer getters accept any integer type whose value fits, since
// converters disagree on widths (uint32 vs int32 vs uint64) for the same key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_types.h"
#include "util/status.h"

namespace mynah::gguf {

class Metadata {
 public:
  void set(std::string key, Value value);
  const Value* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Keys in file order.
  const std::vector<std::string>& keys() const { return keys_; }

  util::Result<uint64_t> get_u64(std::string_view key) const;
  util::Result<int64_t> get_i64(std::string_view key) const;
  util::Result<uint32_t> get_u32(std::string_view key) const;
  util::Result<float> get_f32(std::string_view key) const;
  util::Result<bool> get_bool(std::string_view key) const;
  util::Result<std::string> get_string(std::string_view key) const;
  util::Result<std::vector<std::string>> get_string_array(std::string_view key) const;
  util::Result<std::vector<float>> get_f32_array(std::string_view key) const;
  util::Result<std::vector<int32_t>> get_i32_array(std::string_view key) const;

  // Absent key -> nullopt; present key of the wrong type -> error.
  util::Result<std::optional<uint32_t>> find_u32(std::string_view key) const;
  util::Result<std::optional<float>> find_f32(std::string_view key) const;
  util::Result<std::optional<bool>> find_bool(std::string_view key) const;
  util::Result<std::optional<std::string>> find_string(std::string_view key) const;

  // Human-readable rendering of a value (arrays abbreviated), for `mynah inspect`.
  static std::string to_display_string(const Value& value, size_t max_items = 8);

 private:
  std::unordered_map<std::string, Value> values_;
  std::vector<std::string> keys_;
};

}  // namespace mynah::gguf
