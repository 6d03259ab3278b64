// StopMatcher: finds stop strings in streamed text across token boundaries, and holds back any tail
// that could still grow into a stop string, so nothing after (or of, if excluded) a match is sent.
#pragma once

#include <string>
#include <vector>

namespace mynah::engine {

class StopMatcher {
 public:
  StopMatcher(std::vector<std::string> stops, bool include_match);

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
  std::vector<std::string> stops_;
  bool include_match_;
  std::string pending_;  // text not yet emitted
};

}  // namespace mynah::engine
