// TensorView: a non-owning 2-D view of a weight matrix (rows of n_cols elements in a ggml type).
// ggml dims[0] is the row length; the product of the remaining dims is the row count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gguf/gguf_types.h"

namespace mynah::tensor {

struct TensorView {
  gguf::GgmlType type = gguf::GgmlType::kF32;
  const void* data = nullptr;  // [n_rows][row_bytes()], owned elsewhere (usually the GGUF mapping)
  int64_t n_cols = 0;          // row length in elements; a multiple of the type's block size
  int64_t n_rows = 0;

  // Bytes of one row: n_cols / block_size * block_bytes.
  size_t row_bytes() const;
  const uint8_t* row(int64_t i) const { return static_cast<const uint8_t*>(data) + row_bytes() * i; }
};

// Views a tensor from the GGUF table over `data` (its bytes). A 1-D tensor is one row.
TensorView make_tensor_view(const gguf::TensorInfo& info, const void* data);

}  // namespace mynah::tensor
