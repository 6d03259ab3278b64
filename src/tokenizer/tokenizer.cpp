// Tokenizer pipeline: the model table (one row per tokenizer.ggml.model), special-token split,
// BOS, and decoding through a per-token piece cache built once at load.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "tokenizer/byte_level_bpe.h"
#include "tokenizer/model_stage.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/spm_bpe.h"

namespace mynah::tokenizer {
namespace {

// `preset` is the resolved pre-tokenizer for models that use one, else nullptr.
using StageFactory = util::Result<std::unique_ptr<ModelStage>> (*)(const gguf::Metadata&, std::shared_ptr<const Vocab>,
                                                                   const PreTokenizerPreset* preset);

util::Result<std::unique_ptr<ModelStage>> make_spm_bpe(const gguf::Metadata&, std::shared_ptr<const Vocab> vocab,
                                                       const PreTokenizerPreset*) {
  auto stage = SpmBpe::create(std::move(vocab));
  if (!stage) return stage.take_error();
  return std::unique_ptr<ModelStage>(std::move(*stage));
}

util::Result<std::unique_ptr<ModelStage>> make_byte_level_bpe(const gguf::Metadata& md,
                                                              std::shared_ptr<const Vocab> vocab,
                                                              const PreTokenizerPreset* preset) {
  auto stage = ByteLevelBpe::create(md, std::move(vocab), *preset);
  if (!stage) return stage.take_error();
  return std::unique_ptr<ModelStage>(std::move(*stage));
}

// One row per supported tokenizer.ggml.model value.
struct ModelEntry {
  std::string_view name;
  VocabDefaults defaults;
  bool uses_pre_tokenizer;  // resolve tokenizer.ggml.pre (or TokenizerOptions::pre_tokenizer)
  StageFactory make;
};
constexpr ModelEntry kModels[] = {
    {"llama", VocabDefaults{.add_space_prefix = true, .add_bos = true, .requires_scores = true}, false, &make_spm_bpe},
    {"gpt2", VocabDefaults{}, true, &make_byte_level_bpe},
};

// The preset named by the override, else by tokenizer.ggml.pre, else "default" (llama.cpp's rule
// for GGUFs converted before the key existed, such as GPT-NeoX's).
util::Result<const PreTokenizerPreset*> resolve_pre_tokenizer(const gguf::Metadata& md, const TokenizerOptions& options) {
  std::string name = options.pre_tokenizer;
  std::string_view origin = "TokenizerOptions::pre_tokenizer (--tokenizer-pre)";
  if (name.empty()) {
    auto pre = md.find_string("tokenizer.ggml.pre");
    if (!pre) return pre.take_error();
    name = pre->value_or("default");
    origin = "tokenizer.ggml.pre";
  }
  if (const PreTokenizerPreset* preset = find_pre_tokenizer_preset(name)) return preset;
  const bool from_metadata = options.pre_tokenizer.empty();
  return util::make_error("unknown pre-tokenizer \"{}\" from {} (known: {}){}", name, origin,
                          known_pre_tokenizer_names(),
                          from_metadata ? "; to force one, set TokenizerOptions::pre_tokenizer "
                                          "(mynah tokenize --tokenizer-pre NAME)"
                                        : "");
}

// CONTROL token texts that end a turn although their id is neither eos nor eot (llama.cpp's list).
constexpr std::array<std::string_view, 8> kEndOfTurnTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "<|end_of_text|>",
};

const ModelEntry* find_model(std::string_view name) {
  for (const auto& entry : kModels) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::string supported_models() {
  std::string out;
  for (const auto& entry : kModels) out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", entry.name);
  return out;
}

const std::string& empty_string() {
  static const std::string kEmpty;
  return kEmpty;
}

}  // namespace

struct Tokenizer::State {
  State(std::shared_ptr<const Vocab> v, std::shared_ptr<const ModelStage> m)
      : vocab(std::move(v)), model(std::move(m)), special(*vocab) {}

  std::shared_ptr<const Vocab> vocab;
  std::shared_ptr<const ModelStage> model;
  SpecialTokens special;
  std::vector<std::string> pieces;  // [n_vocab] token_to_piece, precomputed
  std::vector<TokenId> eog_ids;     // sorted

  void build_pieces() {
    pieces.resize(static_cast<size_t>(vocab->n_tokens()));
    for (TokenId id = 0; id < vocab->n_tokens(); ++id) {
      const std::string& text = vocab->text(id);
      std::string& piece = pieces[static_cast<size_t>(id)];
      switch (vocab->type(id)) {
        case TokenType::kNormal: piece = model->normal_piece(text); break;
        case TokenType::kByte: piece = std::string(1, static_cast<char>(Vocab::byte_value(text))); break;
        case TokenType::kUserDefined: piece = text; break;
        case TokenType::kControl:
        case TokenType::kUnknown:
        case TokenType::kUnused: break;
      }
    }
  }

  void build_eog() {
    // llama.cpp also ends generation on the FIM pad/repo/separator tokens: a FIM model emits them
    // after the middle it was asked for.
    const FimIds& fim = vocab->fim();
    for (auto id : {vocab->eos(), vocab->eot(), fim.pad, fim.rep, fim.sep}) {
      if (id) eog_ids.push_back(*id);
    }
    for (TokenId id = 0; id < vocab->n_tokens(); ++id) {
      if (vocab->type(id) != TokenType::kControl) continue;
      const auto& texts = kEndOfTurnTexts;
      if (std::find(texts.begin(), texts.end(), vocab->text(id)) != texts.end()) eog_ids.push_back(id);
    }
    std::sort(eog_ids.begin(), eog_ids.end());
    eog_ids.erase(std::unique(eog_ids.begin(), eog_ids.end()), eog_ids.end());
  }
};

util::Result<Tokenizer> Tokenizer::from_gguf(const gguf::GgufFile& file, const TokenizerOptions& options) {
  const gguf::Metadata& md = file.metadata();
  auto fail = [&](std::string_view message) {
    return util::make_error("{}: tokenizer: {}", file.source_name(), message);
  };
  auto model_name = md.get_string("tokenizer.ggml.model");
  if (!model_name) return fail(model_name.error().message);
  const ModelEntry* entry = find_model(*model_name);
  if (!entry) {
    return fail(
        fmt::format("unsupported tokenizer.ggml.model \"{}\" (supported: {})", *model_name, supported_models()));
  }
  VocabDefaults defaults = entry->defaults;
  const PreTokenizerPreset* preset = nullptr;
  if (entry->uses_pre_tokenizer) {
    auto resolved = resolve_pre_tokenizer(md, options);
    if (!resolved) return fail(resolved.error().message);
    preset = *resolved;
    defaults.add_bos = defaults.add_bos || preset->add_bos;
  }
  auto vocab = Vocab::from_metadata(md, defaults);
  if (!vocab) return fail(vocab.error().message);
  auto shared_vocab = std::make_shared<const Vocab>(std::move(*vocab));
  auto stage = entry->make(md, shared_vocab, preset);
  if (!stage) return fail(stage.error().message);
  auto state = std::make_shared<State>(std::move(shared_vocab), std::move(*stage));
  state->build_pieces();
  state->build_eog();
  return Tokenizer(std::move(state));
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 2);
  if (add_bos && state_->vocab->bos()) out.push_back(*state_->vocab->bos());
  if (text.empty()) return out;
  // SentencePiece (and HF's legacy Llama tokenizer, which llama.cpp follows) treats every text
  // fragment after a special token like the start of input: it gets the dummy-prefix space too.
  bool at_boundary = true;
  for (const Fragment& fragment : state_->special.partition(text, parse_special)) {
    if (fragment.token) {
      out.push_back(*fragment.token);
      at_boundary = true;
      continue;
    }
    state_->model->encode_fragment(text.substr(fragment.offset, fragment.length), at_boundary, out);
    at_boundary = false;
  }
  return out;
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool strip_leading_space) const {
  std::string out;
  bool strip = strip_leading_space && state_->vocab->add_space_prefix();
  for (TokenId id : ids) {
    if (!state_->vocab->contains(id)) continue;
    const std::string& piece = state_->pieces[static_cast<size_t>(id)];
    if (piece.empty()) continue;
    const bool drop = strip && piece[0] == ' ';
    strip = false;
    out.append(piece, drop ? 1 : 0);
  }
  return out;
}

std::string Tokenizer::token_to_piece(TokenId id) const {
  return state_->vocab->contains(id) ? state_->pieces[static_cast<size_t>(id)] : std::string();
}

const std::string& Tokenizer::token_text(TokenId id) const {
  return state_->vocab->contains(id) ? state_->vocab->text(id) : empty_string();
}

int32_t Tokenizer::n_vocab() const { return state_->vocab->n_tokens(); }
TokenId Tokenizer::bos_id() const { return state_->vocab->bos().value_or(-1); }
TokenId Tokenizer::eos_id() const { return state_->vocab->eos().value_or(-1); }
TokenId Tokenizer::eot_id() const { return state_->vocab->eot().value_or(-1); }
TokenId Tokenizer::pad_id() const { return state_->vocab->pad().value_or(-1); }
const FimIds& Tokenizer::fim_ids() const { return state_->vocab->fim(); }
bool Tokenizer::add_bos() const { return state_->vocab->add_bos(); }
bool Tokenizer::add_eos() const { return state_->vocab->add_eos(); }
bool Tokenizer::add_space_prefix() const { return state_->vocab->add_space_prefix(); }
const Vocab& Tokenizer::vocab() const { return *state_->vocab; }

bool Tokenizer::is_control(TokenId id) const {
  return state_->vocab->contains(id) && state_->vocab->type(id) == TokenType::kControl;
}

bool Tokenizer::is_end_of_generation(TokenId id) const {
  return std::binary_search(state_->eog_ids.begin(), state_->eog_ids.end(), id);
}

}  // namespace mynah::tokenizer
