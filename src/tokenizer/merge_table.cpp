// MergeTable loading: one pass over tokenizer.ggml.merges, collecting every bad line before failing.
#include "tokenizer/merge_table.h"

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace mynah::tokenizer {
namespace {

constexpr std::string_view kMergesKey = "tokenizer.ggml.merges";

// Up to three offending lines plus a total, so a broken 280k-line array never floods the log.
class LineList {
 public:
  void add(size_t idx, std::string_view line) {
    if (n_ < 3) shown_ += fmt::format("{}{} '{}'", n_ ? ", " : "", idx, line);
    ++n_;
  }
  bool empty() const { return n_ == 0; }
  std::string describe() const { return n_ <= 3 ? shown_ : fmt::format("{} and {} more", shown_, n_ - 3); }

 private:
  std::string shown_;
  size_t n_ = 0;
};

}  // namespace

MergeTable::MergeTable(size_t n_expected) {
  size_t capacity = 16;
  int bits = 4;
  while (capacity < 2 * n_expected) {
    capacity *= 2;
    ++bits;
  }
  slots_.assign(capacity, Slot{kEmpty, Merge{0, 0}});
  mask_ = capacity - 1;
  shift_ = 64 - bits;
}

void MergeTable::insert(TokenId left, TokenId right, Merge merge) {
  const uint64_t key = pack(left, right);
  for (size_t slot = hash(key);; slot = (slot + 1) & mask_) {
    Slot& s = slots_[slot];
    if (s.key == key) {  // Hugging Face collects merges into a map, so the last line wins
      s.merge = merge;
      return;
    }
    if (s.key == kEmpty) {
      s = Slot{key, merge};
      ++n_merges_;
      return;
    }
  }
}

util::Result<MergeTable> MergeTable::from_metadata(const gguf::Metadata& metadata, const Vocab& vocab) {
  auto lines = metadata.get_string_array(kMergesKey);
  if (!lines) return lines.take_error();
  if (lines->size() > static_cast<size_t>(INT32_MAX)) {
    return util::make_error("metadata key '{}' has {} entries, more than 32-bit ranks allow", kMergesKey,
                            lines->size());
  }
  MergeTable table(lines->size());
  LineList malformed, unknown;
  std::string joined;
  for (size_t rank = 0; rank < lines->size(); ++rank) {
    const std::string& line = (*lines)[rank];
    const size_t space = line.find(' ', 1);
    if (space == std::string::npos || space + 1 == line.size() || line.find(' ', space + 1) != std::string::npos) {
      malformed.add(rank, line);
      continue;
    }
    const std::string_view left(line.data(), space);
    const std::string_view right(line.data() + space + 1, line.size() - space - 1);
    joined.assign(left).append(right);
    auto left_id = vocab.find(left);
    auto right_id = vocab.find(right);
    auto merged_id = vocab.find(joined);
    if (!left_id || !right_id || !merged_id) {
      unknown.add(rank, line);
      continue;
    }
    table.insert(*left_id, *right_id, Merge{static_cast<int32_t>(rank), *merged_id});
  }
  std::string problems;
  if (!malformed.empty()) {
    problems = fmt::format("metadata key '{}': not two space-separated tokens at index {}", kMergesKey,
                           malformed.describe());
  }
  if (!unknown.empty()) {
    problems += fmt::format("{}metadata key '{}': merge of tokens missing from the vocab at index {}",
                            problems.empty() ? "" : "; ", kMergesKey, unknown.describe());
  }
  if (!problems.empty()) return util::Error{std::move(problems)};
  return table;
}

}  // namespace mynah::tokenizer
