// GGUF parsing. Layout: magic "GGUF", u32 version, u64 n_tensors, u64 n_kv, the key/value pairs,
// the tensor infos, padding to general.alignment, then the data section. All integers little-endian.
#include "gguf/gguf_reader.h"

#include <cstring>
#include <limits>
#include <unordered_set>

#include <fmt/format.h>

namespace mynah::gguf {

using util::Error;
using util::make_error;
using util::Result;

namespace {

constexpr uint32_t kMaxDims = 4;       // GGML_MAX_DIMS
constexpr int kMaxArrayNesting = 4;    // deeper nesting is never written by real converters
constexpr uint64_t kMaxStringBytes = uint64_t{1} << 30;

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }

// Minimum bytes one element of `type` occupies on disk, used to reject impossible counts before
// allocating: a string is at least its 8-byte length, an array at least its 12-byte header.
uint64_t min_encoded_bytes(ValueType type) {
  switch (type) {
    case ValueType::kUint8: case ValueType::kInt8: case ValueType::kBool: return 1;
    case ValueType::kUint16: case ValueType::kInt16: return 2;
    case ValueType::kUint32: case ValueType::kInt32: case ValueType::kFloat32: return 4;
    case ValueType::kUint64: case ValueType::kInt64: case ValueType::kFloat64: return 8;
    case ValueType::kString: return 8;
    case ValueType::kArray: return 12;
  }
  return 1;
}

}  // namespace

class GgufParser {
 public:
  GgufParser(GgufFile& file) : f_(file), bytes_(file.bytes_) {}

  Result<void> parse() {
    if (bytes_.size() < 4 || std::memcmp(bytes_.data(), "GGUF", 4) != 0) {
      return fail("not a GGUF file (bad magic; expected \"GGUF\")");
    }
    pos_ = 4;
    uint32_t version = 0;
    MYNAH_TRY(read_pod(&version, "version"));
    if (version == 0x03000000u || version == 0x02000000u) {
      return fail_at(4, "big-endian GGUF files are not supported");
    }
    if (version != 2 && version != 3) {
      return fail_at(4, fmt::format("unsupported GGUF version {} (supported: 2, 3)", version));
    }
    f_.version_ = version;
    uint64_t n_tensors = 0, n_kv = 0;
    MYNAH_TRY(read_pod(&n_tensors, "tensor count"));
    MYNAH_TRY(read_pod(&n_kv, "metadata count"));
    // Each kv needs >= 8 (key length) + 4 (type) + 1 bytes, each tensor info >= 8 + 4 + 4 + 8.
    if (n_kv > remaining() / 13) return fail_at(16, fmt::format("metadata count {} exceeds what the file can hold", n_kv));
    if (n_tensors > remaining() / 24) return fail_at(8, fmt::format("tensor count {} exceeds what the file can hold", n_tensors));

    for (uint64_t i = 0; i < n_kv; ++i) MYNAH_TRY(parse_kv(i));
    MYNAH_TRY(read_alignment());
    f_.tensors_.reserve(n_tensors);
    for (uint64_t i = 0; i < n_tensors; ++i) MYNAH_TRY(parse_tensor_info(i));

    const uint64_t data_offset = align_up(pos_, f_.alignment_);
    if (data_offset > bytes_.size()) {
      if (n_tensors > 0) return fail_at(pos_, "file ends before the tensor data section");
    }
    f_.data_offset_ = std::min<uint64_t>(data_offset, bytes_.size());
    return check_tensor_extents();
  }

 private:
  uint64_t remaining() const { return bytes_.size() - pos_; }
  static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

  Error fail(std::string what) const { return fail_at(pos_, std::move(what)); }
  Error fail_at(uint64_t offset, std::string what) const {
    return Error{fmt::format("{}: {} (at byte offset {})", f_.source_name_, what, offset)};
  }

  template <class T>
  Result<void> read_pod(T* out, std::string_view what) {
    if (remaining() < sizeof(T)) return fail(fmt::format("file ends inside {}", what));
    std::memcpy(out, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return {};
  }

  Result<void> read_string(std::string* out, std::string_view what) {
    const uint64_t start = pos_;
    uint64_t len = 0;
    MYNAH_TRY(read_pod(&len, what));
    if (len > remaining() || len > kMaxStringBytes) {
      return fail_at(start, fmt::format("{} has length {} but only {} bytes remain", what, len, remaining()));
    }
    out->assign(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
    pos_ += len;
    return {};
  }

  Result<void> parse_kv(uint64_t idx) {
    std::string key;
    MYNAH_TRY(read_string(&key, fmt::format("key of metadata entry {}", idx)));
    if (key.empty()) return fail(fmt::format("metadata entry {} has an empty key", idx));
    if (f_.metadata_.contains(key)) return fail(fmt::format("duplicate metadata key '{}'", key));
    uint32_t raw_type = 0;
    MYNAH_TRY(read_pod(&raw_type, fmt::format("type of metadata key '{}'", key)));
    Value value;
    MYNAH_TRY(parse_value(raw_type, key, 0, &value));
    f_.metadata_.set(std::move(key), std::move(value));
    return {};
  }

  Result<void> parse_value(uint32_t raw_type, const std::string& key, int depth, Value* out) {
    if (raw_type > static_cast<uint32_t>(ValueType::kFloat64)) {
      return fail(fmt::format("metadata key '{}' has unknown value type {}", key, raw_type));
    }
    const auto type = static_cast<ValueType>(raw_type);
    const std::string what = fmt::format("value of metadata key '{}'", key);
    switch (type) {
      case ValueType::kUint8: return read_scalar<uint8_t>(out, what);
      case ValueType::kInt8: return read_scalar<int8_t>(out, what);
      case ValueType::kUint16: return read_scalar<uint16_t>(out, what);
      case ValueType::kInt16: return read_scalar<int16_t>(out, what);
      case ValueType::kUint32: return read_scalar<uint32_t>(out, what);
      case ValueType::kInt32: return read_scalar<int32_t>(out, what);
      case ValueType::kFloat32: return read_scalar<float>(out, what);
      case ValueType::kUint64: return read_scalar<uint64_t>(out, what);
      case ValueType::kInt64: return read_scalar<int64_t>(out, what);
      case ValueType::kFloat64: return read_scalar<double>(out, what);
      case ValueType::kBool: {
        const uint64_t at = pos_;
        uint8_t b = 0;
        MYNAH_TRY(read_pod(&b, what));
        if (b > 1) return fail_at(at, fmt::format("metadata key '{}': bool value {} is not 0 or 1", key, b));
        out->data = (b == 1);
        return {};
      }
      case ValueType::kString: {
        std::string s;
        MYNAH_TRY(read_string(&s, what));
        out->data = std::move(s);
        return {};
      }
      case ValueType::kArray: return parse_array(key, depth, out);
    }
    return {};
  }

  template <class T>
  Result<void> read_scalar(Value* out, std::string_view what) {
    T x{};
    MYNAH_TRY(read_pod(&x, what));
    out->data = x;
    return {};
  }

  Result<void> parse_array(const std::string& key, int depth, Value* out) {
    if (depth >= kMaxArrayNesting) return fail(fmt::format("metadata key '{}': arrays nested too deeply", key));
    const uint64_t start = pos_;
    uint32_t raw_elem = 0;
    uint64_t count = 0;
    MYNAH_TRY(read_pod(&raw_elem, fmt::format("array element type of '{}'", key)));
    MYNAH_TRY(read_pod(&count, fmt::format("array length of '{}'", key)));
    if (raw_elem > static_cast<uint32_t>(ValueType::kFloat64)) {
      return fail_at(start, fmt::format("metadata key '{}': unknown array element type {}", key, raw_elem));
    }
    const auto elem = static_cast<ValueType>(raw_elem);
    if (count > remaining() / min_encoded_bytes(elem)) {
      return fail_at(start, fmt::format("metadata key '{}': array of {} {} elements exceeds the {} bytes left",
                                        key, count, value_type_name(elem), remaining()));
    }
    Array arr;
    arr.element_type = elem;
    arr.items.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
      MYNAH_TRY(parse_value(raw_elem, key, depth + 1, &arr.items[i]));
    }
    out->data = std::move(arr);
    return {};
  }

  Result<void> read_alignment() {
    const Value* v = f_.metadata_.find("general.alignment");
    if (!v) return {};
    auto a = f_.metadata_.get_u32("general.alignment");
    if (!a) return fail(a.error().message);
    if (*a == 0 || (*a & (*a - 1)) != 0) {
      return fail(fmt::format("general.alignment {} is not a power of two", *a));
    }
    f_.alignment_ = *a;
    return {};
  }

  Result<void> parse_tensor_info(uint64_t idx) {
    TensorInfo t;
    MYNAH_TRY(read_string(&t.name, fmt::format("name of tensor {}", idx)));
    if (f_.tensor_index_.count(t.name)) return fail(fmt::format("duplicate tensor name '{}'", t.name));
    uint32_t n_dims = 0;
    MYNAH_TRY(read_pod(&n_dims, fmt::format("dimension count of tensor '{}'", t.name)));
    if (n_dims == 0 || n_dims > kMaxDims) {
      return fail(fmt::format("tensor '{}' has {} dimensions (allowed 1..{})", t.name, n_dims, kMaxDims));
    }
    t.dims.resize(n_dims);
    uint64_t n_elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      MYNAH_TRY(read_pod(&t.dims[d], fmt::format("dimensions of tensor '{}'", t.name)));
      if (t.dims[d] == 0) return fail(fmt::format("tensor '{}' has a zero-sized dimension {}", t.name, d));
      if (mul_overflows(n_elements, t.dims[d], &n_elements) || n_elements > (uint64_t{1} << 60)) {
        return fail(fmt::format("tensor '{}': element count overflows", t.name));
      }
    }
    uint32_t raw_type = 0;
    MYNAH_TRY(read_pod(&raw_type, fmt::format("type of tensor '{}'", t.name)));
    auto traits = ggml_type_traits(raw_type);
    if (!traits) return fail(fmt::format("tensor '{}' has unknown ggml type {}", t.name, raw_type));
    t.type = traits->type;
    if (t.dims[0] % traits->block_size != 0) {
      return fail(fmt::format("tensor '{}': row length {} is not a multiple of the {} block size {}", t.name,
                              t.dims[0], traits->name, traits->block_size));
    }
    MYNAH_TRY(read_pod(&t.offset, fmt::format("data offset of tensor '{}'", t.name)));
    if (t.offset % f_.alignment_ != 0) {
      return fail(fmt::format("tensor '{}': data offset {} is not aligned to {}", t.name, t.offset, f_.alignment_));
    }
    t.n_elements = n_elements;
    t.n_bytes = n_elements / traits->block_size * traits->block_bytes;
    f_.tensor_index_.emplace(t.name, f_.tensors_.size());
    f_.tensors_.push_back(std::move(t));
    return {};
  }

  Result<void> check_tensor_extents() {
    const uint64_t data_bytes = bytes_.size() - f_.data_offset_;
    for (const auto& t : f_.tensors_) {
      if (t.offset > data_bytes || t.n_bytes > data_bytes - t.offset) {
        return fail_at(f_.data_offset_ + std::min(t.offset, data_bytes),
                       fmt::format("tensor '{}' ({} bytes at data offset {}) runs past the end of the file "
                                   "(data section is {} bytes)", t.name, t.n_bytes, t.offset, data_bytes));
      }
    }
    return {};
  }

  GgufFile& f_;
  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
};

Result<GgufFile> GgufFile::parse(std::span<const uint8_t> bytes, std::string source_name) {
  GgufFile file;
  file.bytes_ = bytes;
  file.source_name_ = std::move(source_name);
  GgufParser parser(file);
  auto status = parser.parse();
  if (!status) return status.take_error();
  return file;
}

Result<GgufFile> GgufFile::open(const std::string& path) {
  auto mapped = util::MmapFile::open(path);
  if (!mapped) return mapped.take_error();
  auto shared = std::make_shared<util::MmapFile>(std::move(mapped).value());
  auto file = parse(shared->bytes(), path);
  if (!file) return file.take_error();
  file->file_ = std::move(shared);
  return file;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

std::span<const uint8_t> GgufFile::tensor_bytes(const TensorInfo& info) const {
  return bytes_.subspan(data_offset_ + info.offset, info.n_bytes);
}

}  // namespace mynah::gguf
