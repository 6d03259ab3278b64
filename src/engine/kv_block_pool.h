// KvBlockPool: reference-counted allocation of KV cache blocks, with a prefix cache: a full block is
// content-addressed by the hash of every token up to and including it, and stays reusable after its
// last user releases it until the allocator needs the space (least recently released first).
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace mynah::engine {

class KvBlockPool {
 public:
  KvBlockPool(int32_t n_blocks, int32_t block_size);

  int32_t n_blocks() const { return static_cast<int32_t>(blocks_.size()); }
  int32_t block_size() const { return block_size_; }
  // Blocks held by at least one sequence.
  int32_t n_used() const { return n_used_; }
  // Blocks that allocate() can hand out (unused, whether or not they hold cached content).
  int32_t n_available() const { return n_blocks() - n_used_; }

  // A fresh block with refcount 1; evicts the least recently released cached block if needed.
  std::optional<int32_t> allocate();
  void retain(int32_t block);
  void release(int32_t block);
  int32_t ref_count(int32_t block) const { return blocks_[block].refs; }

  // Hash chaining: the key of a block depends on every token before it.
  static uint64_t chain_hash(uint64_t parent, std::span<const int32_t> tokens);
  // Records that `block` holds exactly `tokens` (a full block) after the prefix hashed as `parent`.
  void publish(int32_t block, uint64_t parent, std::span<const int32_t> tokens);
  // The cached block for these tokens after `parent`, retained for the caller; nullopt on a miss.
  std::optional<int32_t> lookup(uint64_t parent, std::span<const int32_t> tokens);

 private:
  struct Block {
    int32_t refs = 0;
    bool published = false;
    uint64_t hash = 0;
    uint64_t parent = 0;
    std::vector<int32_t> tokens;  // content of a published block, to rule out hash collisions
    std::list<int32_t>::iterator lru_pos;
    bool in_lru = false;
  };
  void unpublish(int32_t block);

  int32_t block_size_;
  int32_t n_used_ = 0;
  std::vector<Block> blocks_;
  std::vector<int32_t> free_;                  // never used or evicted: no content worth keeping
  std::list<int32_t> lru_;                     // released published blocks, oldest first
  std::unordered_map<uint64_t, int32_t> by_hash_;
};

}  // namespace mynah::engine
