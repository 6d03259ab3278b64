// End to end on real MaskBench files with the llama-bpe vocabulary: compile, then every test
// instance token by token through the masks. Valid instances must be accepted and invalid ones
// rejected (20 files picked across sources and features, each with valid and invalid tests).
#include <filesystem>
#include <fstream>

#include "gguf/gguf_reader.h"
#include "grammar_test_util.h"
#include "tokenizer/tokenizer.h"

namespace mynah::grammar::testing {
namespace {

const char* const kFiles[] = {
    "Github_easy---o90397.json",
    "Github_easy---o82294.json",
    "Github_hard---o41264.json",
    "Github_easy---o14025.json",
    "Github_hard---o41303.json",
    "Github_easy---o43995.json",
    "Github_easy---o21087.json",
    "Kubernetes---kb_965_Normalized.json",
    "Github_easy---o28263.json",
    "Github_medium---o57236.json",
    "Github_easy---o90138.json",
    "Github_hard---o69214.json",
    "Glaiveai2K---calculate_area_46f371a2.json",
    "Glaiveai2K---search_news_702265fd.json",
    "Github_easy---o54578.json",
    "Github_medium---o9940.json",
    "Github_easy---o65440.json",
    "Github_easy---o47061.json",
    "Github_easy---o20468.json",
    "WashingtonPost---wp_88_Normalized.json",
};

TEST(MaskBench, RealSchemasEndToEnd) {
  const std::string dir = std::string(MYNAH_SHARED_DIR) + "/jsonschema/maskbench/";
  auto file = gguf::GgufFile::open(std::string(MYNAH_SHARED_DIR) + "/tokenizer-vectors/ggml-vocab-llama-bpe.gguf");
  ASSERT_TRUE(file.ok());
  auto tok = tokenizer::Tokenizer::from_gguf(*file);
  ASSERT_TRUE(tok.ok());
  const auto index = TokenIndex::from_tokenizer(*tok);
  std::vector<uint64_t> mask(index->n_mask_words());
  int n_files = 0;
  int n_instances = 0;
  for (const char* name : kFiles) {
    if (!std::filesystem::exists(dir + name)) continue;
    std::ifstream in(dir + name);
    const auto doc = nlohmann::ordered_json::parse(in);
    auto g = compile_json_schema(doc["schema"]);
    ASSERT_TRUE(g.ok()) << name << ": " << g.error().message;
    ++n_files;
    auto masks = std::make_shared<MaskCache>(*g, index);
    for (const auto& test : doc.value("tests", nlohmann::ordered_json::array())) {
      const std::string text = test["data"].dump(-1, ' ', false);
      Matcher m(masks, {tok->eos_id()});
      bool accepted = true;
      for (int32_t id : tok->encode(text, false, false)) {
        m.fill_mask(mask);
        const bool allowed = (mask[static_cast<size_t>(id) / 64] >> (id & 63)) & 1;
        const bool ok = m.accept_token(id);
        ASSERT_EQ(allowed, ok) << name << " " << text;
        if (!ok) {
          accepted = false;
          break;
        }
      }
      accepted = accepted && m.is_complete();
      EXPECT_EQ(accepted, test["valid"].get<bool>()) << name << ": " << text;
      ++n_instances;
    }
  }
  EXPECT_EQ(n_files, static_cast<int>(std::size(kFiles)));
  EXPECT_GE(n_instances, 30);
}

}  // namespace
}  // namespace mynah::grammar::testing
