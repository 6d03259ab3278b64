// Special-token partitioning. Rather than llama.cpp's one text scan per special token (slow for
// vocabs with thousands of them), all occurrences are found in one trie pass and then claimed in
// token priority order, which yields the same fragments.
#include "tokenizer/special_tokens.h"

#include <algorithm>
#include <map>
#include <string>

namespace mynah::tokenizer {
namespace {

// GGUF carries no per-token rstrip flags, so llama.cpp sets them by general.name; these mirror
// the added_tokens flags of the model's Hugging Face tokenizer.json. (llama.cpp's lstrip presets
// are for BERT-style vocabs only.)
struct StripPreset {
  std::array<std::string_view, 2> name_parts;      // general.name (lower-cased) contains either
  std::array<std::string_view, 3> rstrip_exempt;   // every other special token is rstrip
};
constexpr StripPreset kStripPresets[] = {
    {{"phi-3", "phi3"}, {"<unk>", "<s>", "<|endoftext|>"}},
};

const StripPreset* find_preset(const std::string& model_name) {
  for (const auto& preset : kStripPresets) {
    for (auto part : preset.name_parts) {
      if (model_name.find(part) != std::string::npos) return &preset;
    }
  }
  return nullptr;
}

// C-locale isspace, as llama.cpp uses for lstrip/rstrip.
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Text taken by one accepted match, [begin, end) with any stripped whitespace; begin is the map key.
struct Claim {
  size_t end;
  TokenId id;
};

}  // namespace

SpecialTokens::SpecialTokens(const Vocab& vocab) {
  root_children_.fill(-1);
  for (TokenId id = 0; id < vocab.n_tokens(); ++id) {
    const TokenType type = vocab.type(id);
    const bool special = type == TokenType::kControl || type == TokenType::kUnknown;
    if ((special || type == TokenType::kUserDefined) && !vocab.text(id).empty()) {
      entries_.push_back(Entry{id, static_cast<uint32_t>(vocab.text(id).size()), !special, false});
    }
  }
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.n_bytes > b.n_bytes; });
  const StripPreset* preset = find_preset(vocab.model_name());
  for (uint32_t rank = 0; rank < entries_.size(); ++rank) {
    Entry& e = entries_[rank];
    const std::string& text = vocab.text(e.id);
    if (preset) {
      const auto& exempt = preset->rstrip_exempt;
      e.rstrip = std::find(exempt.begin(), exempt.end(), text) == exempt.end();
    }
    insert(text, rank);
  }
}

void SpecialTokens::insert(std::string_view text, uint32_t rank) {
  int32_t node = root_children_[static_cast<uint8_t>(text[0])];
  if (node < 0) {
    node = static_cast<int32_t>(nodes_.size());
    nodes_.emplace_back();
    root_children_[static_cast<uint8_t>(text[0])] = node;
  }
  for (size_t i = 1; i < text.size(); ++i) {
    const auto byte = static_cast<uint8_t>(text[i]);
    auto& children = nodes_[static_cast<size_t>(node)].children;
    auto it = std::lower_bound(children.begin(), children.end(), std::pair<uint8_t, int32_t>{byte, -1});
    if (it != children.end() && it->first == byte) {
      node = it->second;
      continue;
    }
    const auto child = static_cast<int32_t>(nodes_.size());
    children.insert(it, {byte, child});
    nodes_.emplace_back();  // after the insert: `children` refers into nodes_
    node = child;
  }
  nodes_[static_cast<size_t>(node)].ranks.push_back(rank);
}

std::vector<SpecialTokens::Occurrence> SpecialTokens::find_all(std::string_view text, bool parse_special) const {
  std::vector<Occurrence> found;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    int32_t node = root_children_[static_cast<uint8_t>(text[pos])];
    for (size_t i = pos + 1; node >= 0; ++i) {
      for (uint32_t rank : nodes_[static_cast<size_t>(node)].ranks) {
        if (parse_special || entries_[rank].always) found.push_back(Occurrence{rank, pos});
      }
      if (i == text.size()) break;
      const auto& children = nodes_[static_cast<size_t>(node)].children;
      const auto byte = static_cast<uint8_t>(text[i]);
      auto it = std::lower_bound(children.begin(), children.end(), std::pair<uint8_t, int32_t>{byte, -1});
      node = (it != children.end() && it->first == byte) ? it->second : -1;
    }
  }
  // Claim order: token priority first, then position (found is already in position order).
  std::stable_sort(found.begin(), found.end(),
                   [](const Occurrence& a, const Occurrence& b) { return a.rank < b.rank; });
  return found;
}

std::vector<Fragment> SpecialTokens::partition(std::string_view text, bool parse_special) const {
  std::map<size_t, Claim> claims;  // keyed by begin; claims never overlap
  for (const Occurrence& occ : find_all(text, parse_special)) {
    const Entry& e = entries_[occ.rank];
    const size_t end = occ.pos + e.n_bytes;
    auto next = claims.upper_bound(occ.pos);  // the only claim that could overlap on the right
    if (next != claims.end() && next->first < end) continue;
    if (next != claims.begin() && std::prev(next)->second.end > occ.pos) continue;
    // llama.cpp strips only inside the fragment being split, i.e. up to the next claim.
    const size_t region_end = next == claims.end() ? text.size() : next->first;
    size_t stop = end;
    while (e.rstrip && stop < region_end && is_space(text[stop])) ++stop;
    claims.emplace(occ.pos, Claim{stop, e.id});
  }

  std::vector<Fragment> fragments;
  size_t cursor = 0;
  for (const auto& [begin, claim] : claims) {
    if (begin > cursor) fragments.push_back(Fragment{std::nullopt, cursor, begin - cursor});
    fragments.push_back(Fragment{claim.id, begin, claim.end - begin});
    cursor = claim.end;
  }
  if (cursor < text.size()) fragments.push_back(Fragment{std::nullopt, cursor, text.size() - cursor});
  return fragments;
}

}  // namespace mynah::tokenizer
