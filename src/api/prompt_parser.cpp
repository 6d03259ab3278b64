// Prompt and bias parsing shared by the dialects.
#include "api/prompt_parser.h"

#include <charconv>

#include <fmt/format.h>

namespace mynah::api {
namespace {

bool is_token_array(const nlohmann::json& j) {
  if (!j.is_array() || j.empty()) return false;
  for (const auto& x : j) {
    if (!x.is_number_integer()) return false;
  }
  return true;
}

std::vector<int32_t> to_tokens(const nlohmann::json& j) {
  std::vector<int32_t> out;
  for (const auto& x : j) {
    const int64_t v = x.get<int64_t>();
    out.push_back(v < 0 || v > INT32_MAX ? -1 : static_cast<int32_t>(v));  // range checked by the engine
  }
  return out;
}

}  // namespace

util::Result<ParsedPrompts, ApiError> parse_prompts(FieldReader& f, std::string_view name, bool required) {
  const std::string param(name);
  const auto* v = f.get(name);
  ParsedPrompts out;
  if (!v) {
    if (required) return bad_request(param, fmt::format("{} is required", name));
    return out;
  }
  if (v->is_string()) {
    out.prompts.push_back({v->get<std::string>(), {}, {}});
    out.texts.push_back(v->get<std::string>());
    return out;
  }
  if (is_token_array(*v)) {
    out.prompts.push_back({std::nullopt, to_tokens(*v), {}});
    out.texts.emplace_back();
    return out;
  }
  if (!v->is_array() || v->empty()) {
    return bad_request(param, fmt::format("{} must be a string, an array of strings, an array of token ids or an array "
                                          "of token-id arrays, and must not be empty", name));
  }
  for (const auto& item : *v) {
    if (item.is_string()) {
      out.prompts.push_back({item.get<std::string>(), {}, {}});
      out.texts.push_back(item.get<std::string>());
    } else if (is_token_array(item)) {
      out.prompts.push_back({std::nullopt, to_tokens(item), {}});
      out.texts.emplace_back();
    } else {
      return bad_request(param, fmt::format("{} items must all be strings or all be non-empty token-id arrays", name));
    }
  }
  return out;
}

std::vector<sampling::TokenBias> parse_token_bias(FieldReader& f, std::string_view name, double min, double max) {
  std::vector<sampling::TokenBias> out;
  const auto* v = f.get(name);
  if (!v) return out;
  if (!v->is_object()) {
    f.fail(std::string(name), fmt::format("{} must be an object mapping token ids to biases", name));
    return out;
  }
  for (const auto& [key, value] : v->items()) {
    int32_t id = -1;
    auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc() || ptr != key.data() + key.size() || id < 0) {
      f.fail(std::string(name), fmt::format("{} keys must be token ids, got \"{}\"", name, key));
      return out;
    }
    if (!value.is_number() || value.get<double>() < min || value.get<double>() > max) {
      f.fail(std::string(name), fmt::format("{} values must be numbers between {} and {}, got {} for token {}", name, min,
                                            max, value.dump(), key));
      return out;
    }
    out.push_back({id, static_cast<float>(value.get<double>())});
  }
  return out;
}

}  // namespace mynah::api
