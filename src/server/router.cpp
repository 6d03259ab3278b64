// match_route: exact path matches; the query string is ignored.
#include "server/router.h"

namespace mynah::server {

RouteMatch match_route(std::string_view method, std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  struct Builtin {
    std::string_view method, path;
    RouteKind kind;
  };
  static constexpr Builtin kBuiltins[] = {{"GET", "/health", RouteKind::kHealth},
                                          {"GET", "/metrics", RouteKind::kMetrics},
                                          {"GET", "/v1/models", RouteKind::kModels}};
  for (const auto& b : kBuiltins) {
    if (b.path != path) continue;
    if (b.method == method) return {b.kind, nullptr, {}};
    return {RouteKind::kMethodNotAllowed, nullptr, std::string(b.method)};
  }
  // A path no dialect serves with this method is a 405 listing every method some dialect serves it with.
  RouteMatch not_allowed;
  for (const auto& d : api::dialects()) {
    for (const auto& r : d->routes()) {
      if (r.path != path) continue;
      if (r.method == method) return {RouteKind::kDialect, d.get(), {}};
      if (not_allowed.kind != RouteKind::kMethodNotAllowed) not_allowed = {RouteKind::kMethodNotAllowed, d.get(), {}};
      if (!not_allowed.allowed_methods.empty()) not_allowed.allowed_methods += ", ";
      not_allowed.allowed_methods += r.method;
    }
  }
  return not_allowed;
}

}  // namespace mynah::server
