#pragma once
// In-process counters and histograms for /metrics (Prometheus text format). Store-derived
// figures (queue depth, tasks by status) are read at scrape time.
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "store/store.h"

namespace dh::service {

class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.5,    1,     5,    30,    120};
  void observe(double seconds);
  // Appends the text exposition of this histogram as `name` with `labels` ("a=\"b\"" or "").
  void write(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  mutable std::mutex mutex_;
  std::array<uint64_t, kBounds.size()> buckets_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

class Metrics {
 public:
  void observeHttp(const std::string& route, int status, double seconds);
  void observeRender(const std::string& mode, double seconds, bool ok);
  void callbackAttempt(bool ok);
  std::string render(const store::Counts& counts) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Histogram> httpLatency_;    // by route
  std::map<std::string, uint64_t> httpRequests_;    // "route|status"
  std::map<std::string, Histogram> renderSeconds_;  // by mode
  std::atomic<uint64_t> rendersOk_{0}, rendersFailed_{0};
  std::atomic<uint64_t> callbacksOk_{0}, callbacksFailed_{0};
};

}  // namespace dh::service
