// Session output: whole responses, SSE streams (chunked transfer encoding), the single write queue
// both go through, the disconnect watch, and the access log.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "server/session.h"

namespace mynah::server {

void Session::respond(int status, std::string body, std::string content_type, const char* allow, std::optional<int> retry_after) {
  status_ = status;
  std::string head = fmt::format("HTTP/1.1 {} {}\r\nServer: mynah\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n", status,
                                 to_std(http::obsolete_reason(http::int_to_status(status))), content_type, body.size(),
                                 keep_alive_ ? "keep-alive" : "close");
  if (allow) head += fmt::format("Allow: {}\r\n", allow);
  if (retry_after) head += fmt::format("Retry-After: {}\r\n", *retry_after);
  close_after_writes_ = true;
  enqueue(head + "\r\n" + body, /*chunked=*/false);
}

void Session::respond_dialect_error(const api::Dialect& dialect, const api::ApiError& error, std::optional<int> retry_after,
                                    const char* allow) {
  auto r = dialect.render_error(error);
  respond(r.status, std::move(r.body), r.content_type, allow, retry_after);
}

void Session::start_stream() {
  status_ = 200;
  enqueue(fmt::format("HTTP/1.1 200 OK\r\nServer: mynah\r\nContent-Type: {}\r\nCache-Control: no-cache\r\n"
                      "Transfer-Encoding: chunked\r\nConnection: {}\r\n\r\n",
                      call_->stream_content_type(), keep_alive_ ? "keep-alive" : "close"),
          /*chunked=*/false);
}

void Session::enqueue(std::string bytes, bool chunked) {
  if (client_gone_ || bytes.empty()) return;
  writes_.push_back(chunked ? fmt::format("{:x}\r\n{}\r\n", bytes.size(), bytes) : std::move(bytes));
  if (!writing_) write_next();
}

void Session::write_next() {
  writing_ = true;
  net::async_write(stream_, net::buffer(writes_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
    self->writing_ = false;
    if (ec) {
      self->client_gone_ = true;
      if (self->engine_ && !self->response_complete_) self->engine_->cancel(self->request_id_);
      self->writes_.clear();
      return self->close();
    }
    self->writes_.pop_front();
    if (!self->writes_.empty()) return self->write_next();
    if (self->close_after_writes_) self->complete_response();
  });
}

void Session::on_event(engine::GenerationEvent ev) {
  if (!call_ || client_gone_ || response_complete_) return;
  if (ev.finish) {
    completion_tokens_ += ev.usage.completion_tokens;
    if (ev.seq_idx == 0) prompt_tokens_ += ev.usage.prompt_tokens;
  }
  std::string data = call_->on_event(ev);
  if (call_->stream) {
    enqueue(std::move(data), /*chunked=*/true);
    if (call_->done()) {
      enqueue(call_->stream_tail(), /*chunked=*/true);
      close_after_writes_ = true;
      enqueue("0\r\n\r\n", /*chunked=*/false);
    }
    return;
  }
  if (call_->done()) {
    auto r = call_->render();
    respond(r.status, std::move(r.body), r.content_type);
  }
}

void Session::complete_response() {
  close_after_writes_ = false;
  response_complete_ = true;
  log_access();
  call_.reset();
  engine_ = nullptr;
  if (!keep_alive_) return close();
  if (watching_) {
    beast::error_code ec;
    stream_.socket().cancel(ec);  // the watch handler then reads the next request
    return;
  }
  response_complete_ = false;
  read_request();
}

void Session::watch_client() {
  watching_ = true;
  stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->watching_ = false;
    if (!ec) self->buffer_.commit(n);
    if (self->response_complete_) {
      self->response_complete_ = false;
      if (self->keep_alive_ && (!ec || ec == net::error::operation_aborted)) return self->read_request();
      return self->close();
    }
    if (ec) {  // the client went away before its answer: stop generating for it
      self->client_gone_ = true;
      if (self->engine_) self->engine_->cancel(self->request_id_);
      return;
    }
    self->watch_client();  // pipelined bytes stay in the buffer for the next request
  });
}

void Session::close() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

void Session::log_access() {
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  spdlog::info("{} {} {} prompt_tokens={} completion_tokens={} {:.1f} ms", method_, target_, status_, prompt_tokens_,
               completion_tokens_, ms);
}

}  // namespace mynah::server
