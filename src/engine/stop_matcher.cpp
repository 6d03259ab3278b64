// StopMatcher: earliest match wins; a held-back tail is the longest suffix that is a proper prefix
// of some stop string.
#include "engine/stop_matcher.h"

#include <algorithm>
#include <utility>

namespace mynah::engine {

StopMatcher::StopMatcher(std::vector<std::string> stops, bool include_match) : include_match_(include_match) {
  for (auto& s : stops) {
    if (!s.empty()) stops_.push_back(std::move(s));
  }
}

StopMatcher::Output StopMatcher::push(std::string_view text) {
  if (stops_.empty()) return {std::string(text), false};
  pending_.append(text);
  size_t best_pos = std::string::npos, best_len = 0;
  for (const auto& s : stops_) {
    const size_t pos = pending_.find(s);
    if (pos < best_pos || (pos == best_pos && pos != std::string::npos && s.size() > best_len)) {
      best_pos = pos;
      best_len = s.size();
    }
  }
  if (best_pos != std::string::npos) {
    Output out{pending_.substr(0, include_match_ ? best_pos + best_len : best_pos), true};
    pending_.clear();
    return out;
  }
  size_t hold = 0;
  for (const auto& s : stops_) {
    const size_t max_len = std::min(s.size() - 1, pending_.size());
    for (size_t len = max_len; len > hold; --len) {
      if (pending_.compare(pending_.size() - len, len, s, 0, len) == 0) {
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
