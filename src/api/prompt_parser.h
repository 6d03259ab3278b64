// Request pieces several dialects share: prompts given as text, text list, token ids or lists of token
// ids, and token-id -> bias maps ({"50256": -100}).
#pragma once

#include <string>
#include <vector>

#include "api/field_reader.h"
#include "engine/generation_request.h"
#include "sampling/sampling_params.h"

namespace mynah::api {

struct ParsedPrompts {
  std::vector<engine::Prompt> prompts;
  std::vector<std::string> texts;  // the prompt text, or "" for a token-id prompt
};

// Accepts a string, an array of strings, an array of token ids, or an array of arrays of token ids.
util::Result<ParsedPrompts, ApiError> parse_prompts(FieldReader& f, std::string_view name, bool required);

// {"<token id>": bias, ...} with bias in [min, max]; an absent field gives no biases.
std::vector<sampling::TokenBias> parse_token_bias(FieldReader& f, std::string_view name, double min, double max);

}  // namespace mynah::api
