// The models a server serves, by name; the first is the default.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"

namespace mynah::server {

class ModelRegistry {
 public:
  void add(std::string name, std::unique_ptr<engine::Engine> engine) { models_.emplace_back(std::move(name), std::move(engine)); }
  // nullptr for an unknown name; an empty name picks the default model.
  engine::Engine* find(const std::string& name) const {
    if (name.empty()) return models_.empty() ? nullptr : models_.front().second.get();
    for (const auto& [n, e] : models_) if (n == name) return e.get();
    return nullptr;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, e] : models_) out.push_back(n);
    return out;
  }
  const std::vector<std::pair<std::string, std::unique_ptr<engine::Engine>>>& all() const { return models_; }

 private:
  std::vector<std::pair<std::string, std::unique_ptr<engine::Engine>>> models_;
};

}  // namespace mynah::server
