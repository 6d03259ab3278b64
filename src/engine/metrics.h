// Engine metrics in Prometheus text exposition format (names prefixed mynah_). Written by the engine
// thread, read by the HTTP thread, so every access takes the mutex.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <string>
#include <vector>

namespace mynah::engine {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void observe(double value);
  void render(std::string& out, const std::string& name, const std::string& help) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative); the last is +Inf
  double sum_ = 0.0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();

  void set_gauges(int64_t running, int64_t waiting, int64_t kv_used, int64_t kv_total);
  void add_counts(int64_t prefilled, int64_t generated);
  // Counts a finished sequence under its finish reason (stop, length, cancelled, error).
  void add_finished(std::string_view reason);
  void set_totals(int64_t prefix_hit_tokens, int64_t preemptions);
  void observe_ttft(double s);
  void observe_itl(double s);
  void observe_e2e(double s);
  void observe_queue(double s);

  std::string render() const;

 private:
  mutable std::mutex mu_;
  int64_t running_ = 0, waiting_ = 0, kv_used_ = 0, kv_total_ = 0;
  int64_t prefilled_ = 0, generated_ = 0;
  std::map<std::string, int64_t, std::less<>> finished_;
  int64_t prefix_hits_ = 0, preemptions_ = 0;
  Histogram ttft_, itl_, e2e_, queue_;
};

}  // namespace mynah::engine
