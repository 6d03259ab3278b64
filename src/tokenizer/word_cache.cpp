// WordCache batches: lookups under one shared lock, inserts under one exclusive try-lock.
#include "tokenizer/word_cache.h"

#include <mutex>

namespace mynah::tokenizer {

bool WordCache::Batch::lookup(std::string_view word, std::vector<TokenId>& out) const {
  if (lock_.owns_lock()) {
    auto it = cache_.map_.find(word);
    if (it != cache_.map_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return true;
    }
  }
  auto it = pending_.find(word);
  if (it == pending_.end()) return false;
  // Copy by index: the source range lives in `out` itself, which may reallocate as it grows.
  for (size_t i = it->second.first; i < it->second.end; ++i) out.push_back(out[i]);
  return true;
}

void WordCache::Batch::commit(const std::vector<TokenId>& out) {
  if (lock_.owns_lock()) lock_.unlock();
  if (pending_.empty()) return;
  std::unique_lock lock(cache_.mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  for (const auto& [word, range] : pending_) {
    if (cache_.map_.size() >= cache_.capacity_) break;
    cache_.map_.try_emplace(std::string(word), out.begin() + static_cast<ptrdiff_t>(range.first),
                            out.begin() + static_cast<ptrdiff_t>(range.end));
  }
  pending_.clear();
}

}  // namespace mynah::tokenizer
