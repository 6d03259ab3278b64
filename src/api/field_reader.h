// FieldReader: typed, range-checked access to a JSON request body. The first problem is kept as an
// ApiError naming the parameter, the allowed range and the value given; JSON null reads as absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "util/status.h"

namespace mynah::api {

class FieldReader {
 public:
  explicit FieldReader(const nlohmann::json& object) : object_(object) {}

  // nullptr when the field is absent or null.
  const nlohmann::json* get(std::string_view name) const;
  std::optional<double> number(std::string_view name, double min, double max);
  std::optional<int64_t> integer(std::string_view name, int64_t min, int64_t max);
  std::optional<bool> boolean(std::string_view name);
  std::optional<std::string> string(std::string_view name);
  // A string or an array of strings (at most max_items).
  std::vector<std::string> string_or_list(std::string_view name, size_t max_items);

  void fail(std::string param, std::string message);
  bool ok() const { return !error_; }
  const ApiError& error() const { return *error_; }

 private:
  const nlohmann::json& object_;
  std::optional<ApiError> error_;
};

// Parses a request body that must be a JSON object.
util::Result<nlohmann::json, ApiError> parse_json_object(std::string_view body);

}  // namespace mynah::api
