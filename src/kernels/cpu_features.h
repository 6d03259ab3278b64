// Instruction sets we have kernels for, and whether this CPU and OS can run them (CPUID + XGETBV).
#pragma once

#include <optional>
#include <string_view>

namespace mynah::kernels {

// Ordered from least to most capable.
enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

inline constexpr Isa kAllIsas[] = {Isa::kScalar, Isa::kAvx2, Isa::kAvx512};

// kAvx2: AVX2 + FMA + F16C with YMM state enabled by the OS.
// kAvx512: kAvx2 + AVX-512 F/BW/VL/DQ/VNNI with ZMM and opmask state enabled by the OS.
bool cpu_supports(Isa isa);

// The most capable ISA this machine can run.
Isa best_isa();

std::string_view isa_name(Isa isa);                   // "scalar", "avx2", "avx512"
std::optional<Isa> parse_isa(std::string_view name);  // inverse of isa_name

}  // namespace mynah::kernels
