// Per-sequence random stream: xoshiro256** seeded through splitmix64. Our own generator (not
// std::uniform_real_distribution) so seeded output is identical across standard libraries.
#pragma once

#include <cstdint>

namespace mynah::sampling {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1p-53; }

 private:
  uint64_t s_[4];
};

}  // namespace mynah::sampling
