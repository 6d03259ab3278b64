#include "gguf/metadata.h"

#include <gtest/gtest.h>

namespace mynah::gguf {

TEST(Metadata, IntegerGettersConvertWidthsAndCheckRange) {
  Metadata md;
  md.set("a", Value{int32_t{7}});
  md.set("b", Value{uint64_t{1} << 40});
  md.set("c", Value{int8_t{-1}});
  EXPECT_EQ(*md.get_u32("a"), 7u);
  EXPECT_FALSE(md.get_u32("b").ok());
  EXPECT_EQ(*md.get_u64("b"), uint64_t{1} << 40);
  EXPECT_EQ(*md.get_i64("c"), -1);
  EXPECT_FALSE(md.get_u32("c").ok());
  EXPECT_FALSE(md.get_u32("missing").ok());
}

TEST(Metadata, FindDistinguishesAbsentFromWrongType) {
  Metadata md;
  md.set("s", Value{std::string("x")});
  EXPECT_FALSE(md.find_u32("absent")->has_value());
  EXPECT_FALSE(md.find_u32("s").ok());
  EXPECT_EQ(**md.find_string("s"), "x");
}

TEST(Metadata, KeysKeepInsertionOrder) {
  Metadata md;
  md.set("z", Value{true});
  md.set("a", Value{false});
  ASSERT_EQ(md.keys().size(), 2u);
  EXPECT_EQ(md.keys()[0], "z");
}

}  // namespace mynah::gguf
