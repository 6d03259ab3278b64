// SchemaCompiler: the state of one JSON Schema compilation (internal to the grammar layer).
// One rule per $ref target, per object and per array schema; strings and numbers are inlined as
// regular expressions. Keyword support tables live in schema_compiler.cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grammar/automaton.h"
#include "grammar/expr.h"
#include "grammar/json_schema_compiler.h"
#include "util/status.h"

namespace mynah::grammar {

using Json = nlohmann::ordered_json;

class SchemaCompiler {
 public:
  SchemaCompiler(const Json& root, const JsonSchemaOptions& options) : root_(root), options_(options) {}

  util::Result<std::shared_ptr<const Grammar>> compile_root();
  util::Result<std::shared_ptr<const Grammar>> compile_any_object();
  // `schema` (somewhere inside the root document, which $refs resolve against) as the start rule.
  util::Result<std::shared_ptr<const Grammar>> compile_subschema(const Json& schema, const std::string& ptr);

  // Value expression for `schema` found at JSON pointer `ptr`.
  util::Result<ExprId> value(const Json& schema, const std::string& ptr);

  // Helpers shared by the per-type files.
  util::Result<ExprId> string_value(const Json& schema, const std::string& ptr);
  util::Result<ExprId> integer_value(const Json& schema, const std::string& ptr);
  util::Result<ExprId> number_value(const Json& schema, const std::string& ptr);
  util::Result<ExprId> array_value(const Json& schema, const std::string& ptr);
  util::Result<ExprId> object_value(const Json& schema, const std::string& ptr);
  util::Result<Json> merge(const Json& a, const Json& b, const std::string& ptr, int depth);
  util::Result<const Json*> resolve_ref(const std::string& ref, const std::string& ptr) const;

  ExprPool& pool() { return pool_; }
  std::string serialize(const Json& value) const;
  const std::string& item_sep() const { return item_sep_; }
  const std::string& key_sep() const { return key_sep_; }
  ExprId any_value();
  ExprId any_string();       // a call to the "any JSON string" rule
  ExprId any_string_body();  // the same language as a plain (call-free) expression
  // A new rule with this body; returns a call to it.
  ExprId as_rule(ExprId body);
  util::Result<Automaton> to_automaton(ExprId expr) { return build_automaton(pool_, expr, options_.limits.automaton); }
  const AutomatonLimits& limits() const { return options_.limits.automaton; }

 private:
  util::Result<ExprId> value_inner(const Json& schema, const std::string& ptr, int depth);
  util::Result<ExprId> ref_call(const std::string& ref, const std::string& ptr);
  util::Result<ExprId> enum_value(const Json& schema, const std::string& ptr);
  util::Result<ExprId> one_of(const Json& schema, const std::string& ptr, int depth);
  util::Result<ExprId> any_of(const Json& schema, const std::string& ptr, int depth);
  util::Result<ExprId> typed_value(const Json& schema, const std::string& ptr);
  util::Result<bool> provably_disjoint(const std::vector<Json>& branches, const std::string& ptr);
  util::Result<bool> disjoint(const Json& a, const Json& b, const std::string& ptr, int depth);
  util::Status collect_conjuncts(const Json& s, const std::string& ptr, int depth, std::vector<const Json*>& out) const;
  int32_t new_rule();

  const Json& root_;
  JsonSchemaOptions options_;
  std::string item_sep_ = ",";
  std::string key_sep_ = ":";
  ExprPool pool_;
  std::vector<ExprId> rules_;
  std::map<std::string, int32_t> ref_rules_;
  int32_t any_value_rule_ = -1;
  std::optional<ExprId> any_string_;
  std::optional<ExprId> any_string_body_;
  int depth_ = 0;
};

// Keywords with no effect on validity (annotations, containers of definitions).
bool is_annotation(const std::string& key);
// Appends a JSON-pointer token ("~" and "/" escaped).
std::string pointer_append(const std::string& ptr, const std::string& token);

}  // namespace mynah::grammar
