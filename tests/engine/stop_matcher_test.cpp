#include "engine/stop_matcher.h"

#include <gtest/gtest.h>

namespace mynah::engine {
namespace {

TEST(StopMatcher, MatchAcrossThreePushesExcluded) {
  StopMatcher m({"END"}, false);
  EXPECT_EQ(m.push("abc E").text, "abc ");
  auto o = m.push("N");
  EXPECT_EQ(o.text, "");
  EXPECT_FALSE(o.matched);
  o = m.push("Dxyz");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "");
}

TEST(StopMatcher, IncludedMatchKeepsStopButNothingAfter) {
  StopMatcher m({"END"}, true);
  auto o = m.push("abEND tail");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "abEND");
}

TEST(StopMatcher, FalseStartIsReleased) {
  StopMatcher m({"ENDING"}, false);
  EXPECT_EQ(m.push("x END").text, "x ");
  EXPECT_EQ(m.push("S").text, "ENDS");
  EXPECT_EQ(m.push("EN").text, "");
  EXPECT_EQ(m.flush(), "EN");
}

TEST(StopMatcher, EarliestOfSeveralWins) {
  StopMatcher m({"cd", "b"}, false);
  auto o = m.push("abcd");
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.text, "a");
}

TEST(StopMatcher, NoStopsPassesThrough) {
  StopMatcher m({}, false);
  EXPECT_EQ(m.push("anything").text, "anything");
}

}  // namespace
}  // namespace mynah::engine
