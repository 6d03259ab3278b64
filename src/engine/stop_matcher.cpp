// StopMatcher: earliest match wins (the longest at a tie); a held-back tail is the longest suffix that
// is a proper prefix of some stop string, whether that string would be kept or cut, so a streamed byte
// is never one that a later match could still claim or cut.
#include "engine/stop_matcher.h"

#include <algorithm>
#include <utility>

namespace mynah::engine {

StopMatcher::StopMatcher(std::vector<StopString> stops) {
  for (auto& s : stops) {
    if (!s.text.empty()) stops_.push_back(std::move(s));
  }
}

StopMatcher::Output StopMatcher::push(std::string_view text) {
  if (stops_.empty()) return {std::string(text), false};
  pending_.append(text);
  size_t best_pos = std::string::npos;
  const StopString* best = nullptr;
  for (const auto& s : stops_) {
    const size_t pos = pending_.find(s.text);
    if (pos == std::string::npos) continue;
    if (pos < best_pos || (pos == best_pos && s.text.size() > best->text.size())) {
      best_pos = pos;
      best = &s;
    }
  }
  if (best != nullptr) {
    Output out{pending_.substr(0, best->include_in_output ? best_pos + best->text.size() : best_pos), true};
    pending_.clear();
    return out;
  }
  size_t hold = 0;
  for (const auto& s : stops_) {
    const size_t max_len = std::min(s.text.size() - 1, pending_.size());
    for (size_t len = max_len; len > hold; --len) {
      if (pending_.compare(pending_.size() - len, len, s.text, 0, len) == 0) {
        hold = len;
        break;
      }
    }
  }
  Output out{pending_.substr(0, pending_.size() - hold), false};
  pending_.erase(0, pending_.size() - hold);
  return out;
}

std::string StopMatcher::flush() { return std::exchange(pending_, {}); }

}  // namespace mynah::engine
