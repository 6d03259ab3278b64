#include "model/model_config.h"

#include <gtest/gtest.h>

namespace mynah::model {
namespace {

gguf::Metadata base() {
  gguf::Metadata md;
  md.set("general.architecture", gguf::Value{std::string("llama")});
  md.set("llama.embedding_length", gguf::Value{uint32_t{64}});
  md.set("llama.block_count", gguf::Value{uint32_t{2}});
  md.set("llama.feed_forward_length", gguf::Value{uint32_t{128}});
  md.set("llama.attention.head_count", gguf::Value{uint32_t{8}});
  md.set("llama.context_length", gguf::Value{uint32_t{256}});
  return md;
}

TEST(ModelConfig, DefaultsFollowLlamaCpp) {
  auto c = ModelConfig::from_metadata(base());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->n_kv_heads, 8);
  EXPECT_EQ(c->head_dim, 8);
  EXPECT_EQ(c->rope_dim, 8);
  EXPECT_FLOAT_EQ(c->rope_freq_base, 10000.0f);
  EXPECT_EQ(c->rope_scaling, RopeScaling::kNone);
}

TEST(ModelConfig, ReadsRopeScaling) {
  auto md = base();
  md.set("llama.rope.scaling.type", gguf::Value{std::string("linear")});
  md.set("llama.rope.scaling.factor", gguf::Value{4.0f});
  auto c = ModelConfig::from_metadata(md);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->rope_scaling, RopeScaling::kLinear);
  EXPECT_FLOAT_EQ(c->rope_scaling_factor, 4.0f);
  md.set("llama.rope.scaling.type", gguf::Value{std::string("longrope")});
  EXPECT_NE(ModelConfig::from_metadata(md).error().message.find("longrope"), std::string::npos);
}

TEST(ModelConfig, ErrorsNameTheKey) {
  auto md = base();
  md.set("llama.attention.head_count_kv", gguf::Value{uint32_t{3}});
  EXPECT_NE(ModelConfig::from_metadata(md).error().message.find("key/value head count 3"), std::string::npos);
  gguf::Metadata missing = base();
  gguf::Metadata md2;
  for (const auto& k : missing.keys())
    if (k != "llama.block_count") md2.set(k, *missing.find(k));
  EXPECT_NE(ModelConfig::from_metadata(md2).error().message.find("llama.block_count"), std::string::npos);
  md.set("llama.embedding_length", gguf::Value{std::string("big")});
  EXPECT_FALSE(ModelConfig::from_metadata(md).ok());
}

}  // namespace
}  // namespace mynah::model
