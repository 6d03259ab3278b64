// Helpers for dialect tests: find a registered dialect, parse a JSON body, feed synthetic events.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/dialect.h"

namespace mynah::api::testing {

inline const Dialect& dialect(std::string_view name) {
  for (const auto& d : dialects()) {
    if (d->name() == name) return *d;
  }
  throw std::runtime_error("dialect not registered: " + std::string(name));
}

inline util::Result<std::unique_ptr<Call>, ApiError> parse(const Dialect& d, const std::string& body,
                                                          std::map<std::string, std::string> headers = {}) {
  HttpRequestView view{"POST", d.routes().front().path, body, [headers](std::string_view name) -> std::optional<std::string> {
                         for (const auto& [k, v] : headers) {
                           if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                                 return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                               })) {
                             return v;
                           }
                         }
                         return std::nullopt;
                       }};
  ServerInfo info{{"stories260K"}, 512};
  return d.parse(view, info);
}

// The parsed call, or an exception naming the body: for tests whose request must be accepted.
inline std::unique_ptr<Call> parsed_or_throw(const Dialect& d, const std::string& body) {
  auto call = parse(d, body);
  if (!call.ok()) throw std::runtime_error(body + ": " + call.error().message);
  return std::move(call).value();
}

// The error, or an exception naming the body: for tests whose request must be refused.
inline ApiError rejected_or_throw(const Dialect& d, const std::string& body) {
  auto call = parse(d, body);
  if (call.ok()) throw std::runtime_error("accepted: " + body);
  return call.error();
}

// A JSON fixture from tests/fixtures/api/<folder>/<name>.
inline nlohmann::json read_fixture(const std::string& folder, const std::string& name) {
  std::ifstream in(std::string(MYNAH_SOURCE_ROOT) + "/tests/fixtures/api/" + folder + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// The stop strings of a request with their keep (true) / cut (false) rule, for comparisons.
inline std::vector<std::pair<std::string, bool>> stop_rules(const engine::StopRules& rules) {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& s : rules.strings) out.emplace_back(s.text, s.include_in_output);
  return out;
}
using StopList = std::vector<std::pair<std::string, bool>>;
constexpr bool kKept = true;
constexpr bool kCut = false;

// A finished single-token event.
inline engine::GenerationEvent token_event(int32_t prompt_idx, int32_t seq_idx, int32_t id, std::string piece, float logprob,
                                           std::optional<engine::FinishReason> finish = std::nullopt) {
  engine::GenerationEvent ev;
  ev.prompt_idx = prompt_idx;
  ev.seq_idx = seq_idx;
  ev.tokens.push_back({id, piece, logprob, {}});
  ev.text_delta = piece;
  ev.finish = finish;
  if (finish) ev.usage = {5, 1, 0};
  return ev;
}

}  // namespace mynah::api::testing
