// The llama forward pass against a straightforward double-precision reference written here from
// the paper definitions, plus batch invariance and paged-cache independence.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "model/model.h"
#include "tiny_llama.h"

namespace mynah::model {
namespace {

using testing::make_tiny_llama;
using testing::TinyLlamaShape;
using Mat = std::vector<double>;

// Row-major [rows][cols] copy of a GGUF F32 matrix whose ggml dims are {cols, rows}.
Mat load(const gguf::GgufFile& f, const std::string& name) {
  auto bytes = f.tensor_bytes(*f.find_tensor(name));
  Mat out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    float x;
    std::memcpy(&x, bytes.data() + 4 * i, 4);
    out[i] = x;
  }
  return out;
}

// y[r] = sum_c W[r][c] x[c]
std::vector<double> matvec(const Mat& w, const std::vector<double>& x, size_t rows) {
  std::vector<double> y(rows, 0.0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < x.size(); ++c) y[r] += w[r * x.size() + c] * x[c];
  return y;
}

std::vector<double> rmsnorm(const std::vector<double>& x, const Mat& g) {
  double ss = 0;
  for (double v : x) ss += v * v;
  const double s = 1.0 / std::sqrt(ss / x.size() + 1e-5);
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * s * g[i];
  return y;
}

void rope(std::vector<double>& v, int n_heads, int hd, int pos, double base) {
  for (int h = 0; h < n_heads; ++h)
    for (int i = 0; i < hd / 2; ++i) {
      const double theta = pos * std::pow(base, -2.0 * i / hd);
      double& a = v[h * hd + 2 * i];
      double& b = v[h * hd + 2 * i + 1];
      const double a0 = a, b0 = b;
      a = a0 * std::cos(theta) - b0 * std::sin(theta);
      b = a0 * std::sin(theta) + b0 * std::cos(theta);
    }
}

// Logits at every position of `tokens`, recomputing everything without a cache.
std::vector<std::vector<double>> reference_logits(const gguf::GgufFile& f, const TinyLlamaShape& s,
                                                  const std::vector<int32_t>& tokens) {
  const int E = s.n_embd, H = s.n_heads, KVH = s.n_kv_heads, hd = E / H, T = static_cast<int>(tokens.size());
  const Mat embd = load(f, "token_embd.weight");
  std::vector<std::vector<double>> x(T);
  for (int t = 0; t < T; ++t) x[t].assign(embd.begin() + tokens[t] * E, embd.begin() + (tokens[t] + 1) * E);
  for (int l = 0; l < s.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    std::vector<std::vector<double>> q(T), k(T), v(T);
    for (int t = 0; t < T; ++t) {
      auto xn = rmsnorm(x[t], load(f, p + "attn_norm.weight"));
      q[t] = matvec(load(f, p + "attn_q.weight"), xn, E);
      k[t] = matvec(load(f, p + "attn_k.weight"), xn, KVH * hd);
      v[t] = matvec(load(f, p + "attn_v.weight"), xn, KVH * hd);
      rope(q[t], H, hd, t, s.rope_base);
      rope(k[t], KVH, hd, t, s.rope_base);
    }
    for (int t = 0; t < T; ++t) {
      std::vector<double> att(E, 0.0);
      for (int h = 0; h < H; ++h) {
        const int kvh = h / (H / KVH);
        std::vector<double> w(t + 1);
        double max = -1e300, sum = 0;
        for (int u = 0; u <= t; ++u) {
          double d = 0;
          for (int i = 0; i < hd; ++i) d += q[t][h * hd + i] * k[u][kvh * hd + i];
          w[u] = d / std::sqrt(double(hd));
          max = std::max(max, w[u]);
        }
        for (auto& wu : w) sum += (wu = std::exp(wu - max));
        for (int u = 0; u <= t; ++u)
          for (int i = 0; i < hd; ++i) att[h * hd + i] += w[u] / sum * v[u][kvh * hd + i];
      }
      auto o = matvec(load(f, p + "attn_output.weight"), att, E);
      for (int i = 0; i < E; ++i) x[t][i] += o[i];
      auto xn = rmsnorm(x[t], load(f, p + "ffn_norm.weight"));
      auto g = matvec(load(f, p + "ffn_gate.weight"), xn, s.n_ff);
      auto u = matvec(load(f, p + "ffn_up.weight"), xn, s.n_ff);
      for (int i = 0; i < s.n_ff; ++i) g[i] = g[i] / (1 + std::exp(-g[i])) * u[i];
      auto d = matvec(load(f, p + "ffn_down.weight"), g, E);
      for (int i = 0; i < E; ++i) x[t][i] += d[i];
    }
  }
  const Mat out = load(f, s.tied_output ? "token_embd.weight" : "output.weight");
  std::vector<std::vector<double>> logits;
  for (int t = 0; t < T; ++t) logits.push_back(matvec(out, rmsnorm(x[t], load(f, "output_norm.weight")), s.n_vocab));
  return logits;
}

struct Loaded {
  std::vector<uint8_t> bytes;
  std::shared_ptr<gguf::GgufFile> file;
  std::unique_ptr<Model> model;
};

Loaded load_tiny(const TinyLlamaShape& s) {
  Loaded l;
  l.bytes = make_tiny_llama(s);
  auto f = gguf::GgufFile::parse(l.bytes, "tiny");
  EXPECT_TRUE(f.ok()) << f.error().message;
  l.file = std::make_shared<gguf::GgufFile>(std::move(f).value());
  auto m = load_model(l.file);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  l.model = std::move(m).value();
  return l;
}

// Runs `tokens` as one prefill batch with logits for every position; blocks given explicitly.
std::vector<float> run_prefill(Model& m, KvCache& cache, const std::vector<int32_t>& tokens,
                               const std::vector<int32_t>& blocks, util::ThreadPool& pool) {
  ForwardBatch b;
  b.block_tables = {blocks};
  for (size_t i = 0; i < tokens.size(); ++i) b.entries.push_back({0, int32_t(i), tokens[i], true});
  std::vector<float> logits(tokens.size() * m.config().n_vocab);
  auto st = m.forward(b, cache, pool, logits.data());
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return logits;
}

class LlamaReference : public ::testing::TestWithParam<bool> {};

TEST_P(LlamaReference, MatchesReferenceAtEveryPosition) {
  TinyLlamaShape s;
  s.tied_output = GetParam();
  auto l = load_tiny(s);
  const std::vector<int32_t> tokens = {3, 17, 0, 36, 5, 5, 12, 29, 8, 1, 30, 2, 22, 9, 14, 33, 7, 19, 4, 11};
  util::ThreadPool pool(2);
  auto cache = l.model->make_kv_cache(8, 4);
  const auto got = run_prefill(*l.model, cache, tokens, {5, 1, 7, 0, 2}, pool);  // deliberately shuffled blocks
  const auto want = reference_logits(*l.file, s, tokens);
  for (size_t t = 0; t < tokens.size(); ++t)
    for (int v = 0; v < s.n_vocab; ++v)
      ASSERT_NEAR(got[t * s.n_vocab + v], want[t][v], 2e-4) << "position " << t << " vocab " << v;
}

INSTANTIATE_TEST_SUITE_P(TiedAndUntied, LlamaReference, ::testing::Bool());

TEST(Llama, IncrementalDecodeEqualsPrefill) {
  TinyLlamaShape s;
  auto l = load_tiny(s);
  util::ThreadPool pool(2);
  const std::vector<int32_t> tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto c1 = l.model->make_kv_cache(4, 4);
  const auto all = run_prefill(*l.model, c1, tokens, {0, 1, 2}, pool);
  auto c2 = l.model->make_kv_cache(4, 4);
  ForwardBatch b;
  const std::vector<int32_t> table = {2, 0, 3};
  b.block_tables = {table};
  std::vector<float> row(s.n_vocab);
  for (size_t i = 0; i < tokens.size(); ++i) {
    b.entries = {{0, int32_t(i), tokens[i], true}};
    ASSERT_TRUE(l.model->forward(b, c2, pool, row.data()).ok());
    for (int v = 0; v < s.n_vocab; ++v) ASSERT_NEAR(row[v], all[i * s.n_vocab + v], 1e-4);
  }
}

TEST(Llama, SequenceLogitsAreBitIdenticalAloneOrBatched) {
  TinyLlamaShape s;
  auto l = load_tiny(s);
  const std::vector<int32_t> a = {1, 5, 9, 13, 2, 7}, other = {4, 4, 8, 30, 31, 0, 6, 3, 21};
  std::vector<float> alone;
  {
    util::ThreadPool pool(1);
    auto cache = l.model->make_kv_cache(8, 4);
    alone = run_prefill(*l.model, cache, a, {0, 1}, pool);
  }
  util::ThreadPool pool(2);
  auto cache = l.model->make_kv_cache(8, 4);
  ForwardBatch b;
  const std::vector<int32_t> ta = {6, 2}, tb = {0, 1, 3};
  b.block_tables = {ta, tb};
  // Interleave the two sequences' tokens in one batch.
  for (size_t i = 0; i < std::max(a.size(), other.size()); ++i) {
    if (i < other.size()) b.entries.push_back({1, int32_t(i), other[i], false});
    if (i < a.size()) b.entries.push_back({0, int32_t(i), a[i], true});
  }
  std::vector<float> batched(a.size() * s.n_vocab);
  ASSERT_TRUE(l.model->forward(b, cache, pool, batched.data()).ok());
  ASSERT_EQ(std::memcmp(alone.data(), batched.data(), batched.size() * 4), 0) << "batching changed a sequence's logits";
}

TEST(Llama, RejectsBadBatches) {
  TinyLlamaShape s;
  auto l = load_tiny(s);
  util::ThreadPool pool(1);
  auto cache = l.model->make_kv_cache(2, 4);
  ForwardBatch b;
  const std::vector<int32_t> table = {0};
  b.block_tables = {table};
  std::vector<float> out(s.n_vocab);
  b.entries = {{0, 4, 1, true}};  // position beyond the one block
  EXPECT_FALSE(l.model->forward(b, cache, pool, out.data()).ok());
  b.entries = {{0, 0, s.n_vocab, true}};  // token out of range
  EXPECT_FALSE(l.model->forward(b, cache, pool, out.data()).ok());
  b.entries = {{3, 0, 1, true}};  // unknown slot
  EXPECT_FALSE(l.model->forward(b, cache, pool, out.data()).ok());
}

TEST(Llama, ReportsEveryMissingOrMisshapedTensor) {
  TinyLlamaShape s;
  auto bytes = make_tiny_llama(s);
  // Corrupt two tensor names in place so both are reported.
  for (const char* name : {"blk.0.attn_k.weight", "blk.1.ffn_up.weight"}) {
    auto it = std::search(bytes.begin(), bytes.end(), name, name + std::strlen(name));
    ASSERT_NE(it, bytes.end());
    *(it + 4) = 'X';
  }
  auto f = gguf::GgufFile::parse(bytes, "tiny");
  ASSERT_TRUE(f.ok());
  auto m = load_model(std::make_shared<gguf::GgufFile>(std::move(f).value()));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("blk.0.attn_k.weight: missing"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("blk.1.ffn_up.weight: missing"), std::string::npos) << m.error().message;
}

}  // namespace
}  // namespace mynah::model
