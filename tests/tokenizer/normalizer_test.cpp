// NFC: composition, canonical reordering, Hangul, singletons and exclusions, invalid bytes, the
// quick check, huge inputs, and the presets that apply it (Qwen2) against those that do not.
#include "tokenizer/normalizer.h"

#include <gtest/gtest.h>

#include "tokenizer/tokenizer.h"

namespace mynah::tokenizer {
namespace {

const std::string kEAcute = "\xC3\xA9";          // é U+00E9
const std::string kEPlusAcute = "e\xCC\x81";      // e U+0301
const std::string kDotBelow = "\xCC\xA3";         // U+0323, class 220
const std::string kCircumflex = "\xCC\x82";       // U+0302, class 230
const std::string kACircumflexDotBelow = "\xE1\xBA\xAD";  // ậ U+1EAD

TEST(Normalizer, QuickCheckPassesTextThatIsAlreadyNfc) {
  EXPECT_FALSE(needs_nfc("plain ASCII, digits 123 and \t\n"));
  EXPECT_FALSE(needs_nfc("\xC3\x84pfel " + kEAcute));                           // composed Latin-1
  EXPECT_FALSE(needs_nfc("\xE6\x88\x91\xE6\x83\xB3 \xF0\x9F\xA6\x99 \xEA\xB0\x81"));  // CJK, emoji, Hangul syllable
  EXPECT_FALSE(needs_nfc("\xFF\x80 invalid bytes"));
  EXPECT_TRUE(needs_nfc(kEPlusAcute));
  EXPECT_TRUE(needs_nfc("\xE1\x84\x80\xE1\x85\xA1"));  // Hangul jamo L V
  EXPECT_TRUE(needs_nfc("\xE2\x84\xAB"));              // U+212B ANGSTROM SIGN, a singleton
}

TEST(Normalizer, ComposesAndReorders) {
  EXPECT_EQ(to_nfc(kEPlusAcute), kEAcute);
  EXPECT_EQ(to_nfc("a" + kDotBelow + kCircumflex), kACircumflexDotBelow);
  EXPECT_EQ(to_nfc("a" + kCircumflex + kDotBelow), kACircumflexDotBelow);  // marks sorted by class first
  EXPECT_EQ(to_nfc("\xE2\x84\xAB"), "\xC3\x85");                          // U+212B -> U+00C5
  EXPECT_EQ(to_nfc("\xE0\xA5\x98"), "\xE0\xA4\x95\xE0\xA4\xBC");          // U+0958 is excluded: stays apart
  EXPECT_EQ(to_nfc("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81");  // L V T -> U+AC01
  EXPECT_EQ(to_nfc("\xEA\xB0\x80\xE1\x86\xA8"), "\xEA\xB0\x81");              // LV + T -> LVT
  EXPECT_EQ(to_nfc("already " + kEAcute), "already " + kEAcute);
}

TEST(Normalizer, InvalidBytesAreKeptAndSplitRuns) {
  EXPECT_EQ(to_nfc("e\xFF\xCC\x81"), "e\xFF\xCC\x81");  // the mark has no starter in its run
  EXPECT_EQ(to_nfc("\xFF" + kEPlusAcute + "\x80"), "\xFF" + kEAcute + "\x80");
}

TEST(Normalizer, MegabyteOfCombiningMarks) {
  std::string text = "a";
  while (text.size() < (1u << 20)) text += kCircumflex + kDotBelow;
  const std::string nfc = to_nfc(text);
  // ậ, then the remaining marks sorted: all dots below (220) before all circumflexes (230).
  ASSERT_EQ(nfc.substr(0, 3), kACircumflexDotBelow);
  EXPECT_EQ(nfc.size(), text.size() - 1 - 2 - 2 + 3);
  EXPECT_EQ(nfc.substr(3, 2), kDotBelow);
  EXPECT_EQ(nfc.substr(nfc.size() - 2), kCircumflex);
}

TEST(Normalizer, Qwen2NormalizesLlama3DoesNot) {
  auto load = [](const std::string& name) {
    auto file = gguf::GgufFile::open(std::string(MYNAH_SHARED_DIR) + "/tokenizer-vectors/" + name);
    EXPECT_TRUE(file.ok());
    auto tok = Tokenizer::from_gguf(*file);
    EXPECT_TRUE(tok.ok()) << tok.error().message;
    return std::move(tok).value();
  };
  const Tokenizer qwen2 = load("ggml-vocab-qwen2.gguf");
  EXPECT_EQ(qwen2.encode("caf" + kEPlusAcute, false, false), qwen2.encode("caf" + kEAcute, false, false));
  EXPECT_EQ(qwen2.decode(qwen2.encode("caf" + kEPlusAcute, false, false)), "caf" + kEAcute);
  const Tokenizer llama3 = load("ggml-vocab-llama-bpe.gguf");
  EXPECT_NE(llama3.encode("caf" + kEPlusAcute, false, false), llama3.encode("caf" + kEAcute, false, false));
  EXPECT_EQ(llama3.decode(llama3.encode("caf" + kEPlusAcute, false, false)), "caf" + kEPlusAcute);
}

}  // namespace
}  // namespace mynah::tokenizer
