// Helpers for grammar tests: compile a schema (text) and run strings through a byte-level matcher.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grammar/json_schema_compiler.h"
#include "grammar/matcher.h"
#include "grammar/token_index.h"

namespace mynah::grammar::testing {

// A vocabulary of the 256 single bytes: token i is byte i.
inline std::shared_ptr<const TokenIndex> byte_index() {
  static const auto index = [] {
    std::vector<std::string> pieces;
    for (int b = 0; b < 256; ++b) pieces.emplace_back(1, static_cast<char>(b));
    return TokenIndex::from_pieces(std::move(pieces));
  }();
  return index;
}

inline std::shared_ptr<const Grammar> compile_text(const std::string& schema, JsonSchemaOptions options = {}) {
  auto g = compile_json_schema(nlohmann::ordered_json::parse(schema), options);
  EXPECT_TRUE(g.ok()) << schema << ": " << (g.ok() ? "" : g.error().message);
  return g.ok() ? *g : nullptr;
}

// Whole-value match: every byte accepted and the value complete at the end.
inline bool matches(const std::shared_ptr<const Grammar>& g, const std::string& text) {
  if (!g) return false;
  Matcher m(std::make_shared<MaskCache>(g, byte_index()), {});
  return m.accept_bytes(text) && m.is_complete();
}

inline std::string compile_error(const std::string& schema) {
  auto g = compile_json_schema(nlohmann::ordered_json::parse(schema));
  return g.ok() ? std::string() : g.error().message;
}

}  // namespace mynah::grammar::testing
