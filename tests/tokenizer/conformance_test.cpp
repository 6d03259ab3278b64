// Conformance with the shared Hugging Face vectors (llama.cpp's test-tokenizer-0 files): every
// .out line exactly, decode(encode(s)) == s, and DecodeStream output equal to decode().
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tokenizer/decode_stream.h"
#include "tokenizer/tokenizer.h"

namespace mynah::tokenizer {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::vector<std::string> split(const std::string& text, std::string_view sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t hit; (hit = text.find(sep, start)) != std::string::npos; start = hit + sep.size()) {
    parts.push_back(text.substr(start, hit - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// The .out format: each id preceded by one space, so an empty input gives an empty line.
std::string format_ids(const std::vector<TokenId>& ids) {
  std::string out;
  for (TokenId id : ids) {
    out += ' ';
    out += std::to_string(id);
  }
  return out;
}

class Conformance : public ::testing::TestWithParam<std::string> {};

TEST_P(Conformance, MatchesReferenceVectors) {
  const std::string base = std::string(MYNAH_SHARED_DIR) + "/tokenizer-vectors/" + GetParam();
  auto file = gguf::GgufFile::open(base);
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto tok = Tokenizer::from_gguf(*file);
  ASSERT_TRUE(tok.ok()) << tok.error().message;

  std::vector<std::string> inputs = split(read_file(base + ".inp"), "\n__ggml_vocab_test__\n");
  std::vector<std::string> expected = split(read_file(base + ".out"), "\n");
  // Both files end with their separator, leaving one empty trailing element each.
  ASSERT_TRUE(!inputs.empty() && inputs.back().empty());
  ASSERT_TRUE(!expected.empty() && expected.back().empty());
  inputs.pop_back();
  expected.pop_back();
  ASSERT_EQ(inputs.size(), expected.size());
  ASSERT_GE(inputs.size(), 40u);

  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<TokenId> ids = tok->encode(inputs[i], /*add_bos=*/false, /*parse_special=*/false);
    EXPECT_EQ(format_ids(ids), expected[i]) << "input " << i << ": '" << inputs[i] << "'";
    EXPECT_EQ(tok->decode(ids), inputs[i]) << "round trip of input " << i;

    DecodeStream stream(*tok);
    std::string streamed;
    for (TokenId id : ids) streamed += stream.push(id);
    streamed += stream.flush();
    EXPECT_EQ(streamed, tok->decode(ids)) << "stream of input " << i;

    // With BOS the ids only gain the BOS in front, and decoding still gives the input back.
    std::vector<TokenId> with_bos = tok->encode(inputs[i], true, false);
    ASSERT_FALSE(with_bos.empty());
    EXPECT_EQ(with_bos.front(), tok->bos_id());
    EXPECT_EQ(std::vector<TokenId>(with_bos.begin() + 1, with_bos.end()), ids);
    EXPECT_EQ(tok->decode(with_bos), inputs[i]);
  }
}

INSTANTIATE_TEST_SUITE_P(Vocabs, Conformance,
                         ::testing::Values("ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf",
                                           "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf",
                                           "ggml-vocab-gpt-2.gguf", "ggml-vocab-deepseek-llm.gguf"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           const std::string& file = param_info.param;  // ggml-vocab-NAME.gguf -> NAME
                           std::string name = file.substr(11, file.size() - 16);
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace mynah::tokenizer
