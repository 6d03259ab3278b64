// Runs the mynah binary (MYNAH_BINARY) with arguments and optional stdin text, capturing its exit
// code, stdout and stderr; and the story model's reference greedy continuation. Shared by the CLI
// tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace mynah::cli_test {

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};

inline RunResult run(const std::string& args, const std::string& stdin_text = "") {
  // Per-process names: ctest runs test cases of a binary in parallel processes.
  const std::string tag = std::to_string(::getpid());
  const std::string in_path = ::testing::TempDir() + "mynah_cli_stdin_" + tag + ".txt";
  const std::string err_path = ::testing::TempDir() + "mynah_cli_stderr_" + tag + ".txt";
  std::ofstream(in_path, std::ios::binary) << stdin_text;
  const std::string cmd = std::string(MYNAH_BINARY) + " " + args + " < " + in_path + " 2> " + err_path;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  std::ifstream err_file(err_path);
  std::string err((std::istreambuf_iterator<char>(err_file)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, err};
}

inline const std::string kStoriesPath = std::string(MYNAH_SOURCE_ROOT) + "/models/stories260K.gguf";
// `generate -p "Once upon a time" -n 64 --temp 0` on the story model.
inline const std::string kStoriesReference =
    ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red "
    "ball. She wanted to play with it, but it was too high.\nLily's mom said\n";

}  // namespace mynah::cli_test
