// Engine's per-sequence progress after a forward step: prompt scoring, forking n > 1 continuations off
// the prefilled prompt, sampling, detokenization, stop rules, events, and finishing.
#include <algorithm>

#include "engine/engine.h"
#include "sampling/logprobs.h"
#include "sampling/row_ops.h"

namespace mynah::engine {
namespace {

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

GenerationEvent event_for(const Sequence& seq) {
  GenerationEvent ev;
  ev.request_id = seq.req->id;
  ev.prompt_idx = seq.prompt_idx;
  ev.seq_idx = seq.seq_idx;
  ev.seed = seq.seed;
  return ev;
}

}  // namespace

std::vector<TopLogprob> Engine::top_alternatives(std::span<const float> row, int32_t n, float norm) const {
  std::vector<TopLogprob> out;
  for (const auto& t : sampling::top_logprobs(row, n, norm)) out.push_back({t.id, tok_.token_to_piece(t.id), t.logprob});
  return out;
}

void Engine::drop_cancelled() {
  const auto now = Clock::now();
  auto expired = [&](const Sequence& s) {
    return s.req->cancelled.load() || (s.req->request.deadline && now >= *s.req->request.deadline);
  };
  std::vector<Sequence*> doomed;
  for (auto& s : scheduler_.running()) if (expired(*s)) doomed.push_back(s.get());
  for (auto& s : scheduler_.waiting()) if (expired(*s)) doomed.push_back(s.get());
  for (Sequence* s : doomed) finish(*s, FinishReason::kCancelled, event_for(*s));
}

void Engine::score_prompt(Sequence& seq, const float* rows, int32_t first_pos, int32_t n_rows) {
  const int32_t n_vocab = model_->config().n_vocab;
  const int32_t top_n = seq.req->request.logprobs.top_n;
  GenerationEvent ev = event_for(seq);
  if (first_pos == 0) ev.prompt_scores.push_back({seq.tokens[0], tok_.token_to_piece(seq.tokens[0]), std::nullopt, {}});
  // Row i holds the distribution of position first_pos + i + 1.
  for (int32_t i = 0; i < n_rows && first_pos + i + 1 < seq.n_prompt; ++i) {
    std::span<const float> row(rows + static_cast<size_t>(i) * n_vocab, n_vocab);
    const int32_t id = seq.tokens[first_pos + i + 1];
    const float norm = sampling::log_sum_exp(row);
    TokenScore score{id, tok_.token_to_piece(id), sampling::token_logprob(row, id, norm), {}};
    if (top_n > 0) score.top = top_alternatives(row, top_n, norm);
    ev.prompt_scores.push_back(std::move(score));
  }
  if (first_pos + n_rows >= seq.n_prompt) seq.prompt_scored = true;
  if (!ev.prompt_scores.empty()) seq.req->sink(std::move(ev));
}

void Engine::on_logits(Sequence& seq, const float* row) {
  // The first logits after the prompt: the other n - 1 continuations start here, sharing its blocks.
  auto followers = std::move(seq.followers);
  seq.followers.clear();
  std::vector<Sequence*> forked;
  for (auto& f : followers) {
    Sequence* raw = f.get();
    if (!scheduler_.fork(seq, *f, [&](int32_t src, int32_t dst) { cache_.copy_block(src, dst); })) {
      GenerationEvent ev = event_for(*raw);
      ev.error = "no KV cache block is free to start this continuation";
      scheduler_.waiting().push_back(std::move(f));
      finish(*raw, FinishReason::kError, std::move(ev));
      continue;
    }
    scheduler_.add_running(std::move(f));
    forked.push_back(raw);
  }
  advance(seq, row);
  for (Sequence* f : forked) advance(*f, row);
}

void Engine::advance(Sequence& seq, const float* row) {
  const int32_t n_vocab = model_->config().n_vocab;
  std::span<const float> logits(row, n_vocab);
  GenerationEvent ev = event_for(seq);
  if (seq.n_generated() >= seq.max_new) {  // max_new 0: prompt scoring only
    finish(seq, FinishReason::kLength, std::move(ev));
    return;
  }
  const std::span<const int32_t> all(seq.tokens);
  // response_format: only tokens that keep the output a valid prefix may be drawn (logprobs below
  // still come from the raw row).
  const std::span<const uint64_t> allowed = seq.constraint ? seq.constraint->fill_mask() : std::span<const uint64_t>();
  const auto next = seq.sampler->sample(logits, {all.first(seq.n_prompt), all.subspan(seq.n_prompt)}, allowed);
  if (!next && seq.constraint && !seq.constraint->is_complete()) {
    // "stop" here would label an unfinished value as complete.
    ev.error = "response_format: every token the format allows next is banned (logit_bias, bad words or ignore_eos)";
    finish(seq, FinishReason::kError, std::move(ev));
    return;
  }
  if (!next) {
    finish(seq, FinishReason::kStop, std::move(ev));
    return;
  }
  const int32_t token = *next;
  if (seq.constraint && !seq.constraint->accept(token)) {  // the mask allowed it, so this is a bug
    ev.error = "response_format: the sampled token does not fit the format";
    finish(seq, FinishReason::kError, std::move(ev));
    return;
  }
  const auto now = Clock::now();
  if (seq.n_generated() == 0) {
    seq.first_token_time = now;
    metrics_.observe_ttft(seconds(now - seq.req->arrival));
  } else {
    metrics_.observe_itl(seconds(now - seq.last_token_time));
  }
  seq.last_token_time = now;
  seq.tokens.push_back(token);
  metrics_.add_counts(0, 1);

  const LogprobOptions& lp = seq.req->request.logprobs;
  TokenScore score{token, tok_.token_to_piece(token), std::nullopt, {}};
  if (lp.generated || lp.top_n > 0) {
    const float norm = sampling::log_sum_exp(logits);
    score.logprob = sampling::token_logprob(logits, token, norm);
    if (lp.top_n > 0) score.top = top_alternatives(logits, lp.top_n, norm);
  }
  ev.tokens.push_back(std::move(score));

  const auto& stop_ids = seq.req->request.sampling.stop_token_ids;
  const bool is_eog = std::find(end_of_generation_ids_.begin(), end_of_generation_ids_.end(), token) != end_of_generation_ids_.end();
  const bool is_stop_token = std::find(stop_ids.begin(), stop_ids.end(), token) != stop_ids.end();
  if (is_eog || is_stop_token) {
    finish(seq, FinishReason::kStop, std::move(ev));
    return;
  }
  auto out = seq.stop->push(seq.decoder->push(token));
  ev.text_delta = std::move(out.text);
  if (out.matched) {
    seq.stop.reset();  // nothing after the match is ever sent
    finish(seq, FinishReason::kStop, std::move(ev));
    return;
  }
  if (seq.constraint && seq.constraint->must_end()) {  // the value is complete and nothing may follow it
    finish(seq, FinishReason::kStop, std::move(ev));
    return;
  }
  const bool context_full = static_cast<int32_t>(seq.tokens.size()) >= std::min(n_ctx_, seq.req->request.max_total_tokens.value_or(n_ctx_));
  if (seq.n_generated() >= seq.max_new || context_full) {
    finish(seq, FinishReason::kLength, std::move(ev));
    return;
  }
  seq.req->sink(std::move(ev));
}

void Engine::finish(Sequence& seq, FinishReason reason, GenerationEvent ev) {
  if (seq.stop) ev.text_delta += seq.stop->push(seq.decoder->flush()).text + seq.stop->flush();
  ev.finish = reason;
  ev.usage = {seq.n_prompt, std::max(seq.n_generated(), 0), seq.n_cached_prompt};
  const auto now = Clock::now();
  metrics_.observe_e2e(seconds(now - seq.req->arrival));
  metrics_.add_finished(finish_reason_name(reason));
  // Followers that never started (their leader ended before its prompt was done) end the same way.
  std::vector<std::unique_ptr<Sequence>> followers = std::move(seq.followers);
  auto req = seq.req;
  auto owned = scheduler_.remove(&seq);  // destroys the sequence at the end of this scope
  // Before the event: whoever sees a request finish also sees its blocks returned in the metrics.
  publish_gauges();
  req->sink(std::move(ev));
  for (auto& f : followers) {
    GenerationEvent fev = event_for(*f);
    fev.finish = reason;
    fev.usage = {f->n_prompt, 0, 0};
    metrics_.observe_e2e(seconds(now - req->arrival));
    metrics_.add_finished(finish_reason_name(reason));  // every sequence counts, started or not
    req->sink(std::move(fev));
  }
}

}  // namespace mynah::engine
