// `mynah tokenize`: UTF-8 text on stdin -> token ids on one line, separated by single spaces; with
// --detokenize, whitespace-separated ids on stdin -> the exact text bytes they decode to.
#include <charconv>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/model_source.h"
#include "tokenizer/tokenizer.h"

namespace mynah::cli {
namespace {

struct TokenizeOptions {
  std::string model_path;
  std::string pre_tokenizer;
  bool no_bos = false;
  bool parse_special = false;
  bool detokenize = false;
};

// Every id must be a decimal integer naming a token of this vocab; the first bad one is reported
// with its position so a long list is easy to fix.
util::Result<std::vector<tokenizer::TokenId>> parse_ids(const std::string& text, int32_t n_vocab) {
  std::vector<tokenizer::TokenId> ids;
  std::istringstream in(text);
  std::string word;
  for (size_t idx = 0; in >> word; ++idx) {
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc() || end != word.data() + word.size()) {
      return util::make_error("token id #{} '{}' is not an integer", idx + 1, word);
    }
    if (value < 0 || value >= n_vocab) {
      return util::make_error("token id #{} ({}) is out of range: the vocabulary has ids 0..{}", idx + 1, value,
                              n_vocab - 1);
    }
    ids.push_back(static_cast<tokenizer::TokenId>(value));
  }
  return ids;
}

util::Status tokenize(const TokenizeOptions& o) {
  auto file = open_model_file(o.model_path);
  if (!file) return file.take_error();
  auto tok = tokenizer::Tokenizer::from_gguf(**file, tokenizer::TokenizerOptions{.pre_tokenizer = o.pre_tokenizer});
  if (!tok) return tok.take_error();
  const std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  std::string output;
  if (o.detokenize) {
    auto ids = parse_ids(input, tok->n_vocab());
    if (!ids) return ids.take_error();
    output = tok->decode(*ids);  // raw bytes, no newline added: tokenize | detokenize is the identity
  } else {
    const auto ids = tok->encode(input, tok->add_bos() && !o.no_bos, o.parse_special);
    for (size_t i = 0; i < ids.size(); ++i) output += fmt::format("{}{}", i ? " " : "", ids[i]);
    output += '\n';
  }
  std::fwrite(output.data(), 1, output.size(), stdout);
  return {};
}

}  // namespace

void add_tokenize_command(CLI::App& root, int* exit_code) {
  auto o = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = root.add_subcommand("tokenize", "Print the token ids of the text on standard input");
  cmd->add_option("-m,--model", o->model_path, "GGUF model or vocabulary file (default: the embedded model)");
  cmd->add_flag("--no-bos", o->no_bos, "Do not add the BOS token even if the model asks for it");
  cmd->add_flag("--parse-special", o->parse_special, "Match special-token text (e.g. <s>) as special tokens");
  cmd->add_flag("--detokenize", o->detokenize,
                "Read whitespace-separated token ids instead and print the text they decode to");
  cmd->add_option("--tokenizer-pre", o->pre_tokenizer,
                  "Byte-level BPE: use this pre-tokenizer (e.g. llama-bpe, qwen2) instead of tokenizer.ggml.pre");
  cmd->callback([o, exit_code] {
    auto status = tokenize(*o);
    if (!status) {
      std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace mynah::cli
