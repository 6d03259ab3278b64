// SchemaCompiler: keyword dispatch, $ref rules, enum/const, anyOf/oneOf and "any value".
#include "grammar/schema_compiler.h"

#include <set>

#include "grammar/codepoint_set.h"
#include "grammar/stack_set.h"

namespace mynah::grammar {
namespace {

constexpr int kMaxMergeDepth = 64;

const std::set<std::string>& annotation_keys() {
  static const std::set<std::string> keys = {
      "$schema", "$id", "id", "$comment", "title", "description", "default", "examples", "deprecated",
      "readOnly", "writeOnly", "$defs", "definitions", "contentMediaType", "contentEncoding", "contentSchema",
      "$anchor", "$vocabulary", "discriminator", "example", "markdownDescription", "nullable", "xml",
      "externalDocs", "errorMessage", "$dynamicAnchor", "$recursiveAnchor", "if", "then", "else"};
  return keys;
}

// Validation keywords this compiler cannot enforce exactly: their presence is a compile error.
const std::set<std::string>& unsupported_keys() {
  static const std::set<std::string> keys = {
      "dependentRequired", "dependentSchemas", "dependencies", "propertyNames", "unevaluatedProperties",
      "unevaluatedItems", "contains", "minContains", "maxContains", "$dynamicRef", "$recursiveRef"};
  return keys;
}

bool bool_schema(const Json& s, bool value) { return s.is_boolean() && s.get<bool>() == value; }

}  // namespace

bool is_annotation(const std::string& key) {
  return annotation_keys().count(key) > 0 || key.rfind("x-", 0) == 0;
}

std::string pointer_append(const std::string& ptr, const std::string& token) {
  std::string out = ptr + "/";
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

int32_t SchemaCompiler::new_rule() {
  rules_.push_back(pool_.nothing());
  return static_cast<int32_t>(rules_.size() - 1);
}

ExprId SchemaCompiler::as_rule(ExprId body) {
  const int32_t r = new_rule();
  rules_[static_cast<size_t>(r)] = body;
  return pool_.call(r);
}

util::Result<std::shared_ptr<const Grammar>> SchemaCompiler::compile_root() { return compile_subschema(root_, ""); }

util::Result<std::shared_ptr<const Grammar>> SchemaCompiler::compile_subschema(const Json& schema,
                                                                               const std::string& ptr) {
  if (options_.separators == JsonSeparators::kSpaced) {
    item_sep_ = ", ";
    key_sep_ = ": ";
  }
  const int32_t root = new_rule();
  auto body = value(schema, ptr);
  if (!body) return body.take_error();
  rules_[static_cast<size_t>(root)] = *body;
  return Grammar::build(pool_, rules_, options_.limits);
}

util::Result<std::shared_ptr<const Grammar>> SchemaCompiler::compile_any_object() {
  if (options_.separators == JsonSeparators::kSpaced) {
    item_sep_ = ", ";
    key_sep_ = ": ";
  }
  const int32_t root = new_rule();
  auto body = object_value(Json::object(), "");
  if (!body) return body.take_error();
  rules_[static_cast<size_t>(root)] = *body;
  return Grammar::build(pool_, rules_, options_.limits);
}

std::string SchemaCompiler::serialize(const Json& v) const {
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, x] : v.items()) {
      if (!first) out += item_sep_;
      first = false;
      out += Json(k).dump(-1, ' ', false) + key_sep_ + serialize(x);
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += item_sep_;
      out += serialize(v[i]);
    }
    return out + "]";
  }
  return v.dump(-1, ' ', false);
}

ExprId SchemaCompiler::any_string() {
  if (!any_string_) any_string_ = as_rule(any_string_body());
  return *any_string_;
}

ExprId SchemaCompiler::any_string_body() {
  if (!any_string_body_) {
    any_string_body_ = pool_.seq(
        {pool_.literal("\""), pool_.star(encode_codepoints(pool_, CodepointSet::all(), TextEncoding::kJsonString)),
         pool_.literal("\"")});
  }
  return *any_string_body_;
}

ExprId SchemaCompiler::any_value() {
  if (any_value_rule_ >= 0) return pool_.call(any_value_rule_);
  any_value_rule_ = new_rule();
  const ExprId v = pool_.call(any_value_rule_);
  const ExprId member = pool_.seq({any_string(), pool_.literal(key_sep_), v});
  const ExprId object = pool_.seq(
      {pool_.literal("{"), pool_.optional(pool_.seq({member, pool_.star(pool_.seq({pool_.literal(item_sep_), member}))})),
       pool_.literal("}")});
  const ExprId array = pool_.seq(
      {pool_.literal("["), pool_.optional(pool_.seq({v, pool_.star(pool_.seq({pool_.literal(item_sep_), v}))})),
       pool_.literal("]")});
  auto number = number_value(Json::object(), "");
  rules_[static_cast<size_t>(any_value_rule_)] =
      pool_.alt({object, array, any_string(), *number, pool_.literal("true"), pool_.literal("false"),
                 pool_.literal("null")});
  return v;
}

util::Result<const Json*> SchemaCompiler::resolve_ref(const std::string& ref, const std::string& ptr) const {
  if (ref.empty() || ref[0] != '#') {
    return util::make_error("$ref at {}: only same-document references ('#/...') are supported, got '{}'", ptr, ref);
  }
  std::string path = ref.substr(1);
  if (!path.empty() && path[0] != '/') {
    return util::make_error("$ref at {}: anchor references ('{}') are not supported", ptr, ref);
  }
  std::string decoded;  // percent-decoding (URI fragment)
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      decoded += static_cast<char>(std::stoi(path.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += path[i];
    }
  }
  try {
    const Json& target = root_.at(Json::json_pointer(decoded));
    return &target;
  } catch (const std::exception&) {
    return util::make_error("$ref at {}: '{}' does not resolve", ptr, ref);
  }
}

util::Result<ExprId> SchemaCompiler::ref_call(const std::string& ref, const std::string& ptr) {
  auto it = ref_rules_.find(ref);
  if (it != ref_rules_.end()) return pool_.call(it->second);
  auto target = resolve_ref(ref, ptr);
  if (!target) return target.take_error();
  const int32_t rule = new_rule();
  ref_rules_.emplace(ref, rule);
  auto body = value(**target, ref.substr(1));
  if (!body) return body.take_error();
  rules_[static_cast<size_t>(rule)] = *body;
  return pool_.call(rule);
}

util::Result<ExprId> SchemaCompiler::value(const Json& schema, const std::string& ptr) {
  // Schemas that intersect a recursive $ref (allOf, sibling keywords) are expanded inline and can
  // nest without end; named $refs alone become rules and never recurse here.
  if (depth_ > 200) return util::make_error("too large: schema nesting at '{}' (recursion through allOf/$ref siblings?)", ptr);
  ++depth_;
  auto out = value_inner(schema, ptr, 0);
  --depth_;
  return out;
}

util::Result<ExprId> SchemaCompiler::value_inner(const Json& schema, const std::string& ptr, int depth) {
  if (bool_schema(schema, true)) return any_value();
  if (bool_schema(schema, false)) return pool_.nothing();
  if (!schema.is_object()) return util::make_error("schema at '{}' must be an object or a boolean", ptr);
  if (depth > kMaxMergeDepth) return util::make_error("too large: schema nesting through $ref/allOf at '{}'", ptr);
  Json rest = Json::object();  // validation keywords only
  for (const auto& [k, v] : schema.items()) {
    if (unsupported_keys().count(k)) return util::make_error("unsupported keyword '{}' at '{}'", k, ptr);
    if (!is_annotation(k)) rest[k] = v;
  }
  if (schema.contains("if") && (schema.contains("then") || schema.contains("else"))) {
    return util::make_error("unsupported keyword 'if' at '{}'", ptr);
  }
  if (rest.contains("not") && (rest["not"] == Json::object() || rest["not"] == Json(true))) {
    return pool_.nothing();  // {"not": {}} is the false schema (merge() spells it this way)
  }
  if (rest.contains("not") && rest["not"].is_object() && rest["not"].contains("not")) {
    bool double_negation = true;  // {"not": {"not": X}} is X
    for (const auto& [k, v] : rest["not"].items()) double_negation = double_negation && (k == "not" || is_annotation(k));
    if (double_negation) {
      const Json inner = rest["not"]["not"];
      rest.erase("not");
      auto merged = merge(rest, inner, pointer_append(pointer_append(ptr, "not"), "not"), depth + 1);
      if (!merged) return merged.take_error();
      return value_inner(*merged, ptr, depth + 1);
    }
  }
  if (rest.contains("$ref")) {
    const Json ref = rest["$ref"];
    if (!ref.is_string()) return util::make_error("$ref at '{}' must be a string", ptr);
    rest.erase("$ref");
    if (rest.empty()) return ref_call(ref.get<std::string>(), ptr);
    auto target = resolve_ref(ref.get<std::string>(), ptr);
    if (!target) return target.take_error();
    auto merged = merge(rest, **target, ptr, depth + 1);
    if (!merged) return merged.take_error();
    return value_inner(*merged, ptr, depth + 1);
  }
  if (rest.contains("allOf")) {
    const Json all = rest["allOf"];
    if (!all.is_array()) return util::make_error("allOf at '{}' must be an array", ptr);
    rest.erase("allOf");
    Json merged = rest;
    for (size_t i = 0; i < all.size(); ++i) {
      auto m = merge(merged, all[i], pointer_append(pointer_append(ptr, "allOf"), std::to_string(i)), depth + 1);
      if (!m) return m.take_error();
      merged = std::move(*m);
    }
    return value_inner(merged, ptr, depth + 1);
  }
  if (rest.contains("oneOf")) return one_of(rest, ptr, depth);
  if (rest.contains("anyOf")) return any_of(rest, ptr, depth);
  if (rest.contains("enum") || rest.contains("const")) return enum_value(rest, ptr);
  return typed_value(rest, ptr);
}

util::Result<ExprId> SchemaCompiler::any_of(const Json& schema, const std::string& ptr, int depth) {
  const Json& branches = schema["anyOf"];
  if (!branches.is_array()) return util::make_error("anyOf at '{}' must be an array", ptr);
  Json base = schema;
  base.erase("anyOf");
  std::vector<ExprId> alts;
  for (size_t i = 0; i < branches.size(); ++i) {
    const std::string bptr = pointer_append(pointer_append(ptr, "anyOf"), std::to_string(i));
    auto merged = base.empty() ? util::Result<Json>(branches[i]) : merge(base, branches[i], bptr, depth + 1);
    if (!merged) return merged.take_error();
    auto e = value_inner(*merged, bptr, depth + 1);
    if (!e) return e.take_error();
    alts.push_back(*e);
  }
  return pool_.alt(std::move(alts));
}

util::Result<ExprId> SchemaCompiler::one_of(const Json& schema, const std::string& ptr, int depth) {
  const Json& branches = schema["oneOf"];
  if (!branches.is_array()) return util::make_error("oneOf at '{}' must be an array", ptr);
  Json base = schema;
  base.erase("oneOf");
  std::vector<Json> merged_branches;
  for (size_t i = 0; i < branches.size(); ++i) {
    const std::string bptr = pointer_append(pointer_append(ptr, "oneOf"), std::to_string(i));
    auto merged = base.empty() ? util::Result<Json>(branches[i]) : merge(base, branches[i], bptr, depth + 1);
    if (!merged) return merged.take_error();
    merged_branches.push_back(std::move(*merged));
  }
  if (merged_branches.size() > 1) {
    auto disjoint = provably_disjoint(merged_branches, ptr);
    if (!disjoint) return disjoint.take_error();
    if (!*disjoint) {
      return util::make_error("oneOf at '{}': cannot prove the alternatives are mutually exclusive", ptr);
    }
  }
  std::vector<ExprId> alts;
  for (size_t i = 0; i < merged_branches.size(); ++i) {
    auto e = value_inner(merged_branches[i], pointer_append(pointer_append(ptr, "oneOf"), std::to_string(i)), depth + 1);
    if (!e) return e.take_error();
    alts.push_back(*e);
  }
  return pool_.alt(std::move(alts));
}

util::Result<ExprId> SchemaCompiler::enum_value(const Json& schema, const std::string& ptr) {
  Json values = Json::array();
  if (schema.contains("const")) values.push_back(schema["const"]);
  if (schema.contains("enum")) {
    if (!schema["enum"].is_array()) return util::make_error("enum at '{}' must be an array", ptr);
    for (const auto& v : schema["enum"]) {
      if (!schema.contains("const") || v == schema["const"]) values.push_back(v);
    }
    if (schema.contains("const") && values.size() > 1) values.erase(values.begin());
  }
  Json siblings = schema;
  siblings.erase("enum");
  siblings.erase("const");
  std::shared_ptr<const Grammar> check;
  if (!siblings.empty()) {  // keep only the values the sibling keywords accept
    auto g = SchemaCompiler(root_, options_).compile_subschema(siblings, ptr);
    if (!g) return g.take_error();
    check = *g;
  }
  std::vector<ExprId> alts;
  for (const auto& v : values) {
    const std::string text = serialize(v);
    if (check) {
      StackSet stacks(check);
      Configuration cur;
      stacks.new_pass();
      stacks.close(check->start_state(), kRootFrame, cur);
      for (char c : text) cur = stacks.advance(cur, static_cast<uint8_t>(c));
      if (!cur.complete) continue;
    }
    alts.push_back(pool_.literal(text));
  }
  return pool_.alt(std::move(alts));
}

}  // namespace mynah::grammar
