// TensorView geometry: row sizes per type and views built from GGUF tensor table entries.
#include "tensor/tensor_view.h"

#include <vector>

#include <gtest/gtest.h>

namespace mynah::tensor {
namespace {

using gguf::GgmlType;

TEST(TensorView, RowBytesAndRows) {
  std::vector<uint8_t> data(18 * 4 * 3);
  TensorView v{GgmlType::kQ4_0, data.data(), 128, 3};
  EXPECT_EQ(v.row_bytes(), 72u);
  EXPECT_EQ(v.row(2), data.data() + 144);
  EXPECT_EQ((TensorView{GgmlType::kQ8_0, nullptr, 64, 1}.row_bytes()), 68u);
  EXPECT_EQ((TensorView{GgmlType::kF16, nullptr, 7, 1}.row_bytes()), 14u);
  EXPECT_EQ((TensorView{GgmlType::kF32, nullptr, 7, 1}.row_bytes()), 28u);
}

TEST(TensorView, FromTensorInfo) {
  gguf::TensorInfo info;
  info.type = GgmlType::kQ8_0;
  info.dims = {64, 5, 3};
  int dummy = 0;
  const TensorView v = make_tensor_view(info, &dummy);
  EXPECT_EQ(v.n_cols, 64);
  EXPECT_EQ(v.n_rows, 15);
  EXPECT_EQ(v.data, &dummy);
  info.dims = {32};
  EXPECT_EQ(make_tensor_view(info, &dummy).n_rows, 1);
}

}  // namespace
}  // namespace mynah::tensor
