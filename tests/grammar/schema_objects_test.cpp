// Objects, arrays and $ref: definition order, required/optional, additional and pattern
// properties, tuples, item counts, recursion.
#include "grammar_test_util.h"

namespace mynah::grammar::testing {
namespace {

TEST(SchemaObjects, PropertiesInDefinitionOrder) {
  const auto g = compile_text(R"({"type":"object","properties":{"b":{"type":"integer"},"a":{"type":"string"}},
                                   "required":["a"],"additionalProperties":false})");
  EXPECT_TRUE(matches(g, R"({"b":1,"a":"x"})"));
  EXPECT_TRUE(matches(g, R"({"a":"x"})"));
  EXPECT_FALSE(matches(g, R"({"a":"x","b":1})"));  // definition order only
  EXPECT_FALSE(matches(g, R"({"b":1})"));          // a is required
  EXPECT_FALSE(matches(g, R"({"a":"x","c":1})"));  // no additional properties
  EXPECT_FALSE(matches(g, R"({})"));
  EXPECT_FALSE(matches(g, R"({"a":"x",})"));
}

TEST(SchemaObjects, AdditionalProperties) {
  const auto any = compile_text(R"({"type":"object","properties":{"a":{"type":"integer"}}})");
  EXPECT_TRUE(matches(any, R"({"a":1,"zz":[null],"y":{}})"));
  EXPECT_TRUE(matches(any, R"({"q":1})"));
  EXPECT_FALSE(matches(any, R"({"a":1,"a":2})"));    // a defined key cannot reappear as an extra
  EXPECT_FALSE(matches(any, R"({"a":"s"})"));
  const auto typed = compile_text(R"({"type":"object","additionalProperties":{"type":"boolean"}})");
  EXPECT_TRUE(matches(typed, R"({"x":true,"y":false})"));
  EXPECT_FALSE(matches(typed, R"({"x":1})"));
  EXPECT_TRUE(matches(typed, R"({})"));
}

TEST(SchemaObjects, RequiredOutsideProperties) {
  const auto g = compile_text(R"({"type":"object","required":["id"],"additionalProperties":{"type":"integer"}})");
  EXPECT_TRUE(matches(g, R"({"id":3})"));
  EXPECT_TRUE(matches(g, R"({"id":3,"n":4})"));
  EXPECT_FALSE(matches(g, R"({"n":4})"));
}

TEST(SchemaObjects, PatternProperties) {
  const auto g = compile_text(R"({"type":"object","properties":{"id":{"type":"string"}},
      "patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":false})");
  EXPECT_TRUE(matches(g, R"({"id":"a","x-a":1,"x-b":2})"));
  EXPECT_FALSE(matches(g, R"({"id":"a","x-a":"s"})"));
  EXPECT_FALSE(matches(g, R"({"y":1})"));
}

TEST(SchemaObjects, Arrays) {
  const auto g = compile_text(R"({"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3})");
  EXPECT_TRUE(matches(g, "[1]"));
  EXPECT_TRUE(matches(g, "[1,2,3]"));
  EXPECT_FALSE(matches(g, "[]"));
  EXPECT_FALSE(matches(g, "[1,2,3,4]"));
  EXPECT_FALSE(matches(g, "[1,]"));
  const auto tuple = compile_text(R"({"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],
                                       "items":false,"minItems":1})");
  EXPECT_TRUE(matches(tuple, R"(["a"])"));
  EXPECT_TRUE(matches(tuple, R"(["a",1])"));
  EXPECT_FALSE(matches(tuple, R"(["a",1,2])"));
  EXPECT_FALSE(matches(tuple, R"([1])"));
  EXPECT_FALSE(matches(tuple, R"([])"));
  const auto draft7 = compile_text(R"({"type":"array","items":[{"type":"null"}],"additionalItems":{"type":"boolean"}})");
  EXPECT_TRUE(matches(draft7, "[null,true,false]"));
  EXPECT_FALSE(matches(draft7, "[null,1]"));
}

TEST(SchemaObjects, RecursiveRef) {
  const auto g = compile_text(R"({"$ref":"#/$defs/node","$defs":{"node":{"type":"object",
      "properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},
      "required":["v"],"additionalProperties":false}}})");
  EXPECT_TRUE(matches(g, R"({"v":1})"));
  EXPECT_TRUE(matches(g, R"({"v":1,"kids":[{"v":2,"kids":[{"v":3}]},{"v":4}]})"));
  EXPECT_FALSE(matches(g, R"({"v":1,"kids":[{"kids":[]}]})"));
  const auto root = compile_text(R"({"type":["array","integer"],"items":{"$ref":"#"}})");
  EXPECT_TRUE(matches(root, "[[1,[2]],3]"));
  EXPECT_FALSE(matches(root, "[[1,[\"a\"]]]"));
}

TEST(SchemaObjects, RefWithSiblingsAndAllOfObjects) {
  const auto g = compile_text(R"({"definitions":{"base":{"type":"object","properties":{"a":{"type":"integer"}},
      "additionalProperties":false}},"allOf":[{"$ref":"#/definitions/base"},{"properties":{"b":{}},"required":["a"]}]})");
  EXPECT_TRUE(matches(g, R"({"a":1})"));
  EXPECT_FALSE(matches(g, R"({"a":1,"b":2})"));  // b is excluded by base's additionalProperties
  const auto s = compile_text(R"({"definitions":{"n":{"type":"integer"}},"$ref":"#/definitions/n","minimum":3})");
  EXPECT_TRUE(matches(s, "3"));
  EXPECT_FALSE(matches(s, "2"));
}

TEST(SchemaObjects, LeftRecursionIsAnError) {
  EXPECT_NE(compile_error(R"({"anyOf":[{"$ref":"#"},{"type":"string"}]})"), "");
}

TEST(SchemaObjects, JsonObjectFormat) {
  auto g = compile_json_object();
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(matches(*g, R"({"a":[1,{"b":null}]})"));
  EXPECT_TRUE(matches(*g, "{}"));
  EXPECT_FALSE(matches(*g, "[]"));
  EXPECT_FALSE(matches(*g, R"("a")"));
}

}  // namespace
}  // namespace mynah::grammar::testing
