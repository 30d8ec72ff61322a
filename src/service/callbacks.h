#pragma once
// Callback delivery from the store's outbox: at least once, in order per task, on threads of its
// own so a slow or dead receiver never holds up rendering. Failed attempts are retried with
// exponential backoff until the configured horizon (24 h by default). Deliveries go through the
// guarded client of URL fetches (fetch.h) without redirects: an address in a loopback, private,
// link-local or metadata range is refused, once and for good, unless --allow-callback-to has it.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "service/fetch.h"
#include "service/task_service.h"

namespace dh::service {

struct WebhookHeaders {
  std::string id;         // webhook-id
  std::string timestamp;  // webhook-timestamp (Unix seconds)
  std::string signature;  // webhook-signature: "v1,<base64 HMAC-SHA256>"
};

// Standard Webhooks signing: HMAC-SHA256 over "id.timestamp.body" with the secret's bytes
// (the Base64 part after "whsec_"). Throws core::Error(InvalidInput) for a malformed secret.
WebhookHeaders signWebhook(const std::string& secret, const std::string& id, long long timestamp,
                           const std::string& body);

class CallbackDispatcher {
 public:
  explicit CallbackDispatcher(TaskService& tasks);
  ~CallbackDispatcher();
  void start();
  void stop();

 private:
  void loop();
  void deliver(const store::CallbackRecord& record);

  TaskService& tasks_;
  PostOptions post_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
};

}  // namespace dh::service
