// Metrics rendering; latency buckets in seconds follow vLLM's spacing.
#include "engine/metrics.h"

#include <fmt/format.h>

namespace mynah::engine {

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& help) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, bounds_[i], cumulative);
  }
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, count_, name, sum_, name, count_);
}

namespace {
std::vector<double> latency_buckets() {
  return {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
}
}  // namespace

Metrics::Metrics() : ttft_(latency_buckets()), itl_(latency_buckets()), e2e_(latency_buckets()), queue_(latency_buckets()) {}

void Metrics::set_gauges(int64_t running, int64_t waiting, int64_t kv_used, int64_t kv_total) {
  std::lock_guard lock(mu_);
  running_ = running;
  waiting_ = waiting;
  kv_used_ = kv_used;
  kv_total_ = kv_total;
}

void Metrics::add_counts(int64_t prefilled, int64_t generated) {
  std::lock_guard lock(mu_);
  prefilled_ += prefilled;
  generated_ += generated;
}

void Metrics::add_finished(std::string_view reason) {
  std::lock_guard lock(mu_);
  auto it = finished_.find(reason);
  if (it == finished_.end()) it = finished_.emplace(std::string(reason), 0).first;
  ++it->second;
}

void Metrics::set_totals(int64_t prefix_hit_tokens, int64_t preemptions) {
  std::lock_guard lock(mu_);
  prefix_hits_ = prefix_hit_tokens;
  preemptions_ = preemptions;
}

void Metrics::observe_ttft(double s) { std::lock_guard lock(mu_); ttft_.observe(s); }
void Metrics::observe_itl(double s) { std::lock_guard lock(mu_); itl_.observe(s); }
void Metrics::observe_e2e(double s) { std::lock_guard lock(mu_); e2e_.observe(s); }
void Metrics::observe_queue(double s) { std::lock_guard lock(mu_); queue_.observe(s); }

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  auto gauge = [&](const char* name, const char* help, int64_t v) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, v);
  };
  auto counter = [&](const char* name, const char* help, int64_t v) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, v);
  };
  gauge("mynah_requests_running", "Sequences being computed.", running_);
  gauge("mynah_requests_waiting", "Sequences waiting to be admitted.", waiting_);
  gauge("mynah_kv_blocks_used", "KV cache blocks held by sequences.", kv_used_);
  gauge("mynah_kv_blocks_total", "KV cache blocks in the pool.", kv_total_);
  counter("mynah_prompt_tokens_total", "Prompt tokens prefilled (cache hits excluded).", prefilled_);
  counter("mynah_generation_tokens_total", "Tokens generated.", generated_);
  counter("mynah_prefix_cache_hit_tokens_total", "Prompt tokens served from the prefix cache.", prefix_hits_);
  counter("mynah_preemptions_total", "Sequences preempted for lack of KV blocks.", preemptions_);
  out += "# HELP mynah_requests_total Finished sequences by finish reason.\n# TYPE mynah_requests_total counter\n";
  for (const char* reason : {"stop", "length", "cancelled", "error"}) {
    auto it = finished_.find(std::string_view(reason));
    out += fmt::format("mynah_requests_total{{finish_reason=\"{}\"}} {}\n", reason, it == finished_.end() ? 0 : it->second);
  }
  ttft_.render(out, "mynah_time_to_first_token_seconds", "Time from arrival to the first generated token.");
  itl_.render(out, "mynah_inter_token_latency_seconds", "Time between consecutive generated tokens.");
  e2e_.render(out, "mynah_e2e_request_latency_seconds", "Time from arrival to the last token.");
  queue_.render(out, "mynah_queue_time_seconds", "Time from arrival to first admission.");
  return out;
}

}  // namespace mynah::engine
