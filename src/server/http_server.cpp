// HttpServer: acceptor loop on one io_context thread; SIGINT/SIGTERM stop it.
#include "server/http_server.h"

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include "server/session.h"

namespace mynah::server {

struct HttpServer::Impl {
  Impl(ServerOptions options, ModelRegistry& models)
      : ctx{std::move(options), models, {}}, acceptor(ioc), signals(ioc, SIGINT, SIGTERM) {
    ctx.info.model_names = models.names();
    if (!models.all().empty()) ctx.info.n_ctx = models.all().front().second->n_ctx();
  }

  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, net::ip::tcp::socket socket) {
      if (ec) {
        if (ec != net::error::operation_aborted) spdlog::warn("accept failed: {}", ec.message());
        if (!acceptor.is_open()) return;
      } else {
        beast::error_code ignored;
        socket.set_option(net::ip::tcp::no_delay(true), ignored);  // SSE frames go out as soon as written
        std::make_shared<Session>(std::move(socket), ctx)->start();
      }
      accept();
    });
  }

  net::io_context ioc{1};
  ServerContext ctx;
  net::ip::tcp::acceptor acceptor;
  net::signal_set signals;
};

HttpServer::HttpServer(ServerOptions options, ModelRegistry& models) : impl_(std::make_unique<Impl>(std::move(options), models)) {}

HttpServer::~HttpServer() = default;

util::Status HttpServer::start() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->ctx.options.host, ec);
  if (ec) return util::make_error("--host '{}' is not an IP address: {}", impl_->ctx.options.host, ec.message());
  const net::ip::tcp::endpoint endpoint(address, impl_->ctx.options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return util::make_error("cannot listen on {}:{}: {}", impl_->ctx.options.host, impl_->ctx.options.port, ec.message());
  impl_->signals.async_wait([this](beast::error_code, int) { stop(); });
  impl_->accept();
  return {};
}

void HttpServer::run() { impl_->ioc.run(); }

void HttpServer::stop() {
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    impl_->ioc.stop();
  });
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace mynah::server
