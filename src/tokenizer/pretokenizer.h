// PreTokenizer: cuts text into the words a byte-level BPE merges one by one, as a sequence of
// PCRE2 regex splits chosen by tokenizer.ggml.pre (one data row per preset, see pretokenizer_presets.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mynah::tokenizer {

// One row of the preset table: the Hugging Face pre_tokenizer of a model family, written as the
// regexes of its Sequence. Each regex is a Split with behaviour "Isolated" (matches and the text
// between them both become words), applied to every word the previous regex produced; HF's
// Digits, Punctuation and ByteLevel(use_regex) steps are Splits of this kind too.
struct PreTokenizerPreset {
  std::array<std::string_view, 8> names;   // tokenizer.ggml.pre values (names[0] is canonical); "" ends
  std::array<std::string_view, 6> splits;  // regexes, in order; "" ends
  // HF BPE `ignore_merges`: a word that is itself a vocab token is emitted as is (Llama 3).
  bool ignore_merges = false;
  // The tokenizer.json normalizer is NFC: text is normalized before it is split.
  bool nfc = false;
  // Default for tokenizer.ggml.add_bos_token when the GGUF omits it (Llama 3 adds <|begin_of_text|>).
  bool add_bos = false;
};

// The preset for a tokenizer.ggml.pre value, or nullptr when none is known by that name.
const PreTokenizerPreset* find_pre_tokenizer_preset(std::string_view name);
// Every accepted name, comma-separated, for error messages.
std::string known_pre_tokenizer_names();

// A word of pre-tokenized text: bytes [offset, offset + n_bytes) of the input.
struct Span {
  size_t offset;
  size_t n_bytes;
};

class PreTokenizer {
 public:
  // Compiles the preset's regexes (UTF + UCP, JIT when available). Fails only on a preset bug.
  static util::Result<PreTokenizer> create(const PreTokenizerPreset& preset);

  // Appends the words of `text`, in order; they tile `text` exactly and none is empty. Invalid
  // UTF-8 is allowed: no regex item matches it, so it lands in the words between matches.
  // Linear in text.size() for every preset. Thread-safe.
  void split(std::string_view text, std::vector<Span>& out) const;

  const PreTokenizerPreset& preset() const { return *preset_; }

 private:
  struct Regex;  // one compiled pattern (pcre2_code) and its JIT state
  PreTokenizer(const PreTokenizerPreset& preset, std::vector<std::shared_ptr<const Regex>> regexes)
      : preset_(&preset), regexes_(std::move(regexes)) {}

  const PreTokenizerPreset* preset_;                     // points into the static preset table
  std::vector<std::shared_ptr<const Regex>> regexes_;  // shared: copies are cheap and immutable
};

}  // namespace mynah::tokenizer
