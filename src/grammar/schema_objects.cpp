// SchemaCompiler: objects (properties in definition order, required, additionalProperties,
// patternProperties) and arrays (items, prefixItems, additionalItems, min/maxItems).
#include <set>

#include "grammar/regex_compiler.h"
#include "grammar/schema_compiler.h"

namespace mynah::grammar {
namespace {

constexpr int32_t kInlineRepeat = 4;  // longer repetitions of a non-call item go through a rule

}  // namespace

util::Result<ExprId> SchemaCompiler::object_value(const Json& schema, const std::string& ptr) {
  const Json empty = Json::object();
  const Json& props = schema.contains("properties") ? schema["properties"] : empty;
  const Json& pattern_props = schema.contains("patternProperties") ? schema["patternProperties"] : empty;
  const Json additional = schema.contains("additionalProperties") ? schema["additionalProperties"] : Json(true);
  if (!props.is_object() || !pattern_props.is_object()) {
    return util::make_error("properties/patternProperties at '{}' must be objects", ptr);
  }
  std::set<std::string> required;
  if (schema.contains("required")) {
    for (const auto& r : schema["required"]) required.insert(r.get<std::string>());
  }
  // Key automata for the patternProperties patterns (quoted JSON strings).
  std::vector<Automaton> pattern_keys;
  for (const auto& [pattern, sub] : pattern_props.items()) {
    auto re = compile_regex(pool_, pattern, TextEncoding::kJsonString, RegexAnchoring::kSearch);
    if (!re) return util::make_error("{} (patternProperties at '{}')", re.error().message, ptr);
    auto a = to_automaton(pool_.seq({pool_.literal("\""), *re, pool_.literal("\"")}));
    if (!a) return util::make_error("{} (patternProperties at '{}')", a.error().message, ptr);
    pattern_keys.push_back(std::move(*a));
  }
  // Defined members: `properties` in order, then required names that only additionalProperties
  // or patternProperties describe.
  std::vector<std::pair<std::string, Json>> members;
  for (const auto& [name, sub] : props.items()) members.emplace_back(name, sub);
  for (const auto& r : schema.value("required", Json::array())) {
    const std::string name = r.get<std::string>();
    if (!props.contains(name)) members.emplace_back(name, Json());
  }
  std::vector<ExprId> member_exprs;
  std::vector<char> member_required;
  std::vector<ExprId> defined_keys;
  size_t pattern_idx_base = 0;
  (void)pattern_idx_base;
  for (auto& [name, sub] : members) {
    const std::string key = Json(name).dump(-1, ' ', false);
    defined_keys.push_back(pool_.literal(key));
    Json constraints = Json::array();
    if (!sub.is_null()) constraints.push_back(sub);
    size_t p = 0;
    bool matched_pattern = false;
    for (const auto& [pattern, psub] : pattern_props.items()) {
      if (pattern_keys[p++].matches(key)) {
        constraints.push_back(psub);
        matched_pattern = true;
      }
    }
    if (sub.is_null() && !matched_pattern) constraints.push_back(additional);
    const Json combined = constraints.size() == 1 ? constraints[0] : Json{{"allOf", constraints}};
    auto v = value(combined, pointer_append(pointer_append(ptr, "properties"), name));
    if (!v) return v.take_error();
    member_exprs.push_back(pool_.seq({pool_.literal(key), pool_.literal(key_sep_), *v}));
    member_required.push_back(required.count(name) ? 1 : 0);
  }
  // Extra members: keys outside `properties`, split by which pattern (if any) they match.
  std::vector<ExprId> extras;
  if (!pattern_keys.empty() || !(additional.is_boolean() && !additional.get<bool>())) {
    auto any_key = to_automaton(any_string_body());
    if (!any_key) return any_key.take_error();
    auto defined = to_automaton(pool_.alt(defined_keys));
    if (!defined) return defined.take_error();
    auto free_keys = subtract(*any_key, *defined, limits());
    if (!free_keys) return util::make_error("{} (object keys at '{}')", free_keys.error().message, ptr);
    size_t p = 0;
    for (const auto& [pattern, psub] : pattern_props.items()) {
      auto keys = intersect(*free_keys, pattern_keys[p], limits());
      if (!keys) return keys.take_error();
      for (size_t q = 0; q < pattern_keys.size(); ++q) {
        if (q == p) continue;
        auto overlap = intersect(*keys, pattern_keys[q], limits());
        if (!overlap) return overlap.take_error();
        if (!is_empty(*overlap)) {
          return util::make_error("unsupported keyword 'patternProperties' at '{}': overlapping patterns", ptr);
        }
      }
      auto v = value(psub, pointer_append(pointer_append(ptr, "patternProperties"), pattern));
      if (!v) return v.take_error();
      extras.push_back(pool_.seq({as_rule(pool_.dfa(std::move(*keys))), pool_.literal(key_sep_), *v}));
      auto rest = subtract(*free_keys, pattern_keys[p], limits());
      if (!rest) return rest.take_error();
      free_keys = std::move(rest);
      ++p;
    }
    if (!(additional.is_boolean() && !additional.get<bool>())) {
      auto v = value(additional, pointer_append(ptr, "additionalProperties"));
      if (!v) return v.take_error();
      extras.push_back(pool_.seq({as_rule(pool_.dfa(std::move(*free_keys))), pool_.literal(key_sep_), *v}));
    }
  }
  const ExprId extra = pool_.alt(extras);
  const size_t n_required = required.size();
  if (schema.contains("minProperties") && schema["minProperties"].get<int64_t>() > static_cast<int64_t>(n_required)) {
    return util::make_error("unsupported keyword 'minProperties' at '{}'", ptr);
  }
  if (schema.contains("maxProperties") &&
      (pool_.at(extra).kind != ExprKind::kNothing ||
       schema["maxProperties"].get<int64_t>() < static_cast<int64_t>(member_exprs.size()))) {
    return util::make_error("unsupported keyword 'maxProperties' at '{}'", ptr);
  }
  const ExprId chain = pool_.member_chain(pool_.literal(item_sep_), extra, member_exprs, member_required);
  return as_rule(pool_.seq({pool_.literal("{"), chain, pool_.literal("}")}));
}

util::Result<ExprId> SchemaCompiler::array_value(const Json& schema, const std::string& ptr) {
  std::vector<Json> prefix;
  Json rest = true;
  if (schema.contains("prefixItems")) {
    for (const auto& p : schema["prefixItems"]) prefix.push_back(p);
    if (schema.contains("items")) rest = schema["items"];
  } else if (schema.contains("items") && schema["items"].is_array()) {
    for (const auto& p : schema["items"]) prefix.push_back(p);
    if (schema.contains("additionalItems")) rest = schema["additionalItems"];
  } else if (schema.contains("items")) {
    rest = schema["items"];
  }
  const int64_t min_items = schema.value("minItems", int64_t{0});
  int64_t max_items = schema.contains("maxItems") ? schema["maxItems"].get<int64_t>() : -1;
  if (schema.value("uniqueItems", false) && !(max_items >= 0 && max_items <= 1)) {
    return util::make_error("unsupported keyword 'uniqueItems' at '{}'", ptr);
  }
  if (min_items > 10000 || max_items > 10000) return util::make_error("too large: item count bound at '{}'", ptr);
  if (max_items >= 0 && static_cast<int64_t>(prefix.size()) > max_items) prefix.resize(static_cast<size_t>(max_items));
  const ExprId sep = pool_.literal(item_sep_);
  const bool rest_allowed = !(rest.is_boolean() && !rest.get<bool>());
  const auto k = static_cast<int64_t>(prefix.size());
  const int64_t rest_lo = std::max<int64_t>(0, min_items - k);
  const int64_t rest_hi = max_items < 0 ? -1 : max_items - k;
  ExprId tail = pool_.empty();  // what follows the prefix items
  if (rest_allowed && rest_hi != 0) {
    auto item = value(rest, pointer_append(ptr, prefix.empty() ? "items" : "additionalItems"));
    if (!item) return item.take_error();
    ExprId it = *item;
    if ((rest_hi < 0 ? rest_lo : rest_hi) > kInlineRepeat && pool_.at(it).kind != ExprKind::kCall) it = as_rule(it);
    if (k == 0) {
      const auto more_lo = static_cast<int32_t>(std::max<int64_t>(0, rest_lo - 1));
      const auto more_hi = static_cast<int32_t>(rest_hi < 0 ? -1 : rest_hi - 1);
      const ExprId list = pool_.seq({it, pool_.repeat(pool_.seq({sep, it}), more_lo, more_hi)});
      tail = rest_lo == 0 ? pool_.optional(list) : list;
    } else {
      tail = pool_.repeat(pool_.seq({sep, it}), static_cast<int32_t>(rest_lo), static_cast<int32_t>(rest_hi));
    }
  } else if (rest_lo > 0) {
    return pool_.nothing();
  }
  // Prefix items from the back: item i is required when i < minItems.
  for (int64_t i = k - 1; i >= 0; --i) {
    auto item = value(prefix[static_cast<size_t>(i)],
                      pointer_append(pointer_append(ptr, schema.contains("prefixItems") ? "prefixItems" : "items"),
                                     std::to_string(i)));
    if (!item) return item.take_error();
    const ExprId body = i == 0 ? pool_.seq({*item, tail}) : pool_.seq({sep, *item, tail});
    tail = i < min_items ? body : pool_.optional(body);
  }
  return as_rule(pool_.seq({pool_.literal("["), tail, pool_.literal("]")}));
}

}  // namespace mynah::grammar
