// FieldReader: messages follow "<param> must be ..., got <value>".
#include "api/field_reader.h"

#include <cmath>

#include <fmt/format.h>

namespace mynah::api {

const nlohmann::json* FieldReader::get(std::string_view name) const {
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

void FieldReader::fail(std::string param, std::string message) {
  if (!error_) error_ = bad_request(std::move(param), std::move(message));
}

std::optional<double> FieldReader::number(std::string_view name, double min, double max) {
  const auto* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    fail(std::string(name), fmt::format("{} must be a number, got {}", name, v->dump()));
    return std::nullopt;
  }
  const double x = v->get<double>();
  if (!std::isfinite(x) || x < min || x > max) {
    fail(std::string(name), fmt::format("{} must be between {} and {}, got {}", name, min, max, v->dump()));
    return std::nullopt;
  }
  return x;
}

std::optional<int64_t> FieldReader::integer(std::string_view name, int64_t min, int64_t max) {
  const auto* v = get(name);
  if (!v) return std::nullopt;
  const bool integral = v->is_number_integer() || (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>() &&
                                                   std::fabs(v->get<double>()) < 9.0e15);
  if (!integral) {
    fail(std::string(name), fmt::format("{} must be an integer, got {}", name, v->dump()));
    return std::nullopt;
  }
  const int64_t x = v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                        ? INT64_MAX
                        : (v->is_number_float() ? static_cast<int64_t>(v->get<double>()) : v->get<int64_t>());
  if (x < min || x > max) {
    fail(std::string(name), fmt::format("{} must be between {} and {}, got {}", name, min, max, v->dump()));
    return std::nullopt;
  }
  return x;
}

std::optional<bool> FieldReader::boolean(std::string_view name) {
  const auto* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    fail(std::string(name), fmt::format("{} must be a boolean, got {}", name, v->dump()));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::string> FieldReader::string(std::string_view name) {
  const auto* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(std::string(name), fmt::format("{} must be a string, got {}", name, v->dump()));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::vector<std::string> FieldReader::string_or_list(std::string_view name, size_t max_items) {
  const auto* v = get(name);
  if (!v) return {};
  if (v->is_string()) return {v->get<std::string>()};
  if (!v->is_array() || v->size() > max_items) {
    fail(std::string(name), fmt::format("{} must be a string or an array of at most {} strings", name, max_items));
    return {};
  }
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) {
      fail(std::string(name), fmt::format("{} must contain only strings, got {}", name, item.dump()));
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

util::Result<nlohmann::json, ApiError> parse_json_object(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad_request("", "the request body is not valid JSON");
  if (!j.is_object()) return bad_request("", "the request body must be a JSON object");
  return j;
}

}  // namespace mynah::api
