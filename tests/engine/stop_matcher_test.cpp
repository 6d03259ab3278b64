#include "engine/stop_matcher.h"

#include <gtest/gtest.h>

namespace mynah::engine {
namespace {

constexpr bool kCut = false;
constexpr bool kKeep = true;

TEST(StopMatcher, MatchAcrossThreePushesExcluded) {
  StopMatcher m({{"END", kCut}});
  EXPECT_EQ(m.push("abc E").text, "abc ");
  auto o = m.push("N");
  EXPECT_EQ(o.text, "");
  EXPECT_FALSE(o.matched);
  o = m.push("Dxyz");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "");
}

TEST(StopMatcher, IncludedMatchKeepsStopButNothingAfter) {
  StopMatcher m({{"END", kKeep}});
  auto o = m.push("abEND tail");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "abEND");
}

TEST(StopMatcher, IncludedMatchAcrossPushesHoldsItsPrefixUntilDecided) {
  StopMatcher m({{"END", kKeep}});
  EXPECT_EQ(m.push("ab E").text, "ab ");  // "E" may start a match: nothing after a match is ever sent
  EXPECT_EQ(m.push("N").text, "");
  auto o = m.push("D and more");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "END");
}

TEST(StopMatcher, FalseStartIsReleased) {
  StopMatcher m({{"ENDING", kCut}});
  EXPECT_EQ(m.push("x END").text, "x ");
  EXPECT_EQ(m.push("S").text, "ENDS");
  EXPECT_EQ(m.push("EN").text, "");
  EXPECT_EQ(m.flush(), "EN");
}

TEST(StopMatcher, EarliestOfSeveralWins) {
  StopMatcher m({{"cd", kCut}, {"b", kCut}});
  auto o = m.push("abcd");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "a");
}

TEST(StopMatcher, EachStringKeepsOrCutsByItsOwnFlag) {
  // Cohere end_sequences (cut) and stop_sequences (kept) in one request: the earliest match decides.
  StopMatcher cut_first({{"--", kCut}, {".", kKeep}});
  auto o = cut_first.push("one--two.");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "one");
  StopMatcher keep_first({{"--", kCut}, {".", kKeep}});
  o = keep_first.push("one.two--");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "one.");
}

TEST(StopMatcher, LongestMatchAtTheSamePositionWinsWithItsFlag) {
  StopMatcher m({{"ab", kCut}, {"abc", kKeep}});
  auto o = m.push("xabcd");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "xabc");
}

TEST(StopMatcher, EmptyStopStringsAreIgnored) {
  StopMatcher m({{"", kCut}});
  EXPECT_FALSE(m.active());
  EXPECT_EQ(m.push("anything").text, "anything");
}

TEST(StopMatcher, NoStopsPassesThrough) {
  StopMatcher m({});
  EXPECT_EQ(m.push("anything").text, "anything");
}

}  // namespace
}  // namespace mynah::engine
