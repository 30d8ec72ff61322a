#pragma once
// Submitting tasks (both dialects), their JSON views, and status-change notification (callback
// outbox + waking the workers). Shared by the HTTP routes and the worker pool.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "service/api_error.h"
#include "service/config.h"
#include "service/inputs.h"
#include "service/metrics.h"
#include "store/media_store.h"
#include "store/store.h"

namespace dh::service {

struct SubmitRequest {
  Dialect dialect = Dialect::Kling;
  std::string mode = "std";
  std::string model;      // unified model name
  std::string image;      // URL or Base64
  std::string soundFile;  // URL or Base64; empty when audioId is used
  std::string audioId;
  std::string prompt;
  bool watermark = false;
  std::string callbackUrl;
  std::string externalTaskId;
  std::optional<double> declaredAudioSeconds;  // unified only
};

// Model names of the unified dialect.
std::string modelForMode(const std::string& mode);
std::optional<std::string> modeForModel(const std::string& model);

class TaskService {
 public:
  TaskService(const ServiceConfig& config, store::Store& store, store::MediaStore& media,
              Metrics& metrics);

  // Validates, stores inputs and enqueues. Throws ApiError / core::Error for the caller.
  store::Task submit(const store::ApiKey& account, const SubmitRequest& request);

  nlohmann::json klingData(const store::Task& task) const;
  nlohmann::json unifiedJob(const store::Task& task) const;
  // The live stream's playlist URL once it exists (processing, and after), else nullopt.
  std::optional<std::string> streamUrl(const store::Task& task) const;

  // Queues the callback for the task's current state (if it has a callback_url).
  void statusChanged(const store::Task& task);

  double rateFor(const std::string& mode) const;
  std::string mediaUrl(const std::string& relative) const;

  // Workers wait here for new tasks; the callback dispatcher for new deliveries.
  void waitForWork(std::chrono::milliseconds timeout);
  void waitForCallbacks(std::chrono::milliseconds timeout);
  void wakeAll();

  InputResolver& inputs() { return inputs_; }
  store::Store& store() { return store_; }
  store::MediaStore& media() { return media_; }
  Metrics& metrics() { return metrics_; }
  const ServiceConfig& config() const { return config_; }

 private:
  const ServiceConfig& config_;
  store::Store& store_;
  store::MediaStore& media_;
  Metrics& metrics_;
  InputResolver inputs_;
  std::mutex mutex_;
  std::condition_variable workCv_, callbackCv_;
  uint64_t workSeq_ = 0, callbackSeq_ = 0;
};

}  // namespace dh::service
