// CPUID/XGETBV probing. A CPUID bit alone is not enough: the OS must also save the wider register
// state (XCR0), or the first AVX-512 instruction faults even on a CPU that has it.
#include "kernels/cpu_features.h"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace mynah::kernels {
namespace {

struct CpuFlags {
  bool avx2 = false;
  bool avx512 = false;
};

#if defined(__x86_64__) || defined(__i386__)

uint64_t read_xcr0() {
  uint32_t eax = 0;
  uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFlags probe() {
  CpuFlags flags;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return flags;
  const bool osxsave = (c >> 27) & 1;
  const bool fma = (c >> 12) & 1;
  const bool f16c = (c >> 29) & 1;
  if (!osxsave) return flags;
  const uint64_t xcr0 = read_xcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;     // SSE + AVX state
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;   // + opmask, ZMM_Hi256, Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) < 7) return flags;
  __cpuid_count(7, 0, a, b, c, d);
  const bool avx2 = (b >> 5) & 1;
  const bool avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1;
  const bool avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
  const bool avx512vnni = (c >> 11) & 1;
  flags.avx2 = ymm_state && avx2 && fma && f16c;
  flags.avx512 = flags.avx2 && zmm_state && avx512f && avx512dq && avx512bw && avx512vl && avx512vnni;
  return flags;
}

#else

CpuFlags probe() { return CpuFlags{}; }

#endif

const CpuFlags& cpu_flags() {
  static const CpuFlags flags = probe();
  return flags;
}

}  // namespace

bool cpu_supports(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return true;
    case Isa::kAvx2:
      return cpu_flags().avx2;
    case Isa::kAvx512:
      return cpu_flags().avx512;
  }
  return false;
}

Isa best_isa() {
  if (cpu_supports(Isa::kAvx512)) return Isa::kAvx512;
  if (cpu_supports(Isa::kAvx2)) return Isa::kAvx2;
  return Isa::kScalar;
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

std::optional<Isa> parse_isa(std::string_view name) {
  for (Isa isa : kAllIsas) {
    if (isa_name(isa) == name) return isa;
  }
  return std::nullopt;
}

}  // namespace mynah::kernels
