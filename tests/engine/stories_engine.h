// Test helpers shared by the engine tests: an engine over the real stories260K model, request
// shorthand, metric scraping, and staged arrivals (requests submitted at chosen engine steps).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "collector.h"
#include "engine/engine.h"

namespace mynah::engine::testing {

struct LoadedStories {
  std::shared_ptr<model::Model> model;
  tokenizer::Tokenizer tok;
};

inline LoadedStories load_stories() {
  auto f = gguf::GgufFile::open(std::string(MYNAH_SOURCE_ROOT) + "/models/stories260K.gguf");
  auto file = std::make_shared<gguf::GgufFile>(std::move(f).value());
  auto tok = tokenizer::Tokenizer::from_gguf(*file);
  auto model = model::load_model(file);
  return {std::shared_ptr<model::Model>(std::move(model).value()), std::move(tok).value()};
}

inline std::unique_ptr<Engine> make_engine(EngineOptions o = {}) {
  auto l = load_stories();
  if (o.n_threads == 0) o.n_threads = 2;
  return std::move(Engine::create(l.model, l.tok, o)).value();
}

inline GenerationRequest request(const std::string& prompt, int32_t max_new, float temperature = 0.0f,
                                 uint64_t seed = 0) {
  GenerationRequest r;
  r.prompts = {Prompt{prompt, {}, {}}};
  r.max_new_tokens = max_new;
  r.sampling.temperature = temperature;
  r.sampling.seed = seed;
  return r;
}

inline int64_t metric(const Engine& e, const std::string& name) {
  std::smatch m;
  const std::string text = e.metrics_text();
  if (!std::regex_search(text, m, std::regex("\n" + name + " (\\d+)"))) return -1;
  return std::stoll(m[1]);
}

// Submits every request from the engine thread at a chosen point: requests[i] joins at the step after
// the requests already submitted have produced `arrive_after[i]` tokens in total (non-decreasing;
// 0: together with requests[0]). A first, already expired request starts the sequence: its finish,
// delivered before any step computes, submits the 0 group. This makes the step at which each request
// arrives, and so every batch, preemption and resume, independent of thread timing. Returns each
// request's first sequence.
inline std::vector<SeqResult> run_staged(Engine& engine, const std::vector<GenerationRequest>& requests,
                                         const std::vector<int32_t>& arrive_after) {
  const size_t n = requests.size();
  std::vector<Collector> collectors(n);
  std::mutex mu;
  size_t next = 0;
  int32_t n_tokens = 0;
  std::function<void(size_t)> submit_one;
  // Submits every request whose threshold is reached; called on the engine thread only.
  auto submit_due = [&](int32_t new_tokens) {
    std::vector<size_t> due;
    {
      std::lock_guard lock(mu);
      n_tokens += new_tokens;
      while (next < n && n_tokens >= arrive_after[next]) due.push_back(next++);
    }
    for (size_t d : due) submit_one(d);
  };
  submit_one = [&](size_t i) {
    auto inner = collectors[i].sink();
    auto id = engine.submit(requests[i], [&, inner](GenerationEvent ev) {
      submit_due(static_cast<int32_t>(ev.tokens.size()));
      inner(std::move(ev));  // last: once every collector has finished the test may return
    });
    EXPECT_TRUE(id.ok());
  };
  GenerationRequest starter = requests[0];
  starter.n = 1;
  starter.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  Collector started;
  auto started_sink = started.sink();
  EXPECT_TRUE(engine.submit(starter, [&, started_sink](GenerationEvent ev) {
    if (ev.finish) submit_due(0);
    started_sink(std::move(ev));
  }).ok());
  started.wait(1);
  std::vector<SeqResult> out;
  for (size_t i = 0; i < n; ++i) out.push_back(collectors[i].wait(1)[0]);
  return out;
}

}  // namespace mynah::engine::testing
