// mynah: one binary, subcommands for serving, generating, tokenizing and inspecting models.
#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"mynah: a self-hosted LLM text-completion server", "mynah"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mynah 0.1.0");
  int exit_code = 0;
  mynah::cli::add_generate_command(app, &exit_code);
  mynah::cli::add_tokenize_command(app, &exit_code);
  mynah::cli::add_inspect_command(app, &exit_code);
  mynah::cli::add_serve_command(app, &exit_code);
  mynah::cli::add_bench_command(app, &exit_code);
  mynah::cli::add_quantize_command(app, &exit_code);
  mynah::cli::add_grammar_bench_command(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
