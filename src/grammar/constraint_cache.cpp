// ConstraintCache: the key is the full spec text (not only its hash) so a collision can never
// hand one request another request's grammar.
#include "grammar/constraint_cache.h"

#include <fmt/format.h>

namespace mynah::grammar {

util::Result<std::shared_ptr<const Grammar>> compile_constraint(const ConstraintSpec& spec) {
  JsonSchemaOptions options;
  options.separators = spec.separators;
  switch (spec.kind) {
    case ConstraintKind::kJsonObject: return compile_json_object(options);
    case ConstraintKind::kRegex: return compile_regex_grammar(spec.text, options.limits);
    case ConstraintKind::kJsonSchema: {
      nlohmann::ordered_json schema;
      try {
        schema = nlohmann::ordered_json::parse(spec.text);
      } catch (const nlohmann::json::exception& e) {
        return util::make_error("schema is not valid JSON: {}", e.what());
      }
      return compile_json_schema(schema, options);
    }
  }
  return util::make_error("unknown constraint kind");
}

util::Result<std::shared_ptr<MaskCache>> ConstraintCache::masks_for(const ConstraintSpec& spec,
                                                                    const std::shared_ptr<const TokenIndex>& index) {
  const std::string key = fmt::format("{}|{}|{}|{}", static_cast<int>(spec.kind), static_cast<int>(spec.separators),
                                      static_cast<const void*>(index.get()), spec.text);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = by_key_.find(key);
    if (it != by_key_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->masks;
    }
  }
  auto grammar = compile_constraint(spec);  // outside the lock: compiles can take milliseconds
  if (!grammar) return grammar.take_error();
  auto masks = std::make_shared<MaskCache>(*grammar, index);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) return it->second->masks;
  lru_.push_front(Entry{key, masks});
  by_key_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    by_key_.erase(lru_.back().key);
    lru_.pop_back();
  }
  return masks;
}

}  // namespace mynah::grammar
