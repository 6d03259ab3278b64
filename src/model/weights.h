// Binds tensors by name with shape and type checks, collecting every problem so a bad file is
// reported in one pass ("blk.3.attn_q.weight: expected [64, 64], got [64, 32]").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"
#include "tensor/tensor_view.h"
#include "util/status.h"

namespace mynah::model {

class WeightBinder {
 public:
  explicit WeightBinder(const gguf::GgufFile& file) : file_(file) {}

  // A 2-D weight with rows of n_cols elements. Missing or mis-shaped tensors are recorded as errors
  // and an empty view is returned.
  tensor::TensorView matrix(const std::string& name, int64_t n_cols, int64_t n_rows);
  std::optional<tensor::TensorView> optional_matrix(const std::string& name, int64_t n_cols, int64_t n_rows);
  // A 1-D weight dequantized to float (norm gains, frequency factors).
  std::vector<float> vector(const std::string& name, int64_t n);
  std::optional<std::vector<float>> optional_vector(const std::string& name, int64_t n);

  // Errors if any tensor was missing or mis-shaped, listing them all.
  util::Status finish() const;

 private:
  const gguf::TensorInfo* lookup(const std::string& name, std::vector<uint64_t> expected, bool required);

  const gguf::GgufFile& file_;
  std::vector<std::string> problems_;
};

}  // namespace mynah::model
