// response_format: messages name the nested field ("response_format.json_schema.schema ...") while the
// failing parameter stays "response_format", the name clients send and vendors report.
#include "api/response_format_reader.h"

#include <initializer_list>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mynah::api {
namespace {

using nlohmann::json;
using Kind = engine::ResponseFormat::Kind;

std::string type_list(const ResponseFormatShapes& shapes) {
  std::string out = "text, json_object";
  if (shapes.json_schema) out += ", json_schema";
  if (shapes.regex) out += ", regex";
  return out;
}

// The subtree at `path` in the raw body, re-read with its keys in the client's order, as JSON text.
std::string ordered_text(std::string_view body_text, std::initializer_list<const char*> path) {
  auto node = nlohmann::ordered_json::parse(body_text, nullptr, /*allow_exceptions=*/false);
  for (const char* key : path) {
    if (node.is_discarded() || !node.is_object() || !node.contains(key)) return {};
    node = nlohmann::ordered_json(node[key]);
  }
  return node.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// A JSON Schema is an object or a boolean; with `schema_as_string`, also a string holding one.
// Returns the schema text, or nothing after failing `f`.
std::optional<std::string> schema_text(FieldReader& f, const json& schema, const std::string& name, std::string_view body_text,
                                       std::initializer_list<const char*> path, const ResponseFormatShapes& shapes) {
  if (schema.is_object() || schema.is_boolean()) return ordered_text(body_text, path);
  if (shapes.schema_as_string && schema.is_string()) {
    const auto& text = schema.get_ref<const std::string&>();
    const auto parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded() && (parsed.is_object() || parsed.is_boolean())) return text;
    f.fail("response_format", fmt::format("{} must be a JSON Schema (an object, or a string of JSON text holding one), got {}",
                                          name, schema.dump()));
    return std::nullopt;
  }
  f.fail("response_format", fmt::format("{} must be a JSON Schema (an object or a boolean), got {}", name, schema.dump()));
  return std::nullopt;
}

engine::ResponseFormat read_json_schema_type(FieldReader& f, const json& rf, std::string_view body_text,
                                             const ResponseFormatShapes& shapes) {
  const auto it = rf.find("json_schema");
  if (it == rf.end() || !it->is_object()) {
    f.fail("response_format", fmt::format("response_format.json_schema must be an object holding the schema, as in "
                                           "{{\"type\": \"json_schema\", \"json_schema\": {{\"name\": \"...\", \"schema\": {{...}}}}}}, got {}",
                                           it == rf.end() ? "nothing" : it->dump()));
    return {};
  }
  const json& js = *it;
  if (js.contains("name") && !js["name"].is_string()) {
    f.fail("response_format", fmt::format("response_format.json_schema.name must be a string, got {}", js["name"].dump()));
    return {};
  }
  // strict: false asks other servers for best effort; this server always enforces the schema exactly.
  if (js.contains("strict") && !js["strict"].is_null() && !js["strict"].is_boolean()) {
    f.fail("response_format", fmt::format("response_format.json_schema.strict must be a boolean, got {}", js["strict"].dump()));
    return {};
  }
  if (!js.contains("schema") || js["schema"].is_null()) {
    f.fail("response_format", "response_format.json_schema.schema is required");
    return {};
  }
  auto text = schema_text(f, js["schema"], "response_format.json_schema.schema", body_text,
                          {"response_format", "json_schema", "schema"}, shapes);
  if (!text) return {};
  return engine::ResponseFormat{Kind::kJsonSchema, std::move(*text)};
}

}  // namespace

engine::ResponseFormat read_response_format(FieldReader& f, std::string_view body_text, const ResponseFormatShapes& shapes) {
  const json* rf = f.get("response_format");
  if (!rf) return {};
  if (!rf->is_object()) {
    f.fail("response_format", fmt::format("response_format must be an object such as {{\"type\": \"json_object\"}}, got {}", rf->dump()));
    return {};
  }
  const auto type_it = rf->find("type");
  if (type_it == rf->end() || !type_it->is_string()) {
    f.fail("response_format", fmt::format("response_format.type must be one of {}, got {}", type_list(shapes),
                                          type_it == rf->end() ? "nothing" : type_it->dump()));
    return {};
  }
  const std::string& type = type_it->get_ref<const std::string&>();
  const json* schema = rf->contains("schema") && !(*rf)["schema"].is_null() ? &(*rf)["schema"] : nullptr;
  if (type == "text") return {};
  if (type == "json_object") {
    if (!schema) return engine::ResponseFormat{Kind::kJsonObject, ""};
    if (!shapes.json_object_schema) {
      f.fail("response_format", "response_format.schema is not accepted with type json_object; send "
                                "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"...\", \"schema\": {...}}}");
      return {};
    }
    auto text = schema_text(f, *schema, "response_format.schema", body_text, {"response_format", "schema"}, shapes);
    if (!text) return {};
    return engine::ResponseFormat{Kind::kJsonSchema, std::move(*text)};
  }
  if (type == "json_schema" && shapes.json_schema) return read_json_schema_type(f, *rf, body_text, shapes);
  if (type == "regex" && shapes.regex) {
    if (!schema || !schema->is_string() || schema->get_ref<const std::string&>().empty()) {
      f.fail("response_format", fmt::format("response_format.schema must be the regular expression (a non-empty string) for type "
                                            "regex, got {}", schema ? schema->dump() : std::string("nothing")));
      return {};
    }
    return engine::ResponseFormat{Kind::kRegex, schema->get<std::string>()};
  }
  f.fail("response_format", fmt::format("response_format.type must be one of {}, got \"{}\"", type_list(shapes), type));
  return {};
}

}  // namespace mynah::api
