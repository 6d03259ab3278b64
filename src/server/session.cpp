// Session state machine: read -> route -> (respond | submit -> events -> stream/render) -> read.
#include "server/session.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "server/router.h"

namespace mynah::server {
namespace {

std::string error_json(std::string_view message) {
  return nlohmann::json{{"error", {{"message", message}, {"type", "invalid_request_error"}, {"param", nullptr}, {"code", nullptr}}}}
      .dump();
}

std::string models_json(const ModelRegistry& models) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& name : models.names()) data.push_back({{"id", name}, {"object", "model"}, {"created", 0}, {"owned_by", "mynah"}});
  return nlohmann::json{{"object", "list"}, {"data", data}}.dump();
}

}  // namespace

void Session::read_request() {
  parser_.emplace();
  parser_->header_limit(64 * 1024);
  parser_->body_limit(ctx_.options.max_body_bytes);
  stream_.expires_after(std::chrono::seconds(ctx_.options.header_timeout_s));
  http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void Session::on_read(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    const auto& req = parser_->get();
    method_ = std::string(req.method_string());
    target_ = std::string(req.target());
    started_ = std::chrono::steady_clock::now();
    keep_alive_ = false;  // the rest of the body is unread: the connection cannot be reused
    const std::string message = fmt::format("the request body exceeds the limit of {} bytes", ctx_.options.max_body_bytes);
    const RouteMatch m = match_route(method_, target_);
    if (m.dialect) return respond_dialect_error(*m.dialect, api::ApiError{413, message, "", "invalid_request_error"});
    return respond(413, error_json(message), "application/json");
  }
  if (ec) return close();  // end of stream, timeout, or malformed HTTP: nothing sensible to answer
  handle(parser_->release());
}

void Session::handle(http::request<http::string_body> req) {
  method_ = std::string(req.method_string());
  target_ = std::string(req.target());
  keep_alive_ = req.keep_alive();
  started_ = std::chrono::steady_clock::now();
  prompt_tokens_ = completion_tokens_ = 0;
  const RouteMatch m = match_route(method_, target_);
  switch (m.kind) {
    case RouteKind::kHealth:
      return respond(200, R"({"status":"ok"})", "application/json");
    case RouteKind::kModels:
      return respond(200, models_json(ctx_.models), "application/json");
    case RouteKind::kMetrics: {
      if (!ctx_.options.metrics_key.empty()) {
        const std::string_view auth = to_std(req[http::field::authorization]);
        const std::string_view prefix = "Bearer ";
        if (!auth.starts_with(prefix) || !key_matches({ctx_.options.metrics_key}, auth.substr(prefix.size()))) {
          return respond(401, error_json("a valid metrics key is required"), "application/json");
        }
      }
      return respond(200, render_metrics(ctx_.models), "text/plain; version=0.0.4");
    }
    case RouteKind::kMethodNotAllowed: {
      const std::string message = fmt::format("{} is not allowed on {}; use {}", method_, target_, m.allowed_methods);
      if (m.dialect) {
        return respond_dialect_error(*m.dialect, api::ApiError{405, message, "", "invalid_request_error"}, std::nullopt,
                                     m.allowed_methods.c_str());
      }
      return respond(405, error_json(message), "application/json", m.allowed_methods.c_str());
    }
    case RouteKind::kNotFound:
      return respond(404, error_json(fmt::format("no route for {} {}", method_, target_)), "application/json");
    case RouteKind::kDialect:
      return handle_generation(*m.dialect, req);
  }
}

bool Session::authorized(const api::Dialect& dialect, const http::request<http::string_body>& req) const {
  if (ctx_.options.api_keys.empty()) return true;
  if (dialect.auth() == api::AuthScheme::kXApiKey) return key_matches(ctx_.options.api_keys, to_std(req["X-API-KEY"]));
  const std::string_view auth = to_std(req[http::field::authorization]);
  const std::string_view prefix = "Bearer ";
  return auth.size() > prefix.size() && auth.substr(0, prefix.size()) == prefix &&
         key_matches(ctx_.options.api_keys, auth.substr(prefix.size()));
}

void Session::handle_generation(const api::Dialect& dialect, const http::request<http::string_body>& req) {
  if (!authorized(dialect, req)) {
    return respond_dialect_error(dialect, api::ApiError{401, "a valid API key is required", "", "authentication_error"});
  }
  api::HttpRequestView view{to_std(req.method_string()), to_std(req.target()), req.body(), [&req](std::string_view name) -> std::optional<std::string> {
                              auto it = req.find(beast::string_view(name.data(), name.size()));
                              if (it == req.end()) return std::nullopt;
                              return std::string(to_std(it->value()));
                            }};
  auto call = dialect.parse(view, ctx_.info);
  if (!call) return respond_dialect_error(dialect, call.error());
  call_ = std::move(call).value();
  engine_ = ctx_.models.find(call_->requested_model);
  if (!engine_) {
    std::string names;
    for (const auto& n : ctx_.models.names()) names += (names.empty() ? "" : ", ") + n;
    return respond_dialect_error(
        dialect, api::ApiError{404, fmt::format("model '{}' does not exist; available: {}", call_->requested_model, names), "model",
                               "invalid_request_error"});
  }
  call_->served_model = call_->requested_model.empty() ? ctx_.models.names().front() : call_->requested_model;
  auto self = shared_from_this();
  auto id = engine_->submit(call_->request, [self](engine::GenerationEvent ev) {
    net::post(self->stream_.get_executor(), [self, ev = std::move(ev)]() mutable { self->on_event(std::move(ev)); });
  });
  if (!id) {
    const auto& e = id.error();
    using Kind = engine::SubmitError::Kind;
    const int status = e.kind == Kind::kInvalid ? 400 : e.kind == Kind::kQueueFull ? 429 : 503;
    const std::optional<int> retry = e.kind == Kind::kInvalid ? std::nullopt : std::optional<int>(1);
    call_.reset();
    return respond_dialect_error(dialect, api::ApiError{status, e.message, e.param, status == 400 ? "invalid_request_error" : "server_error"},
                                 retry);
  }
  request_id_ = *id;
  call_->request_id = *id;
  response_complete_ = false;
  stream_.expires_never();
  if (call_->stream) start_stream();
  watch_client();
}

}  // namespace mynah::server
