// BannedTokensStage: which ids end up at -inf for a given history. Vocabulary of 10, all logits 0.
#include "sampling/banned_tokens.h"

#include <gtest/gtest.h>

#include "sampling_test_util.h"

namespace mynah::sampling {
namespace {

using testing::banned_ids;
using testing::Context;

struct Case {
  const char* name;
  SamplingParams params;
  std::vector<int32_t> prompt;
  std::vector<int32_t> generated;
  std::vector<int32_t> expected;  // banned ids, ascending
};

SamplingParams with(auto&& set) {
  SamplingParams p;
  set(p);
  return p;
}

void run(const std::vector<Case>& cases) {
  for (const auto& tc : cases) {
    ASSERT_TRUE(BannedTokensStage::needed(tc.params)) << tc.name;
    BannedTokensStage stage(tc.params);
    CandidateList c;
    c.assign(std::vector<float>(10, 0.0f));
    Context ctx{tc.prompt, tc.generated};
    ctx.apply(stage, c);
    EXPECT_EQ(banned_ids(c), tc.expected) << tc.name;
  }
}

TEST(BannedTokens, Ids) {
  run({
      {"listed ids, duplicates and out-of-range ignored",
       with([](auto& p) { p.banned_token_ids = {7, 2, 7, 42, -3}; }), {}, {}, {2, 7}},
      {"all but one", with([](auto& p) { p.banned_token_ids = {0, 1, 2, 3, 4, 5, 6, 8, 9}; }), {}, {},
       {0, 1, 2, 3, 4, 5, 6, 8, 9}},
  });
}

TEST(BannedTokens, Sequences) {
  const auto seq = with([](auto& p) { p.banned_sequences = {{5, 6, 7}, {3}}; });
  run({
      {"1-token sequence always banned, 3-token one needs its context", seq, {}, {}, {3}},
      {"tail matches the first N-1: last token banned", seq, {}, {1, 5, 6}, {3, 7}},
      {"match must be at the very end", seq, {}, {5, 6, 1}, {3}},
      {"partial context is not enough", seq, {}, {6}, {3}},
      {"only generated tokens count, not the prompt", seq, {9, 5}, {6}, {3}},
      {"tail after an earlier occurrence", seq, {}, {5, 6, 7, 5, 6}, {3, 7}},
  });
}

TEST(BannedTokens, NoRepeatNgrams) {
  auto ngram = [](int32_t n) { return with([n](auto& p) { p.no_repeat_ngram_size = n; }); };
  run({
      {"bigram (1,2) seen; last token 1 -> ban 2", ngram(2), {1, 2, 3}, {1}, {2}},
      {"every earlier continuation of 1 is banned", ngram(2), {1, 2, 1, 4}, {1}, {2, 4}},
      {"trigram across the prompt/generated boundary", ngram(3), {1, 2, 3, 1}, {2}, {3}},
      {"bigram whose first token ends the prompt", ngram(2), {4, 5}, {6, 4}, {5}},
      {"context not seen before: nothing", ngram(3), {1, 2, 3}, {2, 1}, {}},
      {"shorter history than n: nothing", ngram(4), {1}, {1, 1}, {}},
      {"n = 1 bans every token seen", ngram(1), {8}, {2, 2}, {2, 8}},
  });
}

TEST(BannedTokens, MinNewTokensAndIgnoreEos) {
  auto min_tokens = with([](auto& p) {
    p.min_new_tokens = 2;
    p.end_of_generation_ids = {9};
    p.stop_token_ids = {8, 4};
  });
  auto ignore_eos = with([](auto& p) {
    p.ignore_eos = true;
    p.end_of_generation_ids = {9, 0};
    p.stop_token_ids = {8};
  });
  run({
      {"before any token: EOS and stop ids banned", min_tokens, {1}, {}, {4, 8, 9}},
      {"one generated: still banned", min_tokens, {1}, {3}, {4, 8, 9}},
      {"min reached: free", min_tokens, {1}, {3, 3}, {}},
      {"ignore_eos bans EOS ids at any length, not stop ids", ignore_eos, {}, {1, 2, 3, 4, 5}, {0, 9}},
  });
}

TEST(BannedTokens, NotNeededWhenNothingIsBanned) {
  SamplingParams p;
  EXPECT_FALSE(BannedTokensStage::needed(p));
  p.min_new_tokens = 5;  // no EOS or stop ids to suppress
  EXPECT_FALSE(BannedTokensStage::needed(p));
  p.ignore_eos = true;  // no EOS ids known
  EXPECT_FALSE(BannedTokensStage::needed(p));
}

}  // namespace
}  // namespace mynah::sampling
