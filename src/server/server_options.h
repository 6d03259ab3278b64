// Settings of the HTTP front end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mynah::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::vector<std::string> api_keys;  // empty: no authentication
  std::string metrics_key;            // empty: /metrics is open
  uint64_t max_body_bytes = 8u << 20;
  int header_timeout_s = 30;          // to receive a request's header (and idle keep-alive)
  int body_timeout_s = 60;            // to receive its body
};

}  // namespace mynah::server
