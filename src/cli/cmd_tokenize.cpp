// `mynah tokenize`: UTF-8 text on stdin -> token ids on one line, separated by single spaces.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/commands.h"
#include "cli/model_source.h"
#include "tokenizer/tokenizer.h"

namespace mynah::cli {
namespace {

struct TokenizeOptions {
  std::string model_path;
  bool no_bos = false;
  bool parse_special = false;
};

util::Status tokenize(const TokenizeOptions& o) {
  auto file = open_model_file(o.model_path);
  if (!file) return file.take_error();
  auto tok = tokenizer::Tokenizer::from_gguf(**file);
  if (!tok) return tok.take_error();
  const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  const auto ids = tok->encode(text, tok->add_bos() && !o.no_bos, o.parse_special);
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) line += ' ';
    line += std::to_string(ids[i]);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  return {};
}

}  // namespace

void add_tokenize_command(CLI::App& root, int* exit_code) {
  auto o = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = root.add_subcommand("tokenize", "Print the token ids of the text on standard input");
  cmd->add_option("-m,--model", o->model_path, "GGUF model or vocabulary file (default: the embedded model)");
  cmd->add_flag("--no-bos", o->no_bos, "Do not add the BOS token even if the model asks for it");
  cmd->add_flag("--parse-special", o->parse_special, "Match special-token text (e.g. <s>) as special tokens");
  cmd->callback([o, exit_code] {
    auto status = tokenize(*o);
    if (!status) {
      std::fprintf(stderr, "error: %s\n", status.error().message.c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace mynah::cli
