// SchemaCompiler: `type` dispatch, strings (length, pattern, format) and numbers (bounds).
#include <algorithm>
#include <cmath>
#include <limits>

#include "grammar/codepoint_set.h"
#include "grammar/number_ranges.h"
#include "grammar/regex_compiler.h"
#include "grammar/schema_compiler.h"

namespace mynah::grammar {
namespace {

enum TypeBit : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,
  kNumber = 8,
  kString = 16,
  kArray = 32,
  kObject = 64,
  kAllTypes = 127,
};

util::Result<uint8_t> type_bit(const Json& name, const std::string& ptr) {
  static const std::pair<const char*, uint8_t> kNames[] = {{"null", kNull},     {"boolean", kBoolean},
                                                           {"integer", kInteger}, {"number", kNumber},
                                                           {"string", kString},   {"array", kArray},
                                                           {"object", kObject}};
  if (name.is_string()) {
    for (const auto& [n, bit] : kNames) {
      if (name.get<std::string>() == n) return bit;
    }
  }
  return util::make_error("type at '{}': unknown type {}", ptr, name.dump());
}

util::Result<uint8_t> type_mask(const Json& schema, const std::string& ptr) {
  if (!schema.contains("type")) return static_cast<uint8_t>(kAllTypes);
  const Json& t = schema["type"];
  if (!t.is_array()) return type_bit(t, ptr);
  uint8_t mask = 0;
  for (const auto& x : t) {
    auto b = type_bit(x, ptr);
    if (!b) return b;
    mask |= *b;
  }
  return mask;
}

uint8_t value_type(const Json& v) {
  if (v.is_null()) return kNull;
  if (v.is_boolean()) return kBoolean;
  if (v.is_number_integer() || v.is_number_unsigned()) return kInteger | kNumber;
  if (v.is_number()) return kNumber;
  if (v.is_string()) return kString;
  if (v.is_array()) return kArray;
  return kObject;
}

// Regexes for the enforced formats (over decoded characters; anchored). February 29 is refused
// (a leap-year check is not worth its automaton): a restriction, never an invalid acceptance.
const char* format_regex(const std::string& format) {
  static const std::pair<const char*, const char*> kFormats[] = {
      {"date", R"(^\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)|02-(0[1-9]|1\d|2[0-8]))$)"},
      {"time", R"(^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$)"},
      {"date-time",
       R"(^\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)|02-(0[1-9]|1\d|2[0-8]))[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$)"},
      {"uuid", R"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)"},
      {"ipv4", R"(^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$)"},
      {"ipv6",
       R"(^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:(:[0-9a-fA-F]{1,4}){1,6}|:((:[0-9a-fA-F]{1,4}){1,7}|:))$)"},
      // Labels of 1..50 characters, at most 4 of them: always within the 253-character limit.
      {"hostname", R"(^[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?){0,3}$)"},
      {"email",
       R"(^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?){1,3}$)"},
      {"uri", R"(^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$)"},
  };
  for (const auto& [name, re] : kFormats) {
    if (format == name) return re;
  }
  return nullptr;
}

bool is_integral(double v) { return std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9.0e18; }

}  // namespace

util::Result<ExprId> SchemaCompiler::typed_value(const Json& schema, const std::string& ptr) {
  auto mask = type_mask(schema, ptr);
  if (!mask) return mask.take_error();
  uint8_t types = *mask;
  if (schema.contains("not")) {
    const Json& n = schema["not"];
    bool only_type = n.is_object() && n.contains("type");
    for (const auto& [k, v] : n.items()) only_type = only_type && (k == "type" || is_annotation(k));
    if (!only_type) return util::make_error("unsupported keyword 'not' at '{}' (only 'not': {{'type': ...}})", ptr);
    auto excluded = type_mask(n, pointer_append(ptr, "not"));
    if (!excluded) return excluded.take_error();
    if ((*excluded & kInteger) && !(*excluded & kNumber) && (types & kNumber)) {
      return util::make_error("unsupported keyword 'not' at '{}': number but not integer", ptr);
    }
    types &= static_cast<uint8_t>(~*excluded);
    if (*excluded & kNumber) types &= static_cast<uint8_t>(~kInteger);
  }
  if (types & kNumber) types &= static_cast<uint8_t>(~kInteger);
  std::vector<ExprId> alts;
  if (types & kNull) alts.push_back(pool_.literal("null"));
  if (types & kBoolean) alts.push_back(pool_.alt({pool_.literal("true"), pool_.literal("false")}));
  using Builder = util::Result<ExprId> (SchemaCompiler::*)(const Json&, const std::string&);
  const std::pair<uint8_t, Builder> builders[] = {{kInteger, &SchemaCompiler::integer_value},
                                                  {kNumber, &SchemaCompiler::number_value},
                                                  {kString, &SchemaCompiler::string_value},
                                                  {kArray, &SchemaCompiler::array_value},
                                                  {kObject, &SchemaCompiler::object_value}};
  for (const auto& [bit, build] : builders) {
    if (!(types & bit)) continue;
    auto e = (this->*build)(schema, ptr);
    if (!e) return e.take_error();
    alts.push_back(*e);
  }
  return pool_.alt(std::move(alts));
}

util::Result<ExprId> SchemaCompiler::string_value(const Json& schema, const std::string& ptr) {
  const int64_t min_len = schema.value("minLength", int64_t{0});
  const int64_t max_len = schema.contains("maxLength") ? schema["maxLength"].get<int64_t>() : -1;
  if (min_len > 10000 || max_len > 10000) return util::make_error("too large: string length bound at '{}'", ptr);
  const ExprId ch = encode_codepoints(pool_, CodepointSet::all(), TextEncoding::kJsonString);
  std::vector<std::string> patterns;
  if (schema.contains("pattern")) patterns.push_back(schema["pattern"].get<std::string>());
  if (schema.contains("x-mynah-patterns")) {
    for (const auto& p : schema["x-mynah-patterns"]) patterns.push_back(p.get<std::string>());
  }
  if (schema.contains("format") && schema["format"].is_string()) {
    // Unknown formats fail closed: MaskBench's labels (and users) expect formats to be asserted.
    const char* re = format_regex(schema["format"].get<std::string>());
    if (!re) return util::make_error("unsupported format '{}' at '{}'", schema["format"].get<std::string>(), ptr);
    patterns.push_back(re);
  }
  const ExprId length = pool_.repeat(ch, static_cast<int32_t>(min_len), static_cast<int32_t>(max_len));
  // Strings are rules of their own: a call-free rule gets the fast, stack-free mask walk.
  if (patterns.empty()) return as_rule(pool_.seq({pool_.literal("\""), length, pool_.literal("\"")}));
  std::optional<Automaton> content;
  if (min_len > 0 || max_len >= 0) {
    auto a = to_automaton(length);
    if (!a) return util::make_error("{} (maxLength at '{}')", a.error().message, ptr);
    content = std::move(*a);
  }
  for (const std::string& p : patterns) {
    auto re = compile_regex(pool_, p, TextEncoding::kJsonString, RegexAnchoring::kSearch);
    if (!re) return util::make_error("{} (pattern/format at '{}')", re.error().message, ptr);
    auto a = to_automaton(*re);
    if (!a) return util::make_error("{} (pattern at '{}')", a.error().message, ptr);
    if (!content) {
      content = std::move(*a);
      continue;
    }
    auto both = intersect(*content, *a, limits());
    if (!both) return util::make_error("{} (pattern at '{}')", both.error().message, ptr);
    content = std::move(*both);
  }
  return as_rule(pool_.seq({pool_.literal("\""), pool_.dfa(std::move(*content)), pool_.literal("\"")}));
}

util::Result<ExprId> SchemaCompiler::integer_value(const Json& schema, const std::string& ptr) {
  std::optional<int64_t> lo;
  std::optional<int64_t> hi;
  auto bound = [&](const char* key, bool is_min, bool exclusive) -> util::Status {
    if (!schema.contains(key) || !schema[key].is_number()) return {};
    const double v = schema[key].get<double>();
    if (!std::isfinite(v) || std::fabs(v) > 9.0e18) return util::make_error("too large: {} at '{}'", key, ptr);
    int64_t b = is_min ? static_cast<int64_t>(std::ceil(v)) : static_cast<int64_t>(std::floor(v));
    if (exclusive && is_integral(v)) b += is_min ? 1 : -1;
    if (is_min) {
      lo = lo ? std::max(*lo, b) : b;
    } else {
      hi = hi ? std::min(*hi, b) : b;
    }
    return {};
  };
  const bool draft4_excl_min = schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_boolean() &&
                               schema["exclusiveMinimum"].get<bool>();
  const bool draft4_excl_max = schema.contains("exclusiveMaximum") && schema["exclusiveMaximum"].is_boolean() &&
                               schema["exclusiveMaximum"].get<bool>();
  MYNAH_TRY(bound("minimum", true, draft4_excl_min));
  MYNAH_TRY(bound("maximum", false, draft4_excl_max));
  MYNAH_TRY(bound("exclusiveMinimum", true, true));
  MYNAH_TRY(bound("exclusiveMaximum", false, true));
  if (schema.contains("multipleOf")) {
    const Json& m = schema["multipleOf"];
    if (!(m.is_number() && m.get<double>() == 1.0)) {
      return util::make_error("unsupported keyword 'multipleOf' at '{}'", ptr);
    }
  }
  return integer_in_range(pool_, lo, hi);
}

util::Result<ExprId> SchemaCompiler::number_value(const Json& schema, const std::string& ptr) {
  std::optional<NumberBound> lo;
  std::optional<NumberBound> hi;
  auto bound = [&](const char* key, bool is_min, bool exclusive) -> util::Status {
    if (!schema.contains(key) || !schema[key].is_number()) return {};
    const double v = schema[key].get<double>();
    if (!is_integral(v)) {
      return util::make_error("unsupported keyword '{}' at '{}': non-integer bound on a number", key, ptr);
    }
    const NumberBound b{static_cast<int64_t>(v), exclusive};
    auto& slot = is_min ? lo : hi;
    // Keep the tighter bound (on equal values, the exclusive one).
    if (!slot || (is_min ? (b.value > slot->value) : (b.value < slot->value)) ||
        (b.value == slot->value && exclusive)) {
      slot = b;
    }
    return {};
  };
  const bool draft4_excl_min = schema.contains("exclusiveMinimum") && schema["exclusiveMinimum"].is_boolean() &&
                               schema["exclusiveMinimum"].get<bool>();
  const bool draft4_excl_max = schema.contains("exclusiveMaximum") && schema["exclusiveMaximum"].is_boolean() &&
                               schema["exclusiveMaximum"].get<bool>();
  MYNAH_TRY(bound("minimum", true, draft4_excl_min));
  MYNAH_TRY(bound("maximum", false, draft4_excl_max));
  MYNAH_TRY(bound("exclusiveMinimum", true, true));
  MYNAH_TRY(bound("exclusiveMaximum", false, true));
  if (schema.contains("multipleOf")) {
    const Json& m = schema["multipleOf"];
    if (m.is_number() && m.get<double>() == 1.0) {
      Json as_int = schema;
      as_int.erase("multipleOf");
      return integer_value(as_int, ptr);
    }
    return util::make_error("unsupported keyword 'multipleOf' at '{}'", ptr);
  }
  if (lo && hi && (lo->value > hi->value || (lo->value == hi->value && (lo->exclusive || hi->exclusive)))) {
    return pool_.nothing();
  }
  return number_in_range(pool_, lo, hi);
}

namespace {

constexpr int kMaxDisjointDepth = 4;
constexpr int kMaxRefHops = 8;

// What one conjunct of a schema says about a value: its possible types and, for enum/const, its
// possible values. Every value valid for the schema satisfies every conjunct.
struct Conjunct {
  const Json* schema;
  uint8_t types;
  std::optional<Json> values;
};

// JSON equality for enum values. ordered_json compares object members in stored order, which
// would call {"a":1,"b":2} and {"b":2,"a":1} different and wrongly prove disjointness.
bool same_value(const Json& x, const Json& y) {
  if (!x.is_structured() && !y.is_structured()) return x == y;
  return nlohmann::json::parse(x.dump()) == nlohmann::json::parse(y.dump());
}

}  // namespace

// Splits `s` into conjuncts: itself and its allOf members, following $refs that have only
// annotations beside them.
util::Status SchemaCompiler::collect_conjuncts(const Json& s, const std::string& ptr, int depth,
                                               std::vector<const Json*>& out) const {
  const Json* cur = &s;
  for (int hop = 0; hop < kMaxRefHops && cur->is_object() && cur->contains("$ref") && (*cur)["$ref"].is_string();
       ++hop) {
    bool bare = true;
    for (const auto& [k, v] : cur->items()) bare = bare && (k == "$ref" || is_annotation(k));
    if (!bare) break;
    auto t = resolve_ref((*cur)["$ref"].get<std::string>(), ptr);
    if (!t) return t.take_error();
    cur = *t;
  }
  out.push_back(cur);
  if (depth < kMaxRefHops && cur->is_object() && cur->contains("allOf") && (*cur)["allOf"].is_array()) {
    for (const auto& member : (*cur)["allOf"]) MYNAH_TRY(collect_conjuncts(member, ptr, depth + 1, out));
  }
  return {};
}

// True only when no JSON value can satisfy both `a` and `b`: their types cannot meet, their
// enum/const values share nothing, or (objects only) some property both require is itself
// provably disjoint. False means "not proven", never "overlapping".
util::Result<bool> SchemaCompiler::disjoint(const Json& a, const Json& b, const std::string& ptr, int depth) {
  std::vector<Conjunct> sides[2];
  for (int side = 0; side < 2; ++side) {
    std::vector<const Json*> parts;
    MYNAH_TRY(collect_conjuncts(side == 0 ? a : b, ptr, 0, parts));
    for (const Json* p : parts) {
      if (p->is_boolean()) {
        if (!p->get<bool>()) return true;  // the false schema matches nothing
        continue;
      }
      if (!p->is_object()) continue;
      auto m = type_mask(*p, ptr);
      if (!m) return m.take_error();
      uint8_t t = *m;
      if (t & (kNumber | kInteger)) t |= kNumber | kInteger;  // integers are numbers: overlap
      std::optional<Json> vals;
      if (p->contains("const")) vals = Json::array({(*p)["const"]});
      if (p->contains("enum") && (*p)["enum"].is_array()) vals = (*p)["enum"];
      if (vals) {
        uint8_t vt = 0;
        for (const auto& v : *vals) vt |= value_type(v) | ((value_type(v) & kNumber) ? kInteger : 0);
        t &= vt;
      }
      sides[side].push_back({p, t, vals});
    }
  }
  uint8_t types[2] = {kAllTypes, kAllTypes};
  for (int side = 0; side < 2; ++side) {
    for (const Conjunct& c : sides[side]) types[side] &= c.types;
  }
  if ((types[0] & types[1]) == 0) return true;
  for (const Conjunct& ca : sides[0]) {
    for (const Conjunct& cb : sides[1]) {
      if (!ca.values || !cb.values) continue;
      bool shared = false;
      for (const auto& x : *ca.values) {
        for (const auto& y : *cb.values) shared = shared || same_value(x, y);
      }
      if (!shared) return true;
    }
  }
  if (types[0] != kObject || types[1] != kObject || depth >= kMaxDisjointDepth) return false;
  // Both sides are objects: a property required by both whose schemas are disjoint separates them.
  auto required = [](const std::vector<Conjunct>& side) {
    std::vector<std::string> names;
    for (const Conjunct& c : side) {
      if (!c.schema->contains("required") || !(*c.schema)["required"].is_array()) continue;
      for (const auto& r : (*c.schema)["required"]) {
        if (r.is_string()) names.push_back(r.get<std::string>());
      }
    }
    return names;
  };
  auto property = [](const std::vector<Conjunct>& side, const std::string& name) {
    Json all = Json::array();
    for (const Conjunct& c : side) {
      if (c.schema->contains("properties") && (*c.schema)["properties"].is_object() &&
          (*c.schema)["properties"].contains(name)) {
        all.push_back((*c.schema)["properties"][name]);
      }
    }
    return Json{{"allOf", all}};
  };
  const auto req_b = required(sides[1]);
  for (const std::string& name : required(sides[0])) {
    if (std::find(req_b.begin(), req_b.end(), name) == req_b.end()) continue;
    auto d = disjoint(property(sides[0], name), property(sides[1], name), ptr, depth + 1);
    if (!d) return d;
    if (*d) return true;
  }
  return false;
}

util::Result<bool> SchemaCompiler::provably_disjoint(const std::vector<Json>& branches, const std::string& ptr) {
  for (size_t i = 0; i < branches.size(); ++i) {
    for (size_t j = i + 1; j < branches.size(); ++j) {
      auto d = disjoint(branches[i], branches[j], ptr, 0);
      if (!d) return d;
      if (!*d) return false;
    }
  }
  return true;
}

}  // namespace mynah::grammar
