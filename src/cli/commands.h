// Each subcommand registers itself on the root CLI11 app; its callback stores the exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace mynah::cli {

void add_generate_command(CLI::App& root, int* exit_code);
void add_tokenize_command(CLI::App& root, int* exit_code);
void add_inspect_command(CLI::App& root, int* exit_code);
void add_serve_command(CLI::App& root, int* exit_code);
void add_bench_command(CLI::App& root, int* exit_code);
void add_quantize_command(CLI::App& root, int* exit_code);
void add_grammar_bench_command(CLI::App& root, int* exit_code);

}  // namespace mynah::cli
