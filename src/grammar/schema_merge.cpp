// SchemaCompiler::merge: the intersection of two schemas as one schema (allOf, and sibling
// keywords next to $ref/anyOf/oneOf). Exact for the keywords it knows; anything it cannot
// intersect exactly is an error naming the keyword.
#include <algorithm>
#include <set>

#include "grammar/schema_compiler.h"

namespace mynah::grammar {
namespace {

std::set<std::string> type_names(const Json& s) {
  if (!s.contains("type")) return {"null", "boolean", "integer", "number", "string", "array", "object"};
  std::set<std::string> out;
  if (s["type"].is_array()) {
    for (const auto& t : s["type"]) out.insert(t.get<std::string>());
  } else {
    out.insert(s["type"].get<std::string>());
  }
  return out;
}

bool is_object_key(const std::string& k) {
  return k == "properties" || k == "additionalProperties" || k == "patternProperties" || k == "required";
}

}  // namespace

util::Result<Json> SchemaCompiler::merge(const Json& a_in, const Json& b_in, const std::string& ptr, int depth) {
  if (depth > 64) return util::make_error("too large: allOf/$ref nesting at '{}'", ptr);
  // Resolve a bare $ref on either side, and flatten nested allOf, before intersecting.
  auto normalize = [&](const Json& s, int d) -> util::Result<Json> {
    if (s.is_boolean()) return s.get<bool>() ? Json::object() : Json{{"not", Json::object()}};
    if (!s.is_object()) return util::make_error("schema at '{}' must be an object or a boolean", ptr);
    // "if" and "then"/"else" count as annotations only when alone; dropping a conditional here
    // would silently accept what its "then" forbids.
    if (s.contains("if") && (s.contains("then") || s.contains("else"))) {
      return util::make_error("unsupported keyword 'if' at '{}' (inside allOf/$ref)", ptr);
    }
    Json out = Json::object();
    for (const auto& [k, v] : s.items()) {
      if (!is_annotation(k)) out[k] = v;
    }
    if (out.contains("$ref")) {
      auto target = resolve_ref(out["$ref"].get<std::string>(), ptr);
      if (!target) return target.take_error();
      out.erase("$ref");
      return merge(out, **target, ptr, d + 1);
    }
    if (out.contains("allOf")) {
      Json all = out["allOf"];
      out.erase("allOf");
      for (const auto& x : all) {
        auto m = merge(out, x, ptr, d + 1);
        if (!m) return m;
        out = std::move(*m);
      }
    }
    return out;
  };
  auto na = normalize(a_in, depth);
  if (!na) return na;
  auto nb = normalize(b_in, depth);
  if (!nb) return nb;
  const Json& a = *na;
  const Json& b = *nb;
  if (a.contains("not") && a["not"].empty()) return a;  // false schema absorbs everything
  if (b.contains("not") && b["not"].empty()) return b;
  Json out = a;
  bool object_done = false;
  for (const auto& [k, vb] : b.items()) {
    if (!a.contains(k)) {
      if (!is_object_key(k)) out[k] = vb;
      continue;
    }
    const Json& va = a[k];
    if (is_object_key(k)) continue;
    if (va == vb) continue;
    if (k == "type") {
      const auto ta = type_names(a);
      const auto tb = type_names(b);
      Json types = Json::array();
      for (const auto& t : ta) {
        if (tb.count(t) || (t == "integer" && tb.count("number"))) types.push_back(t);
        else if (t == "number" && tb.count("integer")) types.push_back("integer");
      }
      out["type"] = types;
    } else if (k == "minimum" || k == "minLength" || k == "minItems" || k == "minProperties") {
      out[k] = std::max(va.get<double>(), vb.get<double>());
    } else if (k == "maximum" || k == "maxLength" || k == "maxItems" || k == "maxProperties") {
      out[k] = std::min(va.get<double>(), vb.get<double>());
    } else if ((k == "exclusiveMinimum" || k == "exclusiveMaximum") && va.is_number() && vb.is_number()) {
      out[k] = k == "exclusiveMinimum" ? std::max(va.get<double>(), vb.get<double>())
                                       : std::min(va.get<double>(), vb.get<double>());
    } else if (k == "enum") {
      Json both = Json::array();
      for (const auto& x : va) {
        if (std::find(vb.begin(), vb.end(), x) != vb.end()) both.push_back(x);
      }
      out[k] = both;
    } else if (k == "pattern") {
      Json extra = out.value("x-mynah-patterns", Json::array());
      extra.push_back(vb);
      out["x-mynah-patterns"] = extra;
    } else if (k == "items" && va.is_object() && vb.is_object()) {
      out[k] = Json{{"allOf", Json::array({va, vb})}};
    } else if (k == "uniqueItems") {
      out[k] = va.get<bool>() || vb.get<bool>();
    } else {
      return util::make_error("allOf at '{}': cannot intersect two different '{}'", ptr, k);
    }
  }
  // Object keywords: a property present in both is constrained by both sides; a property only
  // one side names is constrained on the other side by that side's additionalProperties.
  const bool a_obj = std::any_of(a.items().begin(), a.items().end(), [](const auto& kv) { return is_object_key(kv.key()); });
  const bool b_obj = std::any_of(b.items().begin(), b.items().end(), [](const auto& kv) { return is_object_key(kv.key()); });
  if (a_obj || b_obj) {
    if ((a.contains("patternProperties") && b_obj) || (b.contains("patternProperties") && a_obj)) {
      return util::make_error("allOf at '{}': cannot intersect 'patternProperties'", ptr);
    }
    const Json empty = Json::object();
    const Json& pa = a.contains("properties") ? a["properties"] : empty;
    const Json& pb = b.contains("properties") ? b["properties"] : empty;
    const Json adda = a.contains("additionalProperties") ? a["additionalProperties"] : Json(true);
    const Json addb = b.contains("additionalProperties") ? b["additionalProperties"] : Json(true);
    Json props = Json::object();
    auto combine = [](const Json& x, const Json& y) {
      if (x == Json(true)) return y;
      if (y == Json(true) || x == y) return x;
      return Json{{"allOf", Json::array({x, y})}};
    };
    for (const auto& [name, s] : pa.items()) props[name] = combine(s, pb.contains(name) ? pb[name] : addb);
    for (const auto& [name, s] : pb.items()) {
      if (!pa.contains(name)) props[name] = combine(adda, s);
    }
    if (!props.empty()) out["properties"] = props;
    const Json add = combine(adda, addb);
    if (add != Json(true)) out["additionalProperties"] = add;
    Json required = Json::array();
    for (const Json* side : {&a, &b}) {
      for (const auto& r : side->value("required", Json::array())) {
        if (std::find(required.begin(), required.end(), r) == required.end()) required.push_back(r);
      }
    }
    if (!required.empty()) out["required"] = required;
    if (b.contains("patternProperties")) out["patternProperties"] = b["patternProperties"];
    object_done = true;
  }
  (void)object_done;
  if ((a.contains("anyOf") && b.contains("anyOf")) || (a.contains("oneOf") && b.contains("oneOf"))) {
    if (a.value("anyOf", Json()) != b.value("anyOf", Json()) || a.value("oneOf", Json()) != b.value("oneOf", Json())) {
      return util::make_error("allOf at '{}': cannot intersect two anyOf/oneOf lists", ptr);
    }
  }
  return out;
}

}  // namespace mynah::grammar
