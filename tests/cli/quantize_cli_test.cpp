// `mynah quantize` end to end: the embedded story model converted to Q8_0 and to the Q4_K_M recipe
// still tells the reference story greedily, keeps its metadata (plus general.file_type) and
// shrinks; bad types and paths fail with a message and a non-zero exit, writing nothing.

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "cli_run.h"

namespace mynah {
namespace {

using namespace cli_test;  // NOLINT(google-build-using-namespace): the tests' own helpers

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "mynah_quantize_" + std::to_string(::getpid()) + "_" + name;
}

class QuantizeCli : public ::testing::TestWithParam<const char*> {};

TEST_P(QuantizeCli, QuantizedStoryModelStillTellsTheReferenceStory) {
  const std::string out_path = temp_path(std::string(GetParam()) + ".gguf");
  const RunResult q = run("quantize " + kStoriesPath + " " + out_path + " " + GetParam());
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_NE((q.out + q.err).find("wrote " + out_path), std::string::npos) << q.out << q.err;
  EXPECT_LT(std::filesystem::file_size(out_path), std::filesystem::file_size(kStoriesPath) / 3);

  const RunResult info = run("inspect " + out_path);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("24 metadata keys"), std::string::npos) << info.out;  // 23 + general.file_type
  EXPECT_NE(info.out.find("tensors:        48"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("Q8_0"), std::string::npos) << info.out;  // both recipes keep the output matrix at >= Q8_0 here

  const RunResult g = run("generate -m " + out_path + " -p \"Once upon a time\" -n 64 --temp 0 -t 1");
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(g.out, kStoriesReference);
  std::filesystem::remove(out_path);
}

INSTANTIATE_TEST_SUITE_P(Types, QuantizeCli, ::testing::Values("q8_0", "q4_k_m"));

TEST(QuantizeCliErrors, BadTypeAndPathsFailCleanly) {
  const std::string out_path = temp_path("never.gguf");
  RunResult r = run("quantize " + kStoriesPath + " " + out_path + " q9_9");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown type 'q9_9'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out_path));

  r = run("quantize /nonexistent/model.gguf " + out_path + " q8_0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/model.gguf"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out_path));

  // Path problems are found before any tensor is converted (no plan lines "A -> B" on stderr).
  r = run("quantize " + kStoriesPath + " /nonexistent-dir/out.gguf q8_0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot create '/nonexistent-dir/out.gguf'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("->"), std::string::npos) << r.err;

  const std::string copy = temp_path("input-copy.gguf");
  std::filesystem::copy_file(kStoriesPath, copy, std::filesystem::copy_options::overwrite_existing);
  const auto size = std::filesystem::file_size(copy);
  r = run("quantize " + copy + " " + copy + " q8_0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("is the input file"), std::string::npos) << r.err;
  EXPECT_EQ(std::filesystem::file_size(copy), size);
  std::filesystem::remove(copy);

  r = run("quantize " + kStoriesPath);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(r.err.empty());
}

}  // namespace
}  // namespace mynah
