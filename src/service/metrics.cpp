#include "service/metrics.h"

#include <fmt/format.h>

namespace dh::service {

void Histogram::observe(double seconds) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) ++buckets_[i];
  }
  ++count_;
  sum_ += seconds;
}

void Histogram::write(std::string& out, const std::string& name, const std::string& labels) const {
  std::lock_guard lock(mutex_);
  const std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < kBounds.size(); ++i) {
    out +=
        fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBounds[i], buckets_[i]);
  }
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, count_);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, sum_, name, braces, count_);
}

void Metrics::observeHttp(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  httpLatency_[route].observe(seconds);
  ++httpRequests_[route + "|" + std::to_string(status)];
}

void Metrics::observeRender(const std::string& mode, double seconds, bool ok) {
  if (ok) {
    ++rendersOk_;
    std::lock_guard lock(mutex_);
    renderSeconds_[mode].observe(seconds);
  } else {
    ++rendersFailed_;
  }
}

void Metrics::callbackAttempt(bool ok) {
  ++(ok ? callbacksOk_ : callbacksFailed_);
}

std::string Metrics::render(const store::Counts& counts) const {
  std::string out;
  out += "# HELP dh_queue_depth Tasks submitted and waiting for a worker.\n";
  out += "# TYPE dh_queue_depth gauge\n";
  out += fmt::format("dh_queue_depth {}\n", counts.queueDepth);
  out += "# HELP dh_tasks Tasks in the store by status.\n# TYPE dh_tasks gauge\n";
  for (const auto& [status, n] : counts.tasksByStatus)
    out += fmt::format("dh_tasks{{status=\"{}\"}} {}\n", status, n);
  out += "# HELP dh_callbacks_pending Callback deliveries not yet made.\n";
  out += "# TYPE dh_callbacks_pending gauge\n";
  out += fmt::format("dh_callbacks_pending {}\n", counts.pendingCallbacks);
  out += "# TYPE dh_renders_total counter\n";
  out += fmt::format("dh_renders_total{{result=\"ok\"}} {}\n", rendersOk_.load());
  out += fmt::format("dh_renders_total{{result=\"failed\"}} {}\n", rendersFailed_.load());
  out += "# TYPE dh_callback_attempts_total counter\n";
  out += fmt::format("dh_callback_attempts_total{{result=\"ok\"}} {}\n", callbacksOk_.load());
  out +=
      fmt::format("dh_callback_attempts_total{{result=\"failed\"}} {}\n", callbacksFailed_.load());
  std::lock_guard lock(mutex_);
  out += "# HELP dh_render_seconds Wall time of successful renders.\n";
  out += "# TYPE dh_render_seconds histogram\n";
  for (const auto& [mode, h] : renderSeconds_)
    h.write(out, "dh_render_seconds", "mode=\"" + mode + "\"");
  out += "# HELP dh_http_request_seconds Request latency by route.\n";
  out += "# TYPE dh_http_request_seconds histogram\n";
  for (const auto& [route, h] : httpLatency_)
    h.write(out, "dh_http_request_seconds", "route=\"" + route + "\"");
  out += "# TYPE dh_http_requests_total counter\n";
  for (const auto& [key, n] : httpRequests_) {
    const size_t bar = key.find('|');
    out += fmt::format("dh_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                       key.substr(0, bar), key.substr(bar + 1), n);
  }
  return out;
}

}  // namespace dh::service
