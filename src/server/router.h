// Router: which handler a (method, path) goes to. Dialect routes come from the api registry; the
// server's own routes are /health, /metrics and /v1/models.
#pragma once

#include <string>
#include <string_view>

#include "api/dialect.h"

namespace mynah::server {

enum class RouteKind { kHealth, kMetrics, kModels, kDialect, kNotFound, kMethodNotAllowed };

struct RouteMatch {
  RouteKind kind = RouteKind::kNotFound;
  const api::Dialect* dialect = nullptr;
  std::string allowed_methods;  // for kMethodNotAllowed: the Allow header value, e.g. "POST"
};

RouteMatch match_route(std::string_view method, std::string_view path);

}  // namespace mynah::server
