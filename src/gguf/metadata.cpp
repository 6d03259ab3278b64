// Metadata typed getters with range-checked integer conversion.
#include "gguf/metadata.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

namespace mynah::gguf {
namespace {

using util::make_error;
using util::Result;

// Any integer alternative converted to int128-like pair; nullopt if not an integer.
struct IntValue {
  bool negative;
  uint64_t magnitude;
};

std::optional<IntValue> as_integer(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::optional<IntValue> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_signed_v<T>) {
            if (x < 0) return IntValue{true, static_cast<uint64_t>(-(static_cast<int64_t>(x) + 1)) + 1};
          }
          return IntValue{false, static_cast<uint64_t>(x)};
        } else {
          return std::nullopt;
        }
      },
      v.data);
}

std::string type_mismatch(std::string_view key, const Value& v, std::string_view wanted) {
  return fmt::format("metadata key '{}': expected {}, found {}", key, wanted, value_type_name(v.type()));
}

}  // namespace

void Metadata::set(std::string key, Value value) {
  auto [it, inserted] = values_.insert_or_assign(key, std::move(value));
  if (inserted) keys_.push_back(std::move(key));
}

const Value* Metadata::find(std::string_view key) const {
  auto it = values_.find(std::string(key));
  return it == values_.end() ? nullptr : &it->second;
}

Result<uint64_t> Metadata::get_u64(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  auto i = as_integer(*v);
  if (!i) return util::Error{type_mismatch(key, *v, "an integer")};
  if (i->negative) return make_error("metadata key '{}': value must not be negative", key);
  return i->magnitude;
}

Result<int64_t> Metadata::get_i64(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  auto i = as_integer(*v);
  if (!i) return util::Error{type_mismatch(key, *v, "an integer")};
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (i->magnitude > kMax + (i->negative ? 1 : 0)) return make_error("metadata key '{}': value out of range", key);
  if (!i->negative) return static_cast<int64_t>(i->magnitude);
  return i->magnitude == kMax + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(i->magnitude);
}

Result<uint32_t> Metadata::get_u32(std::string_view key) const {
  auto v = get_u64(key);
  if (!v) return v.take_error();
  if (*v > std::numeric_limits<uint32_t>::max()) {
    return make_error("metadata key '{}': value {} does not fit in 32 bits", key, *v);
  }
  return static_cast<uint32_t>(*v);
}

Result<float> Metadata::get_f32(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  if (auto* f = std::get_if<float>(&v->data)) return *f;
  if (auto* d = std::get_if<double>(&v->data)) return static_cast<float>(*d);
  return util::Error{type_mismatch(key, *v, "a float")};
}

Result<bool> Metadata::get_bool(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  if (auto* b = std::get_if<bool>(&v->data)) return *b;
  return util::Error{type_mismatch(key, *v, "a bool")};
}

Result<std::string> Metadata::get_string(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  if (auto* s = std::get_if<std::string>(&v->data)) return *s;
  return util::Error{type_mismatch(key, *v, "a string")};
}

Result<std::vector<std::string>> Metadata::get_string_array(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  const auto* arr = std::get_if<Array>(&v->data);
  if (!arr || arr->element_type != ValueType::kString) return util::Error{type_mismatch(key, *v, "an array of strings")};
  std::vector<std::string> out;
  out.reserve(arr->items.size());
  for (const auto& item : arr->items) out.push_back(std::get<std::string>(item.data));
  return out;
}

Result<std::vector<float>> Metadata::get_f32_array(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  const auto* arr = std::get_if<Array>(&v->data);
  if (!arr || arr->element_type != ValueType::kFloat32) return util::Error{type_mismatch(key, *v, "an array of float32")};
  std::vector<float> out;
  out.reserve(arr->items.size());
  for (const auto& item : arr->items) out.push_back(std::get<float>(item.data));
  return out;
}

Result<std::vector<int32_t>> Metadata::get_i32_array(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return make_error("metadata key '{}' is missing", key);
  const auto* arr = std::get_if<Array>(&v->data);
  if (!arr) return util::Error{type_mismatch(key, *v, "an array of integers")};
  std::vector<int32_t> out;
  out.reserve(arr->items.size());
  for (size_t i = 0; i < arr->items.size(); ++i) {
    auto iv = as_integer(arr->items[i]);
    if (!iv) return util::Error{type_mismatch(key, *v, "an array of integers")};
    const int64_t x = iv->negative ? -static_cast<int64_t>(iv->magnitude) : static_cast<int64_t>(iv->magnitude);
    if (iv->magnitude > 0x7fffffffu || x < std::numeric_limits<int32_t>::min()) {
      return make_error("metadata key '{}': element {} does not fit in 32 bits", key, i);
    }
    out.push_back(static_cast<int32_t>(x));
  }
  return out;
}

Result<std::optional<uint32_t>> Metadata::find_u32(std::string_view key) const {
  if (!contains(key)) return std::optional<uint32_t>{};
  auto v = get_u32(key);
  if (!v) return v.take_error();
  return std::optional<uint32_t>{*v};
}

Result<std::optional<float>> Metadata::find_f32(std::string_view key) const {
  if (!contains(key)) return std::optional<float>{};
  auto v = get_f32(key);
  if (!v) return v.take_error();
  return std::optional<float>{*v};
}

Result<std::optional<bool>> Metadata::find_bool(std::string_view key) const {
  if (!contains(key)) return std::optional<bool>{};
  auto v = get_bool(key);
  if (!v) return v.take_error();
  return std::optional<bool>{*v};
}

Result<std::optional<std::string>> Metadata::find_string(std::string_view key) const {
  if (!contains(key)) return std::optional<std::string>{};
  auto v = get_string(key);
  if (!v) return v.take_error();
  return std::optional<std::string>{*v};
}

std::string Metadata::to_display_string(const Value& value, size_t max_items) {
  return std::visit(
      [&](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return fmt::format("\"{}\"", x.size() > 80 ? x.substr(0, 77) + "..." : x);
        } else if constexpr (std::is_same_v<T, Array>) {
          std::string out = fmt::format("{}[{}] [", value_type_name(x.element_type), x.items.size());
          for (size_t i = 0; i < x.items.size() && i < max_items; ++i) {
            if (i) out += ", ";
            out += to_display_string(x.items[i], max_items);
          }
          if (x.items.size() > max_items) out += ", ...";
          return out + "]";
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>) {
          return fmt::format("{}", static_cast<int>(x));
        } else {
          return fmt::format("{}", x);
        }
      },
      value.data);
}

}  // namespace mynah::gguf
