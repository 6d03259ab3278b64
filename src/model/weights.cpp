// WeightBinder: shape/type validation of bound tensors.
#include "model/weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kernels/matmul.h"
#include "tensor/dequantize.h"

namespace mynah::model {

const gguf::TensorInfo* WeightBinder::lookup(const std::string& name, std::vector<uint64_t> expected, bool required) {
  const gguf::TensorInfo* info = file_.find_tensor(name);
  if (!info) {
    if (required) problems_.push_back(fmt::format("{}: missing", name));
    return nullptr;
  }
  if (info->dims != expected) {
    problems_.push_back(fmt::format("{}: expected shape [{}], got [{}]", name, fmt::join(expected, ", "),
                                    fmt::join(info->dims, ", ")));
    return nullptr;
  }
  return info;
}

std::optional<tensor::TensorView> WeightBinder::optional_matrix(const std::string& name, int64_t n_cols, int64_t n_rows) {
  const auto* info = lookup(name, {static_cast<uint64_t>(n_cols), static_cast<uint64_t>(n_rows)}, false);
  if (!info) return std::nullopt;
  if (!kernels::matmul_supports(info->type)) {
    problems_.push_back(fmt::format("{}: tensor type {} is not supported for matrix weights", name,
                                    gguf::ggml_type_name(info->type)));
    return std::nullopt;
  }
  return tensor::TensorView{info->type, file_.tensor_bytes(*info).data(), n_cols, n_rows};
}

tensor::TensorView WeightBinder::matrix(const std::string& name, int64_t n_cols, int64_t n_rows) {
  if (!file_.find_tensor(name)) {
    problems_.push_back(fmt::format("{}: missing", name));
    return {};
  }
  return optional_matrix(name, n_cols, n_rows).value_or(tensor::TensorView{});
}

std::optional<std::vector<float>> WeightBinder::optional_vector(const std::string& name, int64_t n) {
  const auto* info = lookup(name, {static_cast<uint64_t>(n)}, false);
  if (!info) return std::nullopt;
  std::vector<float> out(static_cast<size_t>(n));
  if (!tensor::dequantize_row(info->type, file_.tensor_bytes(*info).data(), out.data(), n)) {
    problems_.push_back(fmt::format("{}: tensor type {} is not supported", name, gguf::ggml_type_name(info->type)));
    return std::nullopt;
  }
  return out;
}

std::vector<float> WeightBinder::vector(const std::string& name, int64_t n) {
  if (!file_.find_tensor(name)) {
    problems_.push_back(fmt::format("{}: missing", name));
    return std::vector<float>(static_cast<size_t>(n), 0.0f);
  }
  return optional_vector(name, n).value_or(std::vector<float>(static_cast<size_t>(n), 0.0f));
}

util::Status WeightBinder::finish() const {
  if (problems_.empty()) return {};
  return util::make_error("{}: {} weight problem(s): {}", file_.source_name(), problems_.size(),
                          fmt::join(problems_, "; "));
}

}  // namespace mynah::model
