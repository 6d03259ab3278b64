// TensorView helpers: row size from the ggml block traits, and construction from a GGUF table entry.
#include "tensor/tensor_view.h"

#include "util/status.h"

namespace mynah::tensor {

size_t TensorView::row_bytes() const {
  const gguf::GgmlTypeTraits traits = gguf::ggml_type_traits(type);
  MYNAH_DCHECK(n_cols % traits.block_size == 0);
  return static_cast<size_t>(n_cols / traits.block_size) * traits.block_bytes;
}

TensorView make_tensor_view(const gguf::TensorInfo& info, const void* data) {
  TensorView view;
  view.type = info.type;
  view.data = data;
  view.n_cols = info.dims.empty() ? 1 : static_cast<int64_t>(info.dims[0]);
  view.n_rows = 1;
  for (size_t i = 1; i < info.dims.size(); ++i) view.n_rows *= static_cast<int64_t>(info.dims[i]);
  return view;
}

}  // namespace mynah::tensor
