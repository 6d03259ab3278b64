// The tokens a sequence has seen so far, as the engine holds them. Non-owning; read by the stages
// that look back (bans, penalties).
#pragma once

#include <cstdint>
#include <span>

namespace mynah::sampling {

struct TokenHistory {
  std::span<const int32_t> prompt;     // [n_prompt] the request's prompt tokens
  std::span<const int32_t> generated;  // [n_generated] tokens sampled so far, oldest first
};

}  // namespace mynah::sampling
