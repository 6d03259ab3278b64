// Engine lifecycle, submission (validation, tokenization, context fitting) and the step loop.
#include "engine/engine.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace mynah::engine {

using util::Result;

namespace {

uint64_t derive_seed(uint64_t base, int32_t idx) {
  if (idx == 0) return base;
  uint64_t z = base + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(idx);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

SubmitError invalid(std::string message, std::string param = {}) {
  return {SubmitError::Kind::kInvalid, std::move(message), std::move(param)};
}

// Applies the request's overflow policy; returns the number of tokens the sequence may generate.
Result<int32_t, SubmitError> fit_to_context(const GenerationRequest& r, int32_t ctx, std::vector<int32_t>& tokens) {
  const int32_t n_prompt = static_cast<int32_t>(tokens.size());
  const std::optional<int32_t> requested = r.max_new_tokens;
  const bool fits = requested ? n_prompt + *requested <= ctx : n_prompt < ctx;
  if (fits) return requested.value_or(ctx - n_prompt);
  switch (r.overflow) {
    case OverflowPolicy::kError:
      break;
    case OverflowPolicy::kShrinkMaxTokens:
      if (n_prompt < ctx) return ctx - n_prompt;
      break;
    case OverflowPolicy::kTruncatePromptLeft: {
      const int32_t wanted = requested.value_or(1);
      if (wanted >= ctx) break;
      tokens.erase(tokens.begin(), tokens.end() - (ctx - wanted));
      return requested.value_or(ctx - static_cast<int32_t>(tokens.size()));
    }
  }
  return invalid(fmt::format("the prompt has {} tokens and {} more were requested, but the context holds {}", n_prompt,
                             requested ? fmt::to_string(*requested) : std::string("at least 1"), ctx));
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::create(std::shared_ptr<model::Model> model, tokenizer::Tokenizer tok,
                                               const EngineOptions& o) {
  if (o.n_parallel < 1 || o.batch_tokens < 1 || o.block_size < 1 || o.max_queue < 0) {
    return util::make_error("engine options: parallel, batch tokens and block size must be positive");
  }
  if (tok.n_vocab() != model->config().n_vocab) {
    return util::make_error("tokenizer has {} tokens but the model's output has {}", tok.n_vocab(), model->config().n_vocab);
  }
  return std::unique_ptr<Engine>(new Engine(std::move(model), std::move(tok), o));
}

static int32_t blocks_for(const EngineOptions& o, int32_t n_ctx) {
  return o.n_kv_blocks > 0 ? o.n_kv_blocks : (n_ctx + o.block_size - 1) / o.block_size * o.n_parallel;
}

Engine::Engine(std::shared_ptr<model::Model> model, tokenizer::Tokenizer tok, const EngineOptions& o)
    : model_(std::move(model)),
      tok_(std::move(tok)),
      opt_(o),
      n_ctx_(o.n_ctx > 0 ? o.n_ctx : model_->config().n_ctx_train),
      constraints_(tok_),
      pool_(o.n_threads),
      cache_(model_->make_kv_cache(blocks_for(o, n_ctx_), o.block_size)),
      scheduler_({o.n_parallel, o.batch_tokens, n_ctx_, o.step_cost}, blocks_for(o, n_ctx_), o.block_size) {
  for (int32_t id = 0; id < tok_.n_vocab(); ++id) {
    if (tok_.is_end_of_generation(id)) end_of_generation_ids_.push_back(id);
  }
  publish_gauges();
  thread_ = std::thread([this] { loop(); });
}

Engine::~Engine() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<void, SubmitError> Engine::resolve_words(GenerationRequest& r) const {
  auto check_ids = [&](const std::vector<int32_t>& ids, const char* what) -> Result<void, SubmitError> {
    for (int32_t id : ids) {
      if (id < 0 || id >= tok_.n_vocab()) return invalid(fmt::format("{}: token id {} is outside the vocabulary [0, {})", what, id, tok_.n_vocab()));
    }
    return {};
  };
  for (const auto& b : r.sampling.logit_bias) MYNAH_TRY(check_ids({b.id}, "logit bias"));
  MYNAH_TRY(check_ids(r.sampling.banned_token_ids, "banned token"));
  MYNAH_TRY(check_ids(r.sampling.stop_token_ids, "stop token"));
  for (const auto& seq : r.sampling.banned_sequences) MYNAH_TRY(check_ids(seq, "banned sequence"));
  for (const auto& wb : r.word_biases) {
    // The word's first token, alone and after a space (whitespace-only pieces are skipped).
    for (const std::string& form : {wb.word, " " + wb.word}) {
      for (int32_t id : tok_.encode(form, false, false)) {
        const std::string piece = tok_.token_to_piece(id);
        if (piece.find_first_not_of(" \t\n") == std::string::npos) continue;
        r.sampling.logit_bias.push_back({id, wb.bias <= -100.0f ? -INFINITY : wb.bias});
        break;
      }
    }
  }
  for (const auto& phrase : r.banned_phrases) {
    auto ids = tok_.encode(phrase, false, false);
    if (!ids.empty()) r.sampling.banned_sequences.push_back(std::move(ids));
  }
  return {};
}

Result<std::vector<std::unique_ptr<Sequence>>, SubmitError> Engine::make_sequences(const std::shared_ptr<RequestState>& req) {
  MYNAH_TRY(resolve_words(req->request));
  const GenerationRequest& r = req->request;
  if (r.prompts.empty()) return invalid("the request has no prompt");
  if (r.n < 1) return invalid(fmt::format("n must be at least 1, got {}", r.n));
  if (r.max_new_tokens && *r.max_new_tokens < 0) return invalid("max_new_tokens must not be negative");
  // Compiled here, on the caller's thread: a format that cannot be enforced fails the request now.
  auto grammar = constraints_.compile(r.response_format);
  if (!grammar) return invalid(grammar.error().message, "response_format");
  // A constrained sequence may end only where its value is complete, by any token that ends generation.
  std::vector<int32_t> constraint_eos_ids = end_of_generation_ids_;
  constraint_eos_ids.insert(constraint_eos_ids.end(), r.sampling.stop_token_ids.begin(), r.sampling.stop_token_ids.end());
  std::vector<std::unique_ptr<Sequence>> leaders;
  for (size_t p = 0; p < r.prompts.size(); ++p) {
    std::vector<int32_t> tokens = r.prompts[p].text ? tok_.encode(*r.prompts[p].text, r.add_bos && tok_.add_bos(), r.parse_special)
                                                    : r.prompts[p].tokens;
    if (tokens.empty()) return invalid("the prompt is empty (and the model adds no BOS token)");
    for (int32_t t : tokens) {
      if (t < 0 || t >= tok_.n_vocab()) return invalid(fmt::format("token id {} is outside the vocabulary [0, {})", t, tok_.n_vocab()));
    }
    for (const auto& e : r.prompts[p].embeddings) {
      if (e.index < 0 || e.index >= static_cast<int32_t>(tokens.size())) {
        return invalid(fmt::format("embedding override position {} is outside the prompt of {} tokens", e.index, tokens.size()));
      }
      if (static_cast<int32_t>(e.values.size()) != model_->config().n_embd) {
        return invalid(fmt::format("embedding override at position {} has {} values; the model's embedding size is {}", e.index,
                                   e.values.size(), model_->config().n_embd));
      }
    }
    const int32_t ctx = std::min(n_ctx_, r.max_total_tokens.value_or(n_ctx_));
    const size_t n_before_fit = tokens.size();
    auto max_new = fit_to_context(r, ctx, tokens);
    if (!max_new) return max_new.take_error();
    if (tokens.size() != n_before_fit && !r.prompts[p].embeddings.empty()) {
      return invalid("a prompt with embedding overrides cannot be truncated to fit the context");
    }
    std::unique_ptr<Sequence> leader;
    for (int32_t i = 0; i < r.n; ++i) {
      auto seq = std::make_unique<Sequence>();
      seq->req = req;
      seq->prompt_idx = static_cast<int32_t>(p);
      seq->seq_idx = i;
      seq->seed = i < static_cast<int32_t>(r.seeds.size()) ? r.seeds[i] : derive_seed(r.sampling.seed, i);
      seq->tokens = tokens;
      seq->n_prompt = static_cast<int32_t>(tokens.size());
      seq->max_new = *max_new;
      seq->embeddings = r.prompts[p].embeddings;
      sampling::SamplingParams params = r.sampling;
      params.seed = seq->seed;
      // A floor on prompt + generated tokens becomes a floor on generated tokens only now that the
      // prompt's length (after tokenization and fitting) is known.
      if (r.min_total_tokens) params.min_new_tokens = std::max(params.min_new_tokens, *r.min_total_tokens - seq->n_prompt);
      params.end_of_generation_ids = end_of_generation_ids_;
      seq->sampler = std::make_unique<sampling::SamplerChain>(params);
      seq->decoder.emplace(tok_, /*strip_leading_space=*/false);
      seq->stop.emplace(r.stop.strings);
      if (*grammar) seq->constraint.emplace(*grammar, constraint_eos_ids);
      if (i == 0) {
        leader = std::move(seq);
      } else {
        leader->followers.push_back(std::move(seq));
      }
    }
    leaders.push_back(std::move(leader));
  }
  req->n_open = static_cast<int32_t>(r.prompts.size()) * r.n;
  return leaders;
}

Result<int64_t, SubmitError> Engine::submit(GenerationRequest request, EventSink sink) {
  auto req = std::make_shared<RequestState>();
  req->request = std::move(request);
  req->sink = std::move(sink);
  req->arrival = Clock::now();
  auto seqs = make_sequences(req);
  if (!seqs) return seqs.take_error();
  std::lock_guard lock(mu_);
  if (stop_) return SubmitError{SubmitError::Kind::kShuttingDown, "the server is shutting down", ""};
  if (static_cast<int64_t>(incoming_.size()) + n_waiting_.load() >= opt_.max_queue) {
    return SubmitError{SubmitError::Kind::kQueueFull, fmt::format("the queue is full ({} waiting)", opt_.max_queue), ""};
  }
  req->id = next_id_++;
  for (auto& s : *seqs) incoming_.push_back(std::move(s));
  cv_.notify_one();
  return req->id;
}

void Engine::cancel(int64_t request_id) {
  {
    std::lock_guard lock(mu_);
    cancel_requests_.insert(request_id);
  }
  cv_.notify_one();
}

void Engine::loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        return stop_ || !incoming_.empty() || !cancel_requests_.empty() || !scheduler_.running().empty() ||
               !scheduler_.waiting().empty();
      });
      while (!incoming_.empty()) {
        scheduler_.enqueue(std::move(incoming_.front()));
        incoming_.pop_front();
      }
      if (stop_) break;  // after the hand-over: requests submitted just before still get their finish
      for (int64_t id : cancel_requests_) {
        for (auto& s : scheduler_.running()) if (s->req->id == id) s->req->cancelled = true;
        for (auto& s : scheduler_.waiting()) if (s->req->id == id) s->req->cancelled = true;
      }
      cancel_requests_.clear();
    }
    step();
  }
  // Shutting down: every open sequence ends as cancelled so no client waits forever.
  for (auto& s : scheduler_.running()) s->req->cancelled = true;
  for (auto& s : scheduler_.waiting()) s->req->cancelled = true;
  drop_cancelled();
}

void Engine::publish_gauges() {
  n_waiting_ = static_cast<int64_t>(scheduler_.waiting().size());
  metrics_.set_gauges(static_cast<int64_t>(scheduler_.running().size()), n_waiting_, scheduler_.pool().n_used(),
                      scheduler_.pool().n_blocks());
  metrics_.set_totals(scheduler_.stats().prefix_hit_tokens, scheduler_.stats().preemptions);
}

void Engine::step() {
  drop_cancelled();
  const auto step_start = Clock::now();
  StepPlan plan = scheduler_.schedule();
  if (plan.empty()) {
    publish_gauges();
    return;
  }
  logits_.resize(static_cast<size_t>(plan.n_logit_rows) * model_->config().n_vocab);
  auto status = model_->forward(plan.batch, cache_, pool_, logits_.data());
  if (!status) {
    for (const auto& slot : plan.slots) {
      GenerationEvent ev;
      ev.error = status.error().message;
      finish(*slot.seq, FinishReason::kError, std::move(ev));
    }
    publish_gauges();
    return;
  }
  scheduler_.commit(plan);
  int64_t prefilled = 0;
  const int32_t n_vocab = model_->config().n_vocab;
  for (const auto& slot : plan.slots) {
    Sequence& seq = *slot.seq;
    if (!seq.queue_time_observed) {
      seq.queue_time_observed = true;
      metrics_.observe_queue(std::chrono::duration<double>(Clock::now() - seq.req->arrival).count());
    }
    prefilled += std::max(0, std::min(slot.first_pos + slot.n_tokens, seq.n_prompt) - slot.first_pos);
    if (slot.first_score_row >= 0) {
      const int32_t n_rows = std::min(slot.first_pos + slot.n_tokens, seq.n_prompt) - slot.first_pos;
      score_prompt(seq, &logits_[static_cast<size_t>(slot.first_score_row) * n_vocab], slot.first_pos, n_rows);
    }
    if (slot.logits_row >= 0) on_logits(seq, &logits_[static_cast<size_t>(slot.logits_row) * n_vocab]);
  }
  metrics_.add_counts(prefilled, 0);
  // The whole step (scheduling, forward, sampling, events) is what a stream waits between tokens.
  scheduler_.observe_step(plan.shape, std::chrono::duration<double>(Clock::now() - step_start).count());
  publish_gauges();
}

}  // namespace mynah::engine
