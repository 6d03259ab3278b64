// Paged key/value cache storage: one pool of fixed-size blocks per layer. Which block belongs to which
// sequence is decided by the caller (the engine's block allocator) and passed in as block tables.
#pragma once

#include <cstdint>
#include <vector>

namespace mynah::model {

class KvCache {
 public:
  KvCache(int32_t n_layers, int32_t kv_dim, int32_t n_blocks, int32_t block_size);

  int32_t n_blocks() const { return n_blocks_; }
  int32_t block_size() const { return block_size_; }
  int32_t kv_dim() const { return kv_dim_; }
  int64_t total_bytes() const { return static_cast<int64_t>(k_.size() + v_.size()) * sizeof(float); }

  // Copies every layer's keys and values of block `src` into block `dst` (copy-on-write forks).
  void copy_block(int32_t src, int32_t dst);

  // Row of kv_dim floats for (layer, block, offset within block).
  float* k(int32_t layer, int32_t block, int32_t offset) { return k_.data() + index(layer, block, offset); }
  float* v(int32_t layer, int32_t block, int32_t offset) { return v_.data() + index(layer, block, offset); }
  const float* k(int32_t layer, int32_t block, int32_t offset) const { return k_.data() + index(layer, block, offset); }
  const float* v(int32_t layer, int32_t block, int32_t offset) const { return v_.data() + index(layer, block, offset); }

 private:
  int64_t index(int32_t layer, int32_t block, int32_t offset) const {
    return ((static_cast<int64_t>(layer) * n_blocks_ + block) * block_size_ + offset) * kv_dim_;
  }

  int32_t n_layers_, kv_dim_, n_blocks_, block_size_;
  std::vector<float> k_;  // [n_layers][n_blocks][block_size][kv_dim]
  std::vector<float> v_;  // same layout
};

}  // namespace mynah::model
