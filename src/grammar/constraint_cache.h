// ConstraintCache: compiled constraints keyed by (kind, options, text hash), so a schema sent with
// every request is compiled once. Each entry also owns the MaskCache for one TokenIndex, so the
// per-state token sets computed for one request speed up the next. Thread-safe; bounded (the
// least recently used entry is dropped first).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "grammar/json_schema_compiler.h"
#include "grammar/mask_cache.h"
#include "grammar/token_index.h"
#include "util/status.h"

namespace mynah::grammar {

enum class ConstraintKind : uint8_t {
  kJsonObject,  // any JSON object; `text` is ignored
  kJsonSchema,  // `text` is the schema document
  kRegex,       // `text` is an ECMA-262 pattern the whole output must match
};

struct ConstraintSpec {
  ConstraintKind kind = ConstraintKind::kJsonObject;
  std::string text;
  JsonSeparators separators = JsonSeparators::kCompact;
};

// Compiles without caching. Schema text that is not JSON is an error.
util::Result<std::shared_ptr<const Grammar>> compile_constraint(const ConstraintSpec& spec);

class ConstraintCache {
 public:
  explicit ConstraintCache(size_t capacity = 256) : capacity_(capacity) {}

  // The mask cache for this constraint and vocabulary; compile errors are returned (not cached).
  util::Result<std::shared_ptr<MaskCache>> masks_for(const ConstraintSpec& spec,
                                                     const std::shared_ptr<const TokenIndex>& index);

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<MaskCache> masks;
  };
  size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> lru_;  // front = most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;
};

}  // namespace mynah::grammar
