// GgufWriter: serializes metadata and tensors in GGUF v3 layout.
#include "gguf/gguf_writer.h"

#include <cstdio>
#include <cstring>
#include <type_traits>

namespace mynah::gguf {
namespace {

template <class T>
void put(std::vector<uint8_t>& out, T x) {
  const auto* p = reinterpret_cast<const uint8_t*>(&x);
  out.insert(out.end(), p, p + sizeof(T));
}

void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void put_value_body(std::vector<uint8_t>& out, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          put_string(out, x);
        } else if constexpr (std::is_same_v<T, Array>) {
          put<uint32_t>(out, static_cast<uint32_t>(x.element_type));
          put<uint64_t>(out, x.items.size());
          for (const auto& item : x.items) put_value_body(out, item);
        } else if constexpr (std::is_same_v<T, bool>) {
          put<uint8_t>(out, x ? 1 : 0);
        } else {
          put<T>(out, x);
        }
      },
      v.data);
}

}  // namespace

void GgufWriter::add(std::string key, Value value) { kvs_.emplace_back(std::move(key), std::move(value)); }

void GgufWriter::add_tensor(std::string name, GgmlType type, std::vector<uint64_t> dims, std::vector<uint8_t> data) {
  tensors_.push_back({std::move(name), type, std::move(dims), std::move(data)});
}

std::vector<uint8_t> GgufWriter::header_bytes() const {
  std::vector<uint8_t> out;
  out.reserve(4096);
  for (char c : {'G', 'G', 'U', 'F'}) out.push_back(static_cast<uint8_t>(c));
  put<uint32_t>(out, 3);
  put<uint64_t>(out, tensors_.size());
  const bool needs_alignment_key = alignment_ != 32;
  put<uint64_t>(out, kvs_.size() + (needs_alignment_key ? 1 : 0));
  if (needs_alignment_key) {
    put_string(out, "general.alignment");
    put<uint32_t>(out, static_cast<uint32_t>(ValueType::kUint32));
    put<uint32_t>(out, alignment_);
  }
  for (const auto& [key, value] : kvs_) {
    put_string(out, key);
    put<uint32_t>(out, static_cast<uint32_t>(value.type()));
    put_value_body(out, value);
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    put_string(out, t.name);
    put<uint32_t>(out, static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) put<uint64_t>(out, d);
    put<uint32_t>(out, static_cast<uint32_t>(t.type));
    put<uint64_t>(out, offset);
    offset = padded(offset + t.data.size());
  }
  out.resize(padded(out.size()), 0);
  return out;
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  std::vector<uint8_t> out = header_bytes();
  for (const auto& t : tensors_) {
    out.insert(out.end(), t.data.begin(), t.data.end());
    out.resize(padded(out.size()), 0);
  }
  return out;
}

util::Status GgufWriter::write_file(const std::string& path) const {
  // Streams tensor data straight from memory: a multi-GB model is never copied into one buffer.
  std::FILE* fp = std::fopen(path.c_str(), "wb");
  if (!fp) return util::make_error("cannot create '{}': {}", path, std::strerror(errno));
  const auto header = header_bytes();
  bool ok = std::fwrite(header.data(), 1, header.size(), fp) == header.size();
  const std::vector<uint8_t> zeros(alignment_, 0);
  for (const auto& t : tensors_) {
    if (!ok) break;
    ok = std::fwrite(t.data.data(), 1, t.data.size(), fp) == t.data.size();
    const size_t pad = padded(t.data.size()) - t.data.size();
    ok = ok && std::fwrite(zeros.data(), 1, pad, fp) == pad;
  }
  const bool closed = std::fclose(fp) == 0;
  if (!ok || !closed) return util::make_error("cannot write '{}': {}", path, std::strerror(errno));
  return {};
}

Value GgufWriter::string_array(const std::vector<std::string>& items) {
  Array arr{ValueType::kString, {}};
  arr.items.reserve(items.size());
  for (const auto& s : items) arr.items.push_back(Value{s});
  return Value{std::move(arr)};
}

Value GgufWriter::f32_array(const std::vector<float>& items) {
  Array arr{ValueType::kFloat32, {}};
  for (float x : items) arr.items.push_back(Value{x});
  return Value{std::move(arr)};
}

Value GgufWriter::i32_array(const std::vector<int32_t>& items) {
  Array arr{ValueType::kInt32, {}};
  for (int32_t x : items) arr.items.push_back(Value{x});
  return Value{std::move(arr)};
}

}  // namespace mynah::gguf
