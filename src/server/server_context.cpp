// key_matches and render_metrics.
#include "server/server_context.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace mynah::server {

bool key_matches(const std::vector<std::string>& keys, std::string_view presented) {
  bool any = false;
  for (const auto& key : keys) {
    // Compare every byte of the longer string so timing does not reveal the matching prefix length.
    const size_t n = std::max(key.size(), presented.size());
    unsigned diff = key.size() != presented.size();
    for (size_t i = 0; i < n; ++i) {
      const unsigned char a = i < key.size() ? key[i] : 0, b = i < presented.size() ? presented[i] : 0;
      diff |= a ^ b;
    }
    any |= diff == 0;
  }
  return any;
}

std::string render_metrics(const ModelRegistry& models) {
  // Samples of one metric family must stay together under its HELP/TYPE lines, so every engine's
  // samples are regrouped by family with a model label added.
  std::vector<std::string> order;
  std::map<std::string, std::string> headers, samples;
  auto family_of = [&](const std::string& metric) {
    if (headers.count(metric)) return metric;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string sfx(suffix);
      if (metric.size() > sfx.size() && metric.compare(metric.size() - sfx.size(), sfx.size(), sfx) == 0) {
        const std::string base = metric.substr(0, metric.size() - sfx.size());
        if (headers.count(base)) return base;
      }
    }
    return metric;
  };
  bool first = true;
  for (const auto& [name, engine] : models.all()) {
    std::istringstream in(engine->metrics_text());
    std::string line;
    const std::string label = "model=\"" + name + "\"";
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      if (line[0] == '#') {
        std::istringstream words(line);
        std::string hash, kind, family;
        words >> hash >> kind >> family;
        if (!first) continue;
        if (!headers.count(family)) order.push_back(family);
        headers[family] += line + "\n";
        continue;
      }
      const size_t brace = line.find('{');
      const size_t space = line.find(' ');
      const std::string metric = line.substr(0, std::min(brace, space));
      if (brace != std::string::npos && brace < space) {
        line.insert(brace + 1, label + ",");
      } else {
        line.insert(space, "{" + label + "}");
      }
      samples[family_of(metric)] += line + "\n";
    }
    first = false;
  }
  std::string out;
  for (const auto& family : order) out += headers[family] + samples[family];
  return out;
}

}  // namespace mynah::server
