// Shared fixtures for kernel tests: seeded random rows in any weight type, and the ISAs to cover.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gguf/gguf_types.h"
#include "kernels/cpu_features.h"
#include "tensor/quantize.h"

namespace mynah::kernels {

// gtest prints a failing parameter with this instead of its raw bytes.
inline void PrintTo(Isa isa, std::ostream* os) { *os << isa_name(isa); }

}  // namespace mynah::kernels

namespace mynah::kernels::testing {

inline std::vector<float> random_floats(int64_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = dist(rng);
  return x;
}

// Rows of `type` quantized from `x` ([n_rows][n_cols]).
inline std::vector<uint8_t> encode_rows(gguf::GgmlType type, const std::vector<float>& x, int64_t n_cols) {
  const auto traits = gguf::ggml_type_traits(type);
  const size_t row_bytes = static_cast<size_t>(n_cols / traits.block_size) * traits.block_bytes;
  const int64_t n_rows = static_cast<int64_t>(x.size()) / n_cols;
  std::vector<uint8_t> out(row_bytes * static_cast<size_t>(n_rows));  // exact size: ASan sees overreads
  for (int64_t r = 0; r < n_rows; ++r) {
    if (!tensor::quantize_row(type, x.data() + r * n_cols, out.data() + row_bytes * r, n_cols)) return {};
  }
  return out;
}

// Every ISA this machine can run, scalar first.
inline std::vector<Isa> runnable_isas() {
  std::vector<Isa> isas;
  for (Isa isa : kAllIsas) {
    if (cpu_supports(isa)) isas.push_back(isa);
  }
  return isas;
}

// The SIMD ISAs this machine can run (compared against scalar).
inline std::vector<Isa> runnable_simd_isas() {
  std::vector<Isa> isas;
  for (Isa isa : runnable_isas()) {
    if (isa != Isa::kScalar) isas.push_back(isa);
  }
  return isas;
}

// Names parameterized tests by ISA ("avx2", ...).
inline std::string isa_test_name(const ::testing::TestParamInfo<Isa>& param_info) {
  return std::string(isa_name(param_info.param));
}

}  // namespace mynah::kernels::testing
