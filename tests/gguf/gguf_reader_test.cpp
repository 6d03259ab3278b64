// GGUF reader: good files round-trip through the writer; corrupt files fail with a located message.
#include "gguf/gguf_reader.h"

#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "gguf/gguf_writer.h"

namespace mynah::gguf {
namespace {

std::vector<uint8_t> f32_bytes(size_t n) {
  std::vector<uint8_t> out(n * 4);
  for (size_t i = 0; i < n; ++i) {
    float x = static_cast<float>(i);
    std::memcpy(out.data() + i * 4, &x, 4);
  }
  return out;
}

std::vector<uint8_t> good_file() {
  GgufWriter w;
  w.add("general.architecture", Value{std::string("llama")});
  w.add("llama.block_count", Value{uint32_t{2}});
  w.add("some.i64", Value{int64_t{-5}});
  w.add("some.f64", Value{3.5});
  w.add("some.bool", Value{true});
  w.add("tokenizer.ggml.tokens", GgufWriter::string_array({"<unk>", "a", "bc"}));
  Array nested{ValueType::kArray, {}};
  nested.items.push_back(Value{Array{ValueType::kUint8, {Value{uint8_t{1}}, Value{uint8_t{2}}}}});
  nested.items.push_back(Value{Array{ValueType::kString, {Value{std::string("x")}}}});
  w.add("some.nested", Value{std::move(nested)});
  w.add_tensor("a", GgmlType::kF32, {4, 3}, f32_bytes(12));
  w.add_tensor("b", GgmlType::kF32, {5}, f32_bytes(5));
  return w.to_bytes();
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
  auto f = GgufFile::parse(bytes, "test.gguf");
  return f.ok() ? std::string() : f.error().message;
}

// Offset of the first occurrence of `needle` in the file (for patching fields in place).
size_t find_bytes(const std::vector<uint8_t>& hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end());
  return static_cast<size_t>(it - hay.begin());
}

template <class T>
void patch(std::vector<uint8_t>& bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

TEST(GgufReader, ParsesEveryValueTypeAndTensors) {
  const auto bytes = good_file();
  auto f = GgufFile::parse(bytes, "test.gguf");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->version(), 3u);
  const auto& md = f->metadata();
  EXPECT_EQ(*md.get_string("general.architecture"), "llama");
  EXPECT_EQ(*md.get_u32("llama.block_count"), 2u);
  EXPECT_EQ(*md.get_i64("some.i64"), -5);
  EXPECT_FALSE(md.get_u64("some.i64").ok());
  EXPECT_FLOAT_EQ(*md.get_f32("some.f64"), 3.5f);
  EXPECT_TRUE(*md.get_bool("some.bool"));
  EXPECT_EQ(md.get_string_array("tokenizer.ggml.tokens")->size(), 3u);
  const auto& nested = std::get<Array>(md.find("some.nested")->data);
  ASSERT_EQ(nested.items.size(), 2u);
  EXPECT_EQ(std::get<Array>(nested.items[1].data).items.size(), 1u);
  ASSERT_EQ(f->tensors().size(), 2u);
  const TensorInfo* b = f->find_tensor("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->n_elements, 5u);
  float x;
  std::memcpy(&x, f->tensor_bytes(*b).data() + 16, 4);
  EXPECT_EQ(x, 4.0f);
  EXPECT_EQ(f->tensor_bytes(*f->find_tensor("a")).size(), 48u);
}

TEST(GgufReader, WrongTypeGetterNamesKeyAndTypes) {
  const auto bytes = good_file();
  auto f = GgufFile::parse(bytes, "test.gguf");
  auto s = f->metadata().get_string("llama.block_count");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("llama.block_count"), std::string::npos);
  EXPECT_NE(s.error().message.find("uint32"), std::string::npos);
}

TEST(GgufReader, RejectsBadMagicAndVersion) {
  auto bytes = good_file();
  bytes[0] = 'X';
  EXPECT_NE(parse_error(bytes).find("bad magic"), std::string::npos);
  bytes = good_file();
  patch<uint32_t>(bytes, 4, 7);
  EXPECT_NE(parse_error(bytes).find("unsupported GGUF version 7"), std::string::npos);
  patch<uint32_t>(bytes, 4, 0x03000000u);
  EXPECT_NE(parse_error(bytes).find("big-endian"), std::string::npos);
}

TEST(GgufReader, RejectsImpossibleCountsWithoutAllocating) {
  auto bytes = good_file();
  patch<uint64_t>(bytes, 8, uint64_t{1} << 62);  // tensor count
  EXPECT_NE(parse_error(bytes).find("tensor count"), std::string::npos);
  bytes = good_file();
  patch<uint64_t>(bytes, 16, uint64_t{1} << 62);  // kv count
  EXPECT_NE(parse_error(bytes).find("metadata count"), std::string::npos);
}

TEST(GgufReader, RejectsHugeStringAndArrayLengths) {
  auto bytes = good_file();
  // The first key's length field sits at offset 24.
  patch<uint64_t>(bytes, 24, uint64_t{1} << 40);
  EXPECT_NE(parse_error(bytes).find("byte offset 24"), std::string::npos);
  bytes = good_file();
  // Array length of tokenizer.ggml.tokens follows its key, type (u32) and element type (u32).
  size_t at = find_bytes(bytes, "tokenizer.ggml.tokens") + std::strlen("tokenizer.ggml.tokens") + 8;
  patch<uint64_t>(bytes, at, uint64_t{1} << 50);
  const auto err = parse_error(bytes);
  EXPECT_NE(err.find("tokenizer.ggml.tokens"), std::string::npos) << err;
  EXPECT_NE(err.find("exceeds"), std::string::npos) << err;
}

TEST(GgufReader, RejectsUnknownValueAndTensorTypes) {
  auto bytes = good_file();
  size_t at = find_bytes(bytes, "some.bool") + std::strlen("some.bool");
  patch<uint32_t>(bytes, at, 99);
  EXPECT_NE(parse_error(bytes).find("unknown value type 99"), std::string::npos);

  bytes = good_file();
  // Tensor "b": name, n_dims(4), dims(8), then type(4).
  at = bytes.size();
  for (size_t i = 0; i + 9 < bytes.size(); ++i) {
    if (bytes[i] == 1 && std::memcmp(&bytes[i], "\x01\0\0\0\0\0\0\0b", 9) == 0) at = i + 9;
  }
  ASSERT_LT(at, bytes.size());
  patch<uint32_t>(bytes, at + 4 + 8, 4);  // ggml type 4 was removed (old Q4_2)
  EXPECT_NE(parse_error(bytes).find("tensor 'b' has unknown ggml type 4"), std::string::npos);
}

TEST(GgufReader, RejectsTensorPastEndOfFile) {
  auto bytes = good_file();
  bytes.resize(bytes.size() - 16);  // the last tensor is 20 bytes followed by 12 of padding
  EXPECT_NE(parse_error(bytes).find("runs past the end"), std::string::npos);
}

TEST(GgufReader, RejectsDimensionOverflowAndBadBlockMultiple) {
  GgufWriter w;
  w.add_tensor("big", GgmlType::kF32, {uint64_t{1} << 40, uint64_t{1} << 40}, {});
  EXPECT_NE(parse_error(w.to_bytes()).find("overflows"), std::string::npos);
  GgufWriter q;
  q.add_tensor("q", GgmlType::kQ4_0, {33}, std::vector<uint8_t>(36));
  EXPECT_NE(parse_error(q.to_bytes()).find("not a multiple"), std::string::npos);
}

TEST(GgufReader, HonoursAlignmentKey) {
  GgufWriter w(64);
  w.add_tensor("a", GgmlType::kF32, {3}, f32_bytes(3));
  w.add_tensor("b", GgmlType::kF32, {3}, f32_bytes(3));
  auto f = GgufFile::parse(w.to_bytes(), "t");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->find_tensor("b")->offset, 64u);
}

TEST(GgufReader, RejectsNonPowerOfTwoAlignment) {
  GgufWriter w;
  w.add("general.alignment", Value{uint32_t{48}});
  EXPECT_NE(parse_error(w.to_bytes()).find("power of two"), std::string::npos);
}

TEST(GgufReader, EveryTruncationFailsCleanly) {
  const auto bytes = good_file();
  const size_t end_of_data = bytes.size() - 12;  // the writer pads the last 20-byte tensor to 32
  for (size_t n = 0; n < end_of_data; ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<long>(n));
    auto f = GgufFile::parse(prefix, "t");
    EXPECT_FALSE(f.ok()) << "prefix of " << n << " bytes parsed";
  }
}

TEST(GgufReader, RandomCorruptionNeverCrashes) {
  const auto good = good_file();
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 3000; ++trial) {
    auto bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    auto f = GgufFile::parse(bytes, "t");  // either outcome is fine; it must not crash or hang
    if (!f.ok()) {
      EXPECT_FALSE(f.error().message.empty());
    }
  }
}

TEST(GgufReader, OpensTheStoriesModel) {
  auto f = GgufFile::open(std::string(MYNAH_SOURCE_ROOT) + "/models/stories260K.gguf");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(*f->metadata().get_string("general.architecture"), "llama");
  EXPECT_EQ(f->tensors().size(), 48u);
  EXPECT_EQ(f->metadata().get_string_array("tokenizer.ggml.tokens")->size(), 512u);
}

TEST(GgufReader, MissingFileNamesPath) {
  auto f = GgufFile::open("/nonexistent/model.gguf");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("/nonexistent/model.gguf"), std::string::npos);
}

}  // namespace
}  // namespace mynah::gguf
