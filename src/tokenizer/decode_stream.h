// DecodeStream: incremental detokenizer for streaming output. Emits only whole UTF-8 characters,
// holding back the bytes of one that later byte tokens may still complete.
#pragma once

#include <string>

#include "tokenizer/tokenizer.h"

namespace mynah::tokenizer {

class DecodeStream {
 public:
  // Copies `tokenizer` (a shared handle, so the stream may outlive the original). With the same
  // strip_leading_space, the concatenated output equals Tokenizer::decode(ids) whenever that is
  // valid UTF-8. Pass false when the ids continue a prompt: there a leading space is real text.
  explicit DecodeStream(const Tokenizer& tokenizer, bool strip_leading_space = true);

  // Text completed by this token. Bytes that cannot start or continue a valid character are
  // emitted as U+FFFD at once (Unicode's maximal-subpart rule) instead of stalling the stream.
  std::string push(TokenId id);
  // Ends the stream: an unfinished character still held back comes out as U+FFFD.
  std::string flush();

 private:
  std::string drain(bool at_end);

  Tokenizer tokenizer_;
  std::string pending_;  // undelivered bytes: at most one incomplete character (<= 3 bytes)
  bool strip_pending_;
};

}  // namespace mynah::tokenizer
