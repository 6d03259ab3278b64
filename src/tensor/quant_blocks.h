// Byte-exact ggml block layouts for the quantized types we read and write (see ggml-common.h).
// Scales are IEEE fp16 bit patterns; convert with util::fp16_to_fp32 (or F16C in SIMD code).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mynah::tensor {

inline constexpr int kQk4_0 = 32;  // elements per Q4_0 block
inline constexpr int kQk8_0 = 32;  // elements per Q8_0 block

// Q4_0: value[j] = (nibble[j] - 8) * d. qs[j] holds element j in its low nibble and element j + 16
// in its high nibble.
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQk4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block must match ggml's 18 bytes");
static_assert(offsetof(BlockQ4_0, qs) == 2);

// Q8_0: value[j] = qs[j] * d. Quantizers produce qs in [-127, 127]; the AVX2 Q8_0 dot relies on
// activations never being -128 (its sign trick), the other kernels are exact for any int8.
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQk8_0];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block must match ggml's 34 bytes");
static_assert(offsetof(BlockQ8_0, qs) == 2);

}  // namespace mynah::tensor
