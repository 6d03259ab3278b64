// Dialect: one vendor API. It names its routes and auth header, parses a request body into a Call
// (the typed GenerationRequest plus whatever vendor state rendering needs), and renders errors.
// The server is generic: parse -> engine.submit -> Call::on_event per event -> Call::render/stream.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_error.h"
#include "engine/generation_event.h"
#include "engine/generation_request.h"
#include "util/status.h"

namespace mynah::api {

struct HttpRequestView {
  std::string_view method;
  std::string_view path;
  std::string_view body;
  std::function<std::optional<std::string>(std::string_view name)> header;  // case-insensitive
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

enum class AuthScheme { kBearer, kXApiKey };

// Facts about the server a dialect may need while parsing (no engine access).
struct ServerInfo {
  std::vector<std::string> model_names;  // first = default
  int32_t n_ctx = 0;                     // context of the default model
};

// One request in flight. Created by Dialect::parse; the server fills `served_model` and `request_id`
// before submitting `request` to the engine.
class Call {
 public:
  virtual ~Call() = default;

  engine::GenerationRequest request;
  bool stream = false;
  std::string requested_model;  // empty: the server's default
  std::string served_model;
  int64_t request_id = 0;

  // Consumes one engine event. While streaming, returns the bytes to send now (SSE frames).
  virtual std::string on_event(const engine::GenerationEvent& event) = 0;
  // Every sequence of the request has finished.
  virtual bool done() const = 0;
  // Streaming: the bytes that close the stream (usage frame, [DONE]).
  virtual std::string stream_tail() = 0;
  // Non-streaming: the complete response.
  virtual HttpResponse render() = 0;
  // Streaming responses carry these headers; by default SSE.
  virtual std::string stream_content_type() const { return "text/event-stream"; }
};

struct Route {
  std::string method;
  std::string path;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string_view name() const = 0;  // "<vendor>.<endpoint>"
  virtual std::vector<Route> routes() const = 0;
  virtual AuthScheme auth() const { return AuthScheme::kBearer; }
  // Model named in headers rather than the body (e.g. X-Model), if this dialect does that.
  virtual util::Result<std::unique_ptr<Call>, ApiError> parse(const HttpRequestView& http, const ServerInfo& info) const = 0;
  virtual HttpResponse render_error(const ApiError& error) const = 0;
};

// Every registered dialect (registry.cpp).
const std::vector<std::unique_ptr<Dialect>>& dialects();

// "data: <payload>\n\n"
std::string sse_data(std::string_view payload);

}  // namespace mynah::api
