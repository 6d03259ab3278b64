// KvCache: zero-initialised so a bug that reads an unwritten slot is deterministic, not garbage.
#include "model/kv_cache.h"

#include <cstddef>

namespace mynah::model {

KvCache::KvCache(int32_t n_layers, int32_t kv_dim, int32_t n_blocks, int32_t block_size)
    : n_layers_(n_layers), kv_dim_(kv_dim), n_blocks_(n_blocks), block_size_(block_size) {
  const size_t n = static_cast<size_t>(n_layers) * n_blocks * block_size * kv_dim;
  k_.assign(n, 0.0f);
  v_.assign(n, 0.0f);
}

}  // namespace mynah::model
