// The mynah binary end to end: the README's golden greedy story, tokenize, inspect, and clean
// failures (message on stderr, non-zero exit) for bad flags, missing and corrupt model files.

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "cli_run.h"

namespace mynah {
namespace {

using namespace cli_test;  // NOLINT(google-build-using-namespace): the tests' own helpers

TEST(Cli, GreedyGenerateMatchesReferenceWithEmbeddedModel) {
  auto r = run("generate -p \"Once upon a time\" -n 64 --temp 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kStoriesReference);
  EXPECT_NE(r.err.find("tokens/s"), std::string::npos);
}

TEST(Cli, GreedyGenerateMatchesReferenceWithModelFile) {
  auto r = run("generate -m " + kStoriesPath + " -p \"Once upon a time\" -n 64 --temp 0 -t 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kStoriesReference);
}

TEST(Cli, SeededSamplingIsReproducible) {
  auto a = run("generate -p \"Once upon a time\" -n 40 --temp 1 --seed 7");
  auto b = run("generate -p \"Once upon a time\" -n 40 --temp 1 --seed 7");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(Cli, TokenizePrintsIdsOnOneLine) {
  auto r = run("tokenize", "Once upon a time");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1 403 407 261 378\n");
  r = run("tokenize --no-bos -m " + kStoriesPath, "Once upon a time");
  EXPECT_EQ(r.out, "403 407 261 378\n");
}

TEST(Cli, InspectDescribesModel) {
  auto r = run("inspect " + kStoriesPath);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want : {"architecture:   llama", "context length: 512", "layers:         5", "F32", "512 tokens"}) {
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
  }
}

TEST(Cli, BadInputFailsCleanly) {
  auto r = run("generate -p hi --temp -1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--temp"), std::string::npos) << r.err;
  r = run("generate -m /nonexistent.gguf -p hi");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent.gguf"), std::string::npos) << r.err;
  r = run("frobnicate");
  EXPECT_NE(r.exit_code, 0);
  const std::string corrupt = ::testing::TempDir() + "corrupt.gguf";
  std::ofstream(corrupt, std::ios::binary) << "GGUF\x03\0\0\0garbage";
  r = run("generate -m " + corrupt + " -p hi");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: " + corrupt), std::string::npos) << r.err;
}

}  // namespace

namespace {

// Every Hugging Face vector through the CLI: `mynah tokenize -m VOCAB --no-bos`, and back with --detokenize.
class CliTokenizeVectors : public ::testing::TestWithParam<std::string> {};

TEST_P(CliTokenizeVectors, ReproducesEveryLineAndRoundTrips) {
  const std::string base = std::string(MYNAH_SHARED_DIR) + "/tokenizer-vectors/ggml-vocab-" + GetParam() + ".gguf";
  std::ifstream inp(base + ".inp", std::ios::binary), out(base + ".out");
  const std::string all((std::istreambuf_iterator<char>(inp)), std::istreambuf_iterator<char>());
  std::vector<std::string> inputs;
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (size_t start = 0;;) {
    const size_t at = all.find(sep, start);
    inputs.push_back(all.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + sep.size();
  }
  std::string line;
  for (size_t i = 0; i < inputs.size() && std::getline(out, line); ++i) {
    const size_t first = line.find_first_not_of(' ');
    const std::string expected = first == std::string::npos ? "" : line.substr(first);
    auto r = run("tokenize -m " + base + " --no-bos", inputs[i]);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected + "\n") << GetParam() << " input " << i;
    auto back = run("tokenize -m " + base + " --detokenize", r.out);
    EXPECT_EQ(back.out, inputs[i]) << GetParam() << " input " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, CliTokenizeVectors,
                         ::testing::Values("llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "deepseek-llm"));

}  // namespace
}  // namespace mynah
