// HttpServer: HTTP/1.1 with keep-alive on Boost.Beast, one I/O thread running an asynchronous accept
// and session loop (idle or slow connections cost no thread), requests handed to the engines.
#pragma once

#include <memory>
#include <thread>

#include "server/model_registry.h"
#include "server/server_options.h"
#include "util/status.h"

namespace mynah::server {

class HttpServer {
 public:
  HttpServer(ServerOptions options, ModelRegistry& models);
  ~HttpServer();

  // Binds and listens; port 0 picks a free port (see port()).
  util::Status start();
  // Serves until stop() or SIGINT/SIGTERM.
  void run();
  void stop();
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mynah::server
