// DecodeStream: never emits part of a UTF-8 character, flushes impossible bytes as U+FFFD, and
// follows decode()'s leading-space rule.
#include "tokenizer/decode_stream.h"

#include <gtest/gtest.h>

#include "vocab_builder.h"

namespace mynah::tokenizer {
namespace {

using testing::VocabBuilder;
using Ids = std::vector<TokenId>;

const std::string kFffd = "\xEF\xBF\xBD";

// stories-like tiny vocab: ids 3 + b are the byte tokens <0xNN>.
const Tokenizer& tiny() {
  static const Tokenizer tok = [] {
    auto b = VocabBuilder();
    b.token("\xE2\x96\x81" "Hi", -1);  // 259
    auto t = b.build();
    EXPECT_TRUE(t.ok()) << t.error().message;
    return std::move(t).value();
  }();
  return tok;
}

TokenId byte_id(uint8_t b) { return 3 + b; }

std::vector<std::string> push_all(DecodeStream& stream, const Ids& ids) {
  std::vector<std::string> out;
  for (TokenId id : ids) out.push_back(stream.push(id));
  return out;
}

TEST(DecodeStream, HoldsEmojiBytesUntilComplete) {
  DecodeStream stream(tiny());
  const Ids ids = {259, byte_id(0xF0), byte_id(0x9F), byte_id(0xA6), byte_id(0x99), byte_id('!')};
  EXPECT_EQ(push_all(stream, ids), (std::vector<std::string>{"Hi", "", "", "", "\xF0\x9F\xA6\x99", "!"}));
  EXPECT_EQ(stream.flush(), "");
  EXPECT_EQ(tiny().decode(ids), "Hi\xF0\x9F\xA6\x99!");
}

TEST(DecodeStream, ImpossibleBytesBecomeReplacementAtOnce) {
  DecodeStream stream(tiny());
  EXPECT_EQ(stream.push(byte_id(0xFF)), kFffd);         // never a valid lead byte
  EXPECT_EQ(stream.push(byte_id(0x80)), kFffd);         // stray continuation
  EXPECT_EQ(stream.push(byte_id(0xE2)), "");            // could still become U+2581
  EXPECT_EQ(stream.push(byte_id('A')), kFffd + "A");    // ... but 'A' ends it
  EXPECT_EQ(stream.push(byte_id(0xE0)), "");
  EXPECT_EQ(stream.push(byte_id(0x80)), kFffd + kFffd);  // overlong: E0 needs A0..BF next
  EXPECT_EQ(stream.push(byte_id(0xED)), "");
  EXPECT_EQ(stream.push(byte_id(0xA0)), kFffd + kFffd);  // surrogate range
  EXPECT_EQ(stream.push(byte_id(0xF0)), "");
  EXPECT_EQ(stream.push(byte_id(0x9F)), "");
  EXPECT_EQ(stream.flush(), kFffd);                      // unfinished at the end
  EXPECT_EQ(stream.flush(), "");
}

TEST(DecodeStream, LeadingSpaceRuleMatchesDecode) {
  DecodeStream strip(tiny());
  EXPECT_EQ(strip.push(1), "");  // BOS produces nothing and does not use up the rule
  EXPECT_EQ(strip.push(259), "Hi");
  EXPECT_EQ(strip.push(259), " Hi");
  DecodeStream keep(tiny(), /*strip_leading_space=*/false);
  EXPECT_EQ(keep.push(259), " Hi");
}

TEST(DecodeStream, ControlAndBadIdsProduceNothing) {
  DecodeStream stream(tiny());
  EXPECT_EQ(stream.push(2), "");
  EXPECT_EQ(stream.push(-7), "");
  EXPECT_EQ(stream.push(100000), "");
  EXPECT_EQ(stream.push(0), "");  // <unk>
  EXPECT_EQ(stream.flush(), "");
}

TEST(DecodeStream, ConcatenationEqualsDecodeOnRandomByteSoup) {
  // Valid multi-byte text split across byte tokens in every possible way.
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  Ids ids;
  for (char c : text) ids.push_back(byte_id(static_cast<uint8_t>(c)));
  DecodeStream stream(tiny());
  std::string out;
  for (TokenId id : ids) {
    const std::string part = stream.push(id);
    out += part;
  }
  out += stream.flush();
  EXPECT_EQ(out, tiny().decode(ids));
  EXPECT_EQ(out, text);
}

}  // namespace
}  // namespace mynah::tokenizer
