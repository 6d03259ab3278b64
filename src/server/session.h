// Session: one client connection. Reads requests (header and body limits, timeouts), routes them,
// and for generation routes submits to an engine, then streams SSE chunks or writes one body. While a
// request runs, a read on the socket watches for the client going away, which cancels the request.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/dialect.h"
#include "server/server_context.h"

namespace mynah::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// Beast 1.74 uses boost::string_view; the rest of the code speaks std::string_view.
inline std::string_view to_std(beast::string_view s) { return {s.data(), s.size()}; }

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(net::ip::tcp::socket socket, ServerContext& ctx) : stream_(std::move(socket)), ctx_(ctx) {}
  void start() { read_request(); }

 private:
  void read_request();
  void on_read(beast::error_code ec);
  void handle(http::request<http::string_body> req);
  void handle_generation(const api::Dialect& dialect, const http::request<http::string_body>& req);
  bool authorized(const api::Dialect& dialect, const http::request<http::string_body>& req) const;
  void on_event(engine::GenerationEvent ev);
  void respond(int status, std::string body, std::string content_type, const char* allow = nullptr,
               std::optional<int> retry_after = std::nullopt);
  // `allow`: the Allow header a 405 must carry (RFC 9110 15.5.6), in the dialect's error shape too.
  void respond_dialect_error(const api::Dialect& dialect, const api::ApiError& error, std::optional<int> retry_after = {},
                             const char* allow = nullptr);
  void start_stream();
  void enqueue(std::string bytes, bool chunked);
  void write_next();
  void complete_response();
  void watch_client();
  void close();
  void log_access();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerContext& ctx_;

  // The request in flight.
  std::string method_, target_;
  bool keep_alive_ = false;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<api::Call> call_;
  engine::Engine* engine_ = nullptr;
  int64_t request_id_ = 0;
  int64_t prompt_tokens_ = 0, completion_tokens_ = 0;
  std::deque<std::string> writes_;
  bool writing_ = false;
  bool close_after_writes_ = false;  // the stream's last bytes are queued
  bool response_complete_ = false;
  bool watching_ = false;
  bool client_gone_ = false;
  int status_ = 0;
};

}  // namespace mynah::server
