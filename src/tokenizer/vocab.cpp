// Vocab loading: reads the tokenizer.ggml.* keys, checks them against each other and collects
// every problem before failing, so a broken converter output is diagnosed in one run.
#include "tokenizer/vocab.h"

#include <array>
#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace mynah::tokenizer {

namespace {

constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";
constexpr std::string_view kScoresKey = "tokenizer.ggml.scores";
constexpr std::string_view kTypesKey = "tokenizer.ggml.token_type";

// Describes up to three offending indices plus a total, so a 32k-entry array never floods the log.
class IndexList {
 public:
  void add(size_t idx) {
    if (n_ < 3) shown_ += fmt::format("{}{}", n_ ? ", " : "", idx);
    ++n_;
  }
  bool empty() const { return n_ == 0; }
  std::string describe() const { return n_ <= 3 ? shown_ : fmt::format("{} and {} more", shown_, n_ - 3); }

 private:
  std::string shown_;
  size_t n_ = 0;
};

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// "<0xNN>" with two hex digits (either case).
bool is_byte_token_text(std::string_view text) {
  return text.size() == 6 && text.substr(0, 3) == "<0x" && is_hex(text[3]) && is_hex(text[4]) && text[5] == '>';
}

// Where a FIM id comes from: its metadata key, an older key some converters wrote, and the texts
// it has in the families that use it (llama.cpp's lists).
struct FimSource {
  std::optional<TokenId> FimIds::*field;
  std::string_view key;
  std::string_view legacy_key;
  std::array<std::string_view, 6> texts;
};
const FimSource kFimSources[] = {
    {&FimIds::pre, "tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id",
     {"<|fim_prefix|>", "<fim-prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>", "<fim_prefix>",
      "<PRE>", "\xE2\x96\x81<PRE>"}},
    {&FimIds::suf, "tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id",
     {"<|fim_suffix|>", "<fim-suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "hole\xEF\xBD\x9C>", "<fim_suffix>",
      "<SUF>", "\xE2\x96\x81<SUF>"}},
    {&FimIds::mid, "tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id",
     {"<|fim_middle|>", "<fim-middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>", "<fim_middle>",
      "<MID>", "\xE2\x96\x81<MID>"}},
    {&FimIds::pad, "tokenizer.ggml.fim_pad_token_id", "", {"<|fim_pad|>", "<fim-pad>", "<fim_pad>"}},
    {&FimIds::rep, "tokenizer.ggml.fim_rep_token_id", "",
     {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPOSITORY>", "<reponame>", "<repo_name>"}},
    {&FimIds::sep, "tokenizer.ggml.fim_sep_token_id", "", {"<|file_sep|>", "<file_sep>", "<|file_separator|>"}},
};

}  // namespace

// Builds a Vocab key by key; each step appends to problems_ instead of returning early where the
// remaining keys can still be checked.
class VocabLoader {
 public:
  VocabLoader(const gguf::Metadata& metadata, const VocabDefaults& defaults) : md_(metadata), defaults_(defaults) {}

  util::Result<Vocab> load() {
    if (!load_texts()) return finish();
    load_scores();
    load_types();
    load_special_ids();
    load_fim_ids();
    load_flags();
    load_name();
    return finish();
  }

 private:
  bool load_texts() {
    auto texts = md_.get_string_array(kTokensKey);
    if (!texts) return fail(texts.error().message);
    if (texts->empty()) return fail(fmt::format("metadata key '{}' is an empty array", kTokensKey));
    if (texts->size() > static_cast<size_t>(std::numeric_limits<TokenId>::max())) {
      return fail(fmt::format("metadata key '{}' has {} entries, more than 32-bit ids allow", kTokensKey,
                              texts->size()));
    }
    vocab_.texts_ = std::move(*texts);
    return true;
  }

  size_t n() const { return vocab_.texts_.size(); }

  bool check_length(std::string_view key, size_t size) {
    if (size == n()) return true;
    return fail(fmt::format("metadata key '{}' has {} entries but '{}' has {}", key, size, kTokensKey, n()));
  }

  void load_scores() {
    vocab_.scores_.assign(n(), 0.0f);
    if (!md_.contains(kScoresKey)) {
      if (defaults_.requires_scores) problem(fmt::format("metadata key '{}' is missing", kScoresKey));
      return;
    }
    auto scores = md_.get_f32_array(kScoresKey);
    if (!scores) return problem(scores.error().message);
    if (!check_length(kScoresKey, scores->size())) return;
    // A NaN breaks the strict ordering the merge queue relies on.
    IndexList nan_idx;
    for (size_t i = 0; i < n(); ++i) {
      if (std::isnan((*scores)[i])) nan_idx.add(i);
    }
    if (!nan_idx.empty()) problem(fmt::format("metadata key '{}': NaN at index {}", kScoresKey, nan_idx.describe()));
    vocab_.scores_ = std::move(*scores);
  }

  void load_types() {
    vocab_.types_.assign(n(), TokenType::kNormal);
    auto types = md_.get_i32_array(kTypesKey);
    if (!types) return problem(types.error().message);
    if (!check_length(kTypesKey, types->size())) return;
    IndexList bad_type, bad_byte;
    for (size_t i = 0; i < n(); ++i) {
      const int32_t t = (*types)[i];
      if (t < static_cast<int32_t>(TokenType::kNormal) || t > static_cast<int32_t>(TokenType::kByte)) {
        bad_type.add(i);
        continue;
      }
      vocab_.types_[i] = static_cast<TokenType>(t);
      if (vocab_.types_[i] == TokenType::kByte && !is_byte_token_text(vocab_.texts_[i])) bad_byte.add(i);
    }
    if (!bad_type.empty()) {
      problem(fmt::format("metadata key '{}': value outside 1..6 at index {}", kTypesKey, bad_type.describe()));
    }
    if (!bad_byte.empty()) {
      problem(fmt::format("metadata key '{}': BYTE token whose text is not <0xNN> at index {}", kTypesKey,
                          bad_byte.describe()));
    }
  }

  std::optional<TokenId> load_id(std::string_view key) {
    auto id = md_.find_u32(key);
    if (!id) {
      problem(id.error().message);
      return std::nullopt;
    }
    if (!id->has_value()) return std::nullopt;
    if (**id >= n()) {
      problem(fmt::format("metadata key '{}': id {} is out of range (vocab has {} tokens)", key, **id, n()));
      return std::nullopt;
    }
    return static_cast<TokenId>(**id);
  }

  void load_special_ids() {
    vocab_.bos_ = load_id("tokenizer.ggml.bos_token_id");
    vocab_.eos_ = load_id("tokenizer.ggml.eos_token_id");
    vocab_.unk_ = load_id("tokenizer.ggml.unknown_token_id");
    vocab_.pad_ = load_id("tokenizer.ggml.padding_token_id");
    vocab_.eot_ = load_id("tokenizer.ggml.eot_token_id");
  }

  void load_fim_ids() {
    for (const FimSource& source : kFimSources) {
      std::optional<TokenId> id = load_id(source.key);
      if (!id && !source.legacy_key.empty()) id = load_id(source.legacy_key);
      vocab_.fim_.*source.field = id;
    }
  }

  // Fills FIM ids the metadata left out from their texts; needs the index, so runs in finish().
  void find_fim_texts() {
    for (const FimSource& source : kFimSources) {
      std::optional<TokenId>& id = vocab_.fim_.*source.field;
      for (size_t i = 0; !id && i < source.texts.size() && !source.texts[i].empty(); ++i) {
        auto found = vocab_.find(source.texts[i]);
        const TokenType type = found ? vocab_.type(*found) : TokenType::kNormal;
        if (type == TokenType::kControl || type == TokenType::kUserDefined) id = found;
      }
    }
  }

  bool load_flag(std::string_view key, bool fallback) {
    auto flag = md_.find_bool(key);
    if (flag) return flag->value_or(fallback);
    problem(flag.error().message);
    return fallback;
  }

  void load_flags() {
    const bool bos_known = vocab_.bos_.has_value();
    vocab_.add_bos_ = load_flag("tokenizer.ggml.add_bos_token", defaults_.add_bos && bos_known);
    vocab_.add_eos_ = load_flag("tokenizer.ggml.add_eos_token", false);
    vocab_.add_space_prefix_ = load_flag("tokenizer.ggml.add_space_prefix", defaults_.add_space_prefix);
    if (vocab_.add_bos_ && !bos_known) {
      problem("tokenizer.ggml.add_bos_token is true but tokenizer.ggml.bos_token_id is not set");
    }
    if (vocab_.add_eos_ && !vocab_.eos_) {
      problem("tokenizer.ggml.add_eos_token is true but tokenizer.ggml.eos_token_id is not set");
    }
  }

  void load_name() {
    auto name = md_.find_string("general.name");
    if (!name) return problem(name.error().message);
    for (char c : name->value_or("")) {
      vocab_.model_name_ += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }

  util::Result<Vocab> finish() {
    if (!problems_.empty()) {
      std::string all = problems_[0];
      for (size_t i = 1; i < problems_.size(); ++i) all += "; " + problems_[i];
      return util::Error{std::move(all)};
    }
    vocab_.index_.reserve(n());
    for (size_t i = 0; i < n(); ++i) {
      if (!vocab_.texts_[i].empty()) vocab_.index_[vocab_.texts_[i]] = static_cast<TokenId>(i);
    }
    find_fim_texts();
    return std::move(vocab_);
  }

  void problem(std::string message) { problems_.push_back(std::move(message)); }
  bool fail(std::string message) {
    problem(std::move(message));
    return false;
  }

  const gguf::Metadata& md_;
  VocabDefaults defaults_;
  Vocab vocab_;
  std::vector<std::string> problems_;
};

util::Result<Vocab> Vocab::from_metadata(const gguf::Metadata& metadata, const VocabDefaults& defaults) {
  return VocabLoader(metadata, defaults).load();
}

std::optional<TokenId> Vocab::find(std::string_view text) const {
  auto it = index_.find(text);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

uint8_t Vocab::byte_value(std::string_view byte_token_text) {
  auto nibble = [](char c) -> uint8_t {
    if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
    return static_cast<uint8_t>(std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
  };
  MYNAH_DCHECK(is_byte_token_text(byte_token_text));
  return static_cast<uint8_t>(nibble(byte_token_text[3]) << 4 | nibble(byte_token_text[4]));
}

}  // namespace mynah::tokenizer
