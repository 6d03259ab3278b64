// StopMatcher: finds stop strings in streamed text across token boundaries, and holds back any tail
// that could still grow into a stop string, so nothing after (or of, if excluded) a match is sent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/generation_request.h"

namespace mynah::engine {

class StopMatcher {
 public:
  // Each stop string carries its own rule for whether a match of it stays in the output.
  explicit StopMatcher(std::vector<StopString> stops);

  struct Output {
    std::string text;      // safe to emit now
    bool matched = false;  // a stop string was found: generation ends
  };
  // Feeds newly decoded text.
  Output push(std::string_view text);
  // End of generation for another reason: releases the held-back text.
  std::string flush();
  bool active() const { return !stops_.empty(); }

 private:
  std::vector<StopString> stops_;  // non-empty texts only
  std::string pending_;            // text not yet emitted
};

}  // namespace mynah::engine
