// response_format on the three routes that take it (OpenAI, Fireworks, Friendli): each documented shape
// maps to the engine's ResponseFormat, schemas keep the client's key order, and every malformed shape
// is a 400 naming the parameter in the dialect's error body.
#include <gtest/gtest.h>

#include "dialect_test_util.h"

namespace mynah::api {
namespace {

using nlohmann::json;
using testing::parse;
using Kind = engine::ResponseFormat::Kind;

const Dialect& openai() { return testing::dialect("openai.completions"); }
const Dialect& fireworks() { return testing::dialect("fireworks.completions"); }
const Dialect& friendli() { return testing::dialect("friendli.completions"); }

std::string body_with(const std::string& response_format) {
  return R"({"model": "m", "prompt": "x", "response_format": )" + response_format + "}";
}

engine::ResponseFormat format_of(const Dialect& d, const std::string& response_format) {
  auto call = parse(d, body_with(response_format));
  if (!call.ok()) throw std::runtime_error(std::string(d.name()) + " " + response_format + ": " + call.error().message);
  return call.value()->request.response_format;
}

ApiError error_of(const Dialect& d, const std::string& body) {
  auto call = parse(d, body);
  if (call.ok()) throw std::runtime_error(std::string(d.name()) + " accepted " + body);
  return call.error();
}

TEST(ResponseFormat, AbsentNullAndTextConstrainNothing) {
  for (const Dialect* d : {&openai(), &fireworks(), &friendli()}) {
    auto plain = parse(*d, R"({"model": "m", "prompt": "x"})");
    ASSERT_TRUE(plain.ok()) << d->name();
    EXPECT_EQ(plain.value()->request.response_format.kind, Kind::kNone) << d->name();
    EXPECT_EQ(format_of(*d, "null").kind, Kind::kNone) << d->name();
    EXPECT_EQ(format_of(*d, R"({"type": "text"})").kind, Kind::kNone) << d->name();
  }
}

TEST(ResponseFormat, JsonObjectOnEveryRoute) {
  for (const Dialect* d : {&openai(), &fireworks(), &friendli()}) {
    const auto f = format_of(*d, R"({"type": "json_object"})");
    EXPECT_EQ(f.kind, Kind::kJsonObject) << d->name();
    EXPECT_TRUE(f.text.empty()) << d->name();
  }
}

TEST(ResponseFormat, JsonSchemaShapeKeepsKeyOrderOnEveryRoute) {
  // "zeta" before "alpha": a sorted re-serialization would swap them and change the generated order.
  const std::string schema = R"({"type":"object","properties":{"zeta":{"type":"integer"},"alpha":{"enum":["a","b"]}},"required":["zeta","alpha"]})";
  for (const Dialect* d : {&openai(), &fireworks(), &friendli()}) {
    const auto f = format_of(*d, R"({"type": "json_schema", "json_schema": {"name": "thing", "strict": true, "schema": )" + schema + "}}");
    EXPECT_EQ(f.kind, Kind::kJsonSchema) << d->name();
    EXPECT_EQ(f.text, schema) << d->name();
  }
  // A boolean schema is a schema too; name and strict are optional.
  EXPECT_EQ(format_of(openai(), R"({"type": "json_schema", "json_schema": {"schema": true}})").text, "true");
}

TEST(ResponseFormat, FireworksAndFriendliTakeASchemaOnJsonObject) {
  const std::string schema = R"({"type":"object","properties":{"b":{"type":"string"},"a":{"type":"boolean"}}})";
  for (const Dialect* d : {&fireworks(), &friendli()}) {
    const auto f = format_of(*d, R"({"type": "json_object", "schema": )" + schema + "}");
    EXPECT_EQ(f.kind, Kind::kJsonSchema) << d->name();
    EXPECT_EQ(f.text, schema) << d->name();
  }
  // Friendli's shape may carry the schema as a string of JSON text, used as sent.
  const auto s = format_of(friendli(), R"({"type": "json_object", "schema": "{\"type\": \"object\", \"required\": [\"z\", \"a\"]}"})");
  EXPECT_EQ(s.kind, Kind::kJsonSchema);
  EXPECT_EQ(s.text, R"({"type": "object", "required": ["z", "a"]})");
}

TEST(ResponseFormat, FriendliRegex) {
  const auto f = format_of(friendli(), R"({"type": "regex", "schema": "(yes|no)\\.[0-9]{2}"})");
  EXPECT_EQ(f.kind, Kind::kRegex);
  EXPECT_EQ(f.text, R"((yes|no)\.[0-9]{2})");
}

TEST(ResponseFormat, MalformedShapesAre400sNamingTheParameter) {
  struct Case {
    const Dialect* dialect;
    std::string response_format;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {&openai(), R"("json_object")", "must be an object"},
      {&fireworks(), R"([{"type": "json_object"}])", "must be an object"},
      {&friendli(), R"(7)", "must be an object"},
      {&openai(), R"({})", "response_format.type must be one of text, json_object, json_schema, got nothing"},
      {&fireworks(), R"({"type": 1})", "response_format.type must be one of"},
      {&friendli(), R"({"type": "yaml"})", "text, json_object, json_schema, regex, got \"yaml\""},
      // Regex is Friendli's alone.
      {&openai(), R"({"type": "regex", "schema": "a+"})", "got \"regex\""},
      {&fireworks(), R"({"type": "regex", "schema": "a+"})", "got \"regex\""},
      // OpenAI puts schemas under json_schema only.
      {&openai(), R"({"type": "json_object", "schema": {"type": "object"}})", "not accepted with type json_object"},
      {&fireworks(), R"({"type": "json_object", "schema": 5})", "response_format.schema must be a JSON Schema"},
      {&fireworks(), R"({"type": "json_object", "schema": "{\"type\": \"object\"}"})", "must be a JSON Schema (an object or a boolean)"},
      {&friendli(), R"({"type": "json_object", "schema": "{not json"})", "string of JSON text"},
      {&friendli(), R"({"type": "json_object", "schema": "[1, 2]"})", "string of JSON text"},
      {&openai(), R"({"type": "json_schema"})", "response_format.json_schema must be an object"},
      {&fireworks(), R"({"type": "json_schema", "json_schema": "x"})", "response_format.json_schema must be an object"},
      {&friendli(), R"({"type": "json_schema", "json_schema": {"name": "x"}})", "response_format.json_schema.schema is required"},
      {&openai(), R"({"type": "json_schema", "json_schema": {"schema": [1]}})", "json_schema.schema must be a JSON Schema"},
      {&openai(), R"({"type": "json_schema", "json_schema": {"name": 3, "schema": {}}})", "json_schema.name must be a string"},
      {&fireworks(), R"({"type": "json_schema", "json_schema": {"strict": "yes", "schema": {}}})", "json_schema.strict must be a boolean"},
      {&friendli(), R"({"type": "regex"})", "regular expression (a non-empty string) for type regex, got nothing"},
      {&friendli(), R"({"type": "regex", "schema": ""})", "non-empty string"},
      {&friendli(), R"({"type": "regex", "schema": {"pattern": "a"}})", "for type regex"},
  };
  for (const auto& c : cases) {
    const ApiError e = error_of(*c.dialect, body_with(c.response_format));
    const std::string where = std::string(c.dialect->name()) + " " + c.response_format + ": " + e.message;
    EXPECT_EQ(e.http_status, 400) << where;
    EXPECT_EQ(e.param, "response_format") << where;
    EXPECT_NE(e.message.find(c.needle), std::string::npos) << where;
    // Rendered in the dialect's own error shape, naming the parameter there too.
    const auto rendered = json::parse(c.dialect->render_error(e).body);
    EXPECT_EQ(rendered["error"]["param"], "response_format") << where;
  }
}

TEST(ResponseFormat, FriendliRefusesMinTokensWithAnyResponseFormat) {
  for (const std::string rf : {R"({"type": "json_object"})", R"({"type": "regex", "schema": "a"})", R"({"type": "text"})"}) {
    const ApiError e = error_of(friendli(), R"({"model": "m", "prompt": "x", "min_tokens": 2, "response_format": )" + rf + "}");
    EXPECT_EQ(e.http_status, 400) << rf;
    EXPECT_EQ(e.param, "min_tokens") << rf;
    EXPECT_NE(e.message.find("unsupported when response_format is specified"), std::string::npos) << e.message;
    const ApiError total = error_of(friendli(), R"({"model": "m", "prompt": "x", "min_total_tokens": 9, "response_format": )" + rf + "}");
    EXPECT_EQ(total.param, "min_total_tokens") << rf;
  }
  // min_tokens without response_format stays allowed.
  EXPECT_TRUE(parse(friendli(), R"({"model": "m", "prompt": "x", "min_tokens": 2})").ok());
}

}  // namespace
}  // namespace mynah::api
