// response_format, as the OpenAI-style vendors spell it, read into the engine's ResponseFormat:
//   {"type": "text"}                                            free text (no constraint)
//   {"type": "json_object"}                                     any JSON object
//   {"type": "json_object", "schema": {...}}                    Fireworks: a JSON value valid against the schema
//   {"type": "json_schema", "json_schema": {"schema": {...}, "name": "...", "strict": true}}
//   {"type": "regex", "schema": "..."}                          Friendli: the whole output matches the pattern
// Each dialect states which of these its vendor documents. Shape errors fail the "response_format"
// parameter; whether the schema can be enforced is the engine's call at submit time.
#pragma once

#include <optional>
#include <string_view>

#include "api/field_reader.h"
#include "engine/generation_request.h"

namespace mynah::api {

struct ResponseFormatShapes {
  bool json_object_schema = false;  // json_object may carry "schema"
  bool json_schema = false;         // type json_schema with a json_schema object
  bool regex = false;               // type regex with the pattern in "schema"
  bool schema_as_string = false;    // a schema may also be given as a string of JSON text
};

// Reads body["response_format"] (absent or null: no constraint). `body_text` is the raw request:
// schemas are taken from it so their keys keep the client's order (properties are generated in that
// order, and the FieldReader's JSON sorts keys). Failures go to `f`.
engine::ResponseFormat read_response_format(FieldReader& f, std::string_view body_text, const ResponseFormatShapes& shapes);

}  // namespace mynah::api
