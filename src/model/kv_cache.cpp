// KvCache: zero-initialised so a bug that reads an unwritten slot is deterministic, not garbage.
#include "model/kv_cache.h"

#include <algorithm>
#include <cstddef>

namespace mynah::model {

KvCache::KvCache(int32_t n_layers, int32_t kv_dim, int32_t n_blocks, int32_t block_size)
    : n_layers_(n_layers), kv_dim_(kv_dim), n_blocks_(n_blocks), block_size_(block_size) {
  const size_t n = static_cast<size_t>(n_layers) * n_blocks * block_size * kv_dim;
  k_.assign(n, 0.0f);
  v_.assign(n, 0.0f);
}

void KvCache::copy_block(int32_t src, int32_t dst) {
  const int64_t n = static_cast<int64_t>(block_size_) * kv_dim_;
  for (int32_t l = 0; l < n_layers_; ++l) {
    std::copy_n(k(l, src, 0), n, k(l, dst, 0));
    std::copy_n(v(l, src, 0), n, v(l, dst, 0));
  }
}

}  // namespace mynah::model
