// Collects a request's events into per-sequence results and lets a test wait for completion.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace mynah::engine::testing {

struct SeqResult {
  std::string text;
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
  std::vector<TokenScore> prompt_scores;
  std::optional<FinishReason> finish;
  Usage usage;
  uint64_t seed = 0;
};

class Collector {
 public:
  EventSink sink() {
    return [this](GenerationEvent ev) {
      std::lock_guard lock(mu_);
      SeqResult& r = results_[{ev.prompt_idx, ev.seq_idx}];
      r.text += ev.text_delta;
      for (auto& t : ev.tokens) {
        r.tokens.push_back(t.id);
        if (t.logprob) r.logprobs.push_back(*t.logprob);
      }
      for (auto& s : ev.prompt_scores) r.prompt_scores.push_back(s);
      r.seed = ev.seed;
      if (ev.finish) {
        r.finish = ev.finish;
        r.usage = ev.usage;
        ++finished_;
        cv_.notify_all();
      }
    };
  }
  // Waits until `n` sequences have finished; results ordered by (prompt, seq).
  std::vector<SeqResult> wait(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return finished_ >= n; });
    std::vector<SeqResult> out;
    for (auto& [k, v] : results_) out.push_back(v);
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<int32_t, int32_t>, SeqResult> results_;
  int finished_ = 0;
};

inline std::vector<SeqResult> run(Engine& engine, GenerationRequest req) {
  Collector c;
  const int n = static_cast<int>(req.prompts.size()) * req.n;
  auto id = engine.submit(std::move(req), c.sink());
  if (!id.ok()) return {};
  return c.wait(n);
}

}  // namespace mynah::engine::testing
