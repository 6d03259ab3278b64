// JSON Schema (drafts 4 through 2020-12, the subset that can be enforced exactly) -> Grammar.
// Fails closed: a schema or keyword this compiler cannot enforce exactly is an error naming the
// keyword and its JSON pointer, never silently unconstrained output.
//
// Output shape: no whitespace anywhere except the configured separators (so a model can never
// loop on whitespace), object properties in the order `properties` defines them followed by any
// additional properties, strings in the canonical encoding json.dumps(ensure_ascii=False) uses.
// The known formats (date-time, date, time, uuid, email, uri, ipv4, ipv6, hostname) are enforced
// (some as documented restrictions, e.g. no February 29); any other `format` is a compile error.
#pragma once

#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "grammar/grammar.h"
#include "util/status.h"

namespace mynah::grammar {

enum class JsonSeparators : uint8_t {
  kCompact,  // "," and ":" (default)
  kSpaced,   // ", " and ": " (Python's json.dumps default)
};

struct JsonSchemaOptions {
  JsonSeparators separators = JsonSeparators::kCompact;
  GrammarLimits limits;
};

// `schema` must keep its key order (ordered_json): properties are emitted in definition order.
util::Result<std::shared_ptr<const Grammar>> compile_json_schema(const nlohmann::ordered_json& schema,
                                                                 const JsonSchemaOptions& options = {});
// Any JSON object (response_format {"type": "json_object"}).
util::Result<std::shared_ptr<const Grammar>> compile_json_object(const JsonSchemaOptions& options = {});
// The whole output must match this ECMA-262 regex (a regex response format).
util::Result<std::shared_ptr<const Grammar>> compile_regex_grammar(std::string_view pattern,
                                                                   const GrammarLimits& limits = {});

}  // namespace mynah::grammar
