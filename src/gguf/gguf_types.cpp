// Names and block layouts of the GGUF value types and ggml tensor types.
#include "gguf/gguf_types.h"

#include <array>

namespace mynah::gguf {
namespace {

constexpr std::array kTraits = {
    GgmlTypeTraits{GgmlType::kF32, "F32", 1, 4},
    GgmlTypeTraits{GgmlType::kF16, "F16", 1, 2},
    GgmlTypeTraits{GgmlType::kQ4_0, "Q4_0", 32, 18},
    GgmlTypeTraits{GgmlType::kQ4_1, "Q4_1", 32, 20},
    GgmlTypeTraits{GgmlType::kQ5_0, "Q5_0", 32, 22},
    GgmlTypeTraits{GgmlType::kQ5_1, "Q5_1", 32, 24},
    GgmlTypeTraits{GgmlType::kQ8_0, "Q8_0", 32, 34},
    GgmlTypeTraits{GgmlType::kQ8_1, "Q8_1", 32, 36},
    GgmlTypeTraits{GgmlType::kQ2_K, "Q2_K", 256, 84},
    GgmlTypeTraits{GgmlType::kQ3_K, "Q3_K", 256, 110},
    GgmlTypeTraits{GgmlType::kQ4_K, "Q4_K", 256, 144},
    GgmlTypeTraits{GgmlType::kQ5_K, "Q5_K", 256, 176},
    GgmlTypeTraits{GgmlType::kQ6_K, "Q6_K", 256, 210},
    GgmlTypeTraits{GgmlType::kQ8_K, "Q8_K", 256, 292},
    GgmlTypeTraits{GgmlType::kIQ2_XXS, "IQ2_XXS", 256, 66},
    GgmlTypeTraits{GgmlType::kIQ2_XS, "IQ2_XS", 256, 74},
    GgmlTypeTraits{GgmlType::kIQ3_XXS, "IQ3_XXS", 256, 98},
    GgmlTypeTraits{GgmlType::kIQ1_S, "IQ1_S", 256, 50},
    GgmlTypeTraits{GgmlType::kIQ4_NL, "IQ4_NL", 32, 18},
    GgmlTypeTraits{GgmlType::kIQ3_S, "IQ3_S", 256, 110},
    GgmlTypeTraits{GgmlType::kIQ2_S, "IQ2_S", 256, 82},
    GgmlTypeTraits{GgmlType::kIQ4_XS, "IQ4_XS", 256, 136},
    GgmlTypeTraits{GgmlType::kI8, "I8", 1, 1},
    GgmlTypeTraits{GgmlType::kI16, "I16", 1, 2},
    GgmlTypeTraits{GgmlType::kI32, "I32", 1, 4},
    GgmlTypeTraits{GgmlType::kI64, "I64", 1, 8},
    GgmlTypeTraits{GgmlType::kF64, "F64", 1, 8},
    GgmlTypeTraits{GgmlType::kIQ1_M, "IQ1_M", 256, 56},
    GgmlTypeTraits{GgmlType::kBF16, "BF16", 1, 2},
    GgmlTypeTraits{GgmlType::kTQ1_0, "TQ1_0", 256, 54},
    GgmlTypeTraits{GgmlType::kTQ2_0, "TQ2_0", 256, 66},
    GgmlTypeTraits{GgmlType::kMXFP4, "MXFP4", 32, 17},
};

}  // namespace

std::optional<GgmlTypeTraits> ggml_type_traits(uint32_t raw_type) {
  for (const auto& t : kTraits) {
    if (static_cast<uint32_t>(t.type) == raw_type) return t;
  }
  return std::nullopt;
}

GgmlTypeTraits ggml_type_traits(GgmlType type) { return *ggml_type_traits(static_cast<uint32_t>(type)); }

std::string_view ggml_type_name(GgmlType type) { return ggml_type_traits(type).name; }

std::string_view value_type_name(ValueType type) {
  static constexpr std::array<std::string_view, 13> kNames = {
      "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
      "bool",  "string", "array", "uint64", "int64", "float64"};
  const auto idx = static_cast<uint32_t>(type);
  return idx < kNames.size() ? kNames[idx] : "unknown";
}

ValueType Value::type() const {
  // Variant alternatives are listed in ValueType's numeric order.
  return static_cast<ValueType>(data.index());
}

}  // namespace mynah::gguf
