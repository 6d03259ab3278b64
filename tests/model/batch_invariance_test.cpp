// A sequence's logits are the same bits whether it runs alone or inside a batch with seven other
// sequences (some prefilling, some decoding, at other positions), at 1 and 2 threads, for every
// weight type with a kernel: the property that makes seeded sampling reproducible under load.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/model.h"
#include "tiny_llama.h"

namespace mynah::model {
namespace {

using testing::make_tiny_llama;
using testing::TinyLlamaShape;

struct Loaded {
  std::vector<uint8_t> bytes;
  std::unique_ptr<Model> model;
};

Loaded load(gguf::GgmlType type) {
  TinyLlamaShape s;
  s.n_embd = 64;
  s.n_ff = 128;
  s.n_heads = 4;
  s.n_kv_heads = 2;
  s.n_vocab = 50;
  s.matrix_type = type;
  Loaded l;
  l.bytes = make_tiny_llama(s, 7);
  auto f = gguf::GgufFile::parse(l.bytes, "tiny");
  EXPECT_TRUE(f.ok()) << f.error().message;
  auto m = load_model(std::make_shared<gguf::GgufFile>(std::move(f).value()));
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  if (m.ok()) l.model = std::move(m).value();
  return l;
}

std::vector<int32_t> tokens(int n, int salt) {
  std::vector<int32_t> t;
  for (int i = 0; i < n; ++i) t.push_back((i * 7 + salt * 13) % 50);
  return t;
}

// Logits of every position of `prompt`, computed alone in one prefill.
std::vector<float> alone(Model& m, const std::vector<int32_t>& prompt, int threads) {
  util::ThreadPool pool(threads);
  auto cache = m.make_kv_cache(8, 8);
  const std::vector<int32_t> table = {3, 1, 6};
  ForwardBatch b;
  b.block_tables = {table};
  for (size_t i = 0; i < prompt.size(); ++i) b.entries.push_back({0, int32_t(i), prompt[i], true});
  std::vector<float> logits(prompt.size() * m.config().n_vocab);
  EXPECT_TRUE(m.forward(b, cache, pool, logits.data()).ok());
  return logits;
}

// The same prompt as sequence 0 of an 8-sequence batch. Sequences 1-7 first get a history (so
// some of them decode at later positions), then everything runs as one interleaved batch.
std::vector<float> batched(Model& m, const std::vector<int32_t>& prompt, int threads) {
  util::ThreadPool pool(threads);
  constexpr int kSeqs = 8, kBlocksPerSeq = 6;
  auto cache = m.make_kv_cache(kSeqs * kBlocksPerSeq, 8);
  std::vector<std::vector<int32_t>> tables(kSeqs);
  for (int s = 0; s < kSeqs; ++s) {
    for (int b = 0; b < kBlocksPerSeq; ++b) tables[s].push_back((b * kSeqs + s * 5) % (kSeqs * kBlocksPerSeq));
  }
  ForwardBatch b;
  for (auto& t : tables) b.block_tables.push_back(t);
  std::vector<int32_t> history(kSeqs, 0);
  for (int s = 1; s < kSeqs; ++s) {
    history[s] = 3 * s;
    const auto h = tokens(history[s], s);
    for (int i = 0; i < history[s]; ++i) b.entries.push_back({s, i, h[i], false});
  }
  EXPECT_TRUE(m.forward(b, cache, pool, nullptr).ok());
  b.entries.clear();
  const int n = static_cast<int>(prompt.size());
  for (int i = 0; i < n; ++i) {
    for (int s = kSeqs - 1; s >= 1; --s) {
      if (i < s % 4 + 1) b.entries.push_back({s, history[s] + i, (i + s) % 50, s % 2 == 0});
    }
    b.entries.push_back({0, i, prompt[i], true});
  }
  std::vector<float> logits(b.n_logit_rows() * m.config().n_vocab);
  EXPECT_TRUE(m.forward(b, cache, pool, logits.data()).ok());
  // Keep sequence 0's rows, in position order.
  std::vector<float> out;
  size_t row = 0;
  for (const BatchEntry& e : b.entries) {
    if (!e.want_logits) continue;
    if (e.seq_slot == 0) {
      out.insert(out.end(), logits.begin() + row * m.config().n_vocab, logits.begin() + (row + 1) * m.config().n_vocab);
    }
    ++row;
  }
  return out;
}

class BatchInvariance : public ::testing::TestWithParam<gguf::GgmlType> {};

TEST_P(BatchInvariance, AloneEqualsInsideABatchOfEight) {
  Loaded l = load(GetParam());
  ASSERT_TRUE(l.model);
  const std::vector<int32_t> prompt = tokens(19, 0);
  const std::vector<float> want = alone(*l.model, prompt, 1);
  for (int threads : {1, 2}) {
    const std::vector<float> alone_t = alone(*l.model, prompt, threads);
    ASSERT_EQ(std::memcmp(want.data(), alone_t.data(), want.size() * sizeof(float)), 0) << threads << " threads";
    const std::vector<float> got = batched(*l.model, prompt, threads);
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0)
        << "batching changed the sequence's logits at " << threads << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(Types, BatchInvariance,
                         ::testing::Values(gguf::GgmlType::kF32, gguf::GgmlType::kF16, gguf::GgmlType::kQ8_0,
                                           gguf::GgmlType::kQ4_0),
                         [](const auto& param_info) { return std::string(gguf::ggml_type_name(param_info.param)); });

}  // namespace
}  // namespace mynah::model
