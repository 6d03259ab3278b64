// KvBlockPool: free list first, then LRU eviction of cached blocks.
#include "engine/kv_block_pool.h"

#include <algorithm>

namespace mynah::engine {

KvBlockPool::KvBlockPool(int32_t n_blocks, int32_t block_size) : block_size_(block_size), blocks_(n_blocks) {
  free_.reserve(n_blocks);
  for (int32_t b = n_blocks - 1; b >= 0; --b) free_.push_back(b);
}

std::optional<int32_t> KvBlockPool::allocate() {
  int32_t b;
  if (!free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else if (!lru_.empty()) {
    b = lru_.front();
    lru_.pop_front();
    blocks_[b].in_lru = false;
    unpublish(b);
  } else {
    return std::nullopt;
  }
  blocks_[b].refs = 1;
  ++n_used_;
  return b;
}

void KvBlockPool::retain(int32_t block) {
  Block& b = blocks_[block];
  if (b.refs == 0) {
    if (b.in_lru) {
      lru_.erase(b.lru_pos);
      b.in_lru = false;
    }
    ++n_used_;
  }
  ++b.refs;
}

void KvBlockPool::release(int32_t block) {
  Block& b = blocks_[block];
  if (--b.refs > 0) return;
  --n_used_;
  if (b.published) {
    b.lru_pos = lru_.insert(lru_.end(), block);
    b.in_lru = true;
  } else {
    free_.push_back(block);
  }
}

uint64_t KvBlockPool::chain_hash(uint64_t parent, std::span<const int32_t> tokens) {
  // FNV-1a over the parent hash and the token ids, then a final avalanche (splitmix64's).
  uint64_t h = 0xcbf29ce484222325ull ^ parent;
  for (int32_t t : tokens) {
    h ^= static_cast<uint32_t>(t);
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

void KvBlockPool::publish(int32_t block, uint64_t parent, std::span<const int32_t> tokens) {
  Block& b = blocks_[block];
  const uint64_t h = chain_hash(parent, tokens);
  if (b.published) return;
  if (by_hash_.count(h)) return;  // an identical block is already cached; keep the first
  b.published = true;
  b.hash = h;
  b.parent = parent;
  b.tokens.assign(tokens.begin(), tokens.end());
  by_hash_.emplace(h, block);
}

std::optional<int32_t> KvBlockPool::lookup(uint64_t parent, std::span<const int32_t> tokens) {
  auto it = by_hash_.find(chain_hash(parent, tokens));
  if (it == by_hash_.end()) return std::nullopt;
  const Block& b = blocks_[it->second];
  if (b.parent != parent || !std::equal(tokens.begin(), tokens.end(), b.tokens.begin(), b.tokens.end())) {
    return std::nullopt;
  }
  retain(it->second);
  return it->second;
}

void KvBlockPool::unpublish(int32_t block) {
  Block& b = blocks_[block];
  if (!b.published) return;
  by_hash_.erase(b.hash);
  b.published = false;
  b.tokens.clear();
}

}  // namespace mynah::engine
