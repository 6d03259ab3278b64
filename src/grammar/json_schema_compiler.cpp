// Public entry points of the JSON Schema and regex compilers.
#include "grammar/json_schema_compiler.h"

#include "grammar/codepoint_set.h"
#include "grammar/regex_compiler.h"
#include "grammar/schema_compiler.h"

namespace mynah::grammar {

util::Result<std::shared_ptr<const Grammar>> compile_json_schema(const nlohmann::ordered_json& schema,
                                                                 const JsonSchemaOptions& options) {
  try {
    SchemaCompiler compiler(schema, options);
    return compiler.compile_root();
  } catch (const nlohmann::json::exception& e) {
    // A keyword holding a value of the wrong JSON type (e.g. "maxLength": "5").
    return util::make_error("malformed schema: {}", e.what());
  }
}

util::Result<std::shared_ptr<const Grammar>> compile_json_object(const JsonSchemaOptions& options) {
  const nlohmann::ordered_json root = nlohmann::ordered_json::object();
  SchemaCompiler compiler(root, options);
  return compiler.compile_any_object();
}

util::Result<std::shared_ptr<const Grammar>> compile_regex_grammar(std::string_view pattern,
                                                                   const GrammarLimits& limits) {
  ExprPool pool;
  auto expr = compile_regex(pool, pattern, TextEncoding::kRawUtf8, RegexAnchoring::kFullMatch);
  if (!expr) return expr.take_error();
  return Grammar::build(pool, {*expr}, limits);
}

}  // namespace mynah::grammar
