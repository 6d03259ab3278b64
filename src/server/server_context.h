// What every session shares: options, models, and the server info dialects see.
#pragma once

#include "api/dialect.h"
#include "server/model_registry.h"
#include "server/server_options.h"

namespace mynah::server {

struct ServerContext {
  ServerOptions options;
  ModelRegistry& models;
  api::ServerInfo info;
};

// Constant-time comparison of a presented key with every configured key.
bool key_matches(const std::vector<std::string>& keys, std::string_view presented);

// Prometheus text of every engine, each sample labelled with its model.
std::string render_metrics(const ModelRegistry& models);

}  // namespace mynah::server
