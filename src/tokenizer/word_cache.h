// WordCache: the ids of words already merged, shared by every thread using one tokenizer. Locks
// are only tried, never waited for, so contention costs a re-merge, never a stall (as in HF's BPE
// cache), and are taken once per fragment rather than once per word.
#pragma once

#include <cstddef>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/vocab.h"

namespace mynah::tokenizer {

class WordCache {
 public:
  // Holds at most `capacity` words; once full it keeps what it has (no eviction bookkeeping on
  // the hot path: the first words seen are the frequent ones in practice).
  explicit WordCache(size_t capacity) : capacity_(capacity) {}

  // One fragment's use of the cache: a shared lock held across all its lookups, and the words it
  // had to merge, which later lookups in the batch also find and commit() inserts together (or
  // drops, if the lock is busy then).
  class Batch {
   public:
    explicit Batch(WordCache& cache) : cache_(cache), lock_(cache.mutex_, std::try_to_lock) {}
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    // Appends the ids known for `word` to `out`; false when absent (or the lock was busy).
    bool lookup(std::string_view word, std::vector<TokenId>& out) const;
    // Remembers that `word` (which must outlive the batch) became out[first, end).
    void add(std::string_view word, size_t first, size_t end) { pending_.try_emplace(word, Range{first, end}); }
    // Inserts the remembered words; `out` is the vector their ids were appended to.
    void commit(const std::vector<TokenId>& out);

   private:
    struct Range {
      size_t first;
      size_t end;
    };
    WordCache& cache_;
    std::shared_lock<std::shared_mutex> lock_;
    std::unordered_map<std::string_view, Range> pending_;  // indices into the caller's `out`
  };

 private:
  struct Hash {
    using is_transparent = void;  // look up by string_view without building a std::string
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const size_t capacity_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::vector<TokenId>, Hash, std::equal_to<>> map_;
};

}  // namespace mynah::tokenizer
