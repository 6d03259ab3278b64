// stories260K greedy decoding reproduces llama.cpp's and llama2.c's 64 reference tokens
// (../shared/models/README.md), including positions past 128 over a long greedy run.
#include <gtest/gtest.h>

#include "model/model.h"
#include "sampling/sampler_chain.h"

namespace mynah::model {
namespace {

std::vector<int32_t> greedy(Model& m, const std::vector<int32_t>& prompt, int n, int threads) {
  util::ThreadPool pool(threads);
  auto cache = m.make_kv_cache(32, 16);
  std::vector<int32_t> table(32);
  for (int i = 0; i < 32; ++i) table[i] = i;
  ForwardBatch b;
  b.block_tables = {table};
  for (size_t i = 0; i < prompt.size(); ++i) b.entries.push_back({0, int32_t(i), prompt[i], i + 1 == prompt.size()});
  std::vector<float> logits(m.config().n_vocab);
  EXPECT_TRUE(m.forward(b, cache, pool, logits.data()).ok());
  std::vector<int32_t> out;
  int32_t pos = static_cast<int32_t>(prompt.size());
  for (int i = 0; i < n; ++i) {
    out.push_back(sampling::argmax(logits));
    b.entries = {{0, pos++, out.back(), true}};
    EXPECT_TRUE(m.forward(b, cache, pool, logits.data()).ok());
  }
  return out;
}

TEST(StoriesGolden, GreedyMatchesLlamaCppReference) {
  auto f = gguf::GgufFile::open(std::string(MYNAH_SOURCE_ROOT) + "/models/stories260K.gguf");
  ASSERT_TRUE(f.ok()) << f.error().message;
  auto m = load_model(std::make_shared<gguf::GgufFile>(std::move(f).value()));
  ASSERT_TRUE(m.ok()) << m.error().message;
  const std::vector<int32_t> expected = {
      432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337,
      410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394,
      261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432,
      398, 312, 286, 267, 414, 270, 333, 415, 426, 13,  438, 310, 439, 419, 357, 336};
  for (int threads : {1, 2}) {
    EXPECT_EQ(greedy(**m, {1, 403, 407, 261, 378}, 64, threads), expected) << threads << " threads";
  }
}

}  // namespace
}  // namespace mynah::model
