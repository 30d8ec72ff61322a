#include "service/callbacks.h"

#include <algorithm>
#include <memory>

#include "core/error.h"
#include "core/log.h"
#include "media/base64.h"
#include "service/auth.h"

namespace dh::service {
WebhookHeaders signWebhook(const std::string& secret, const std::string& id, long long timestamp,
                           const std::string& body) {
  const std::string prefix = "whsec_";
  const std::string encoded = secret.rfind(prefix, 0) == 0 ? secret.substr(prefix.size()) : secret;
  const auto key = media::decodeBase64(encoded, "webhook-secret");
  const std::string ts = std::to_string(timestamp);
  const std::string mac =
      hmacSha256(std::string(key.begin(), key.end()), id + "." + ts + "." + body);
  return {id, ts,
          "v1," + media::encodeBase64(reinterpret_cast<const uint8_t*>(mac.data()), mac.size())};
}

CallbackDispatcher::CallbackDispatcher(TaskService& tasks) : tasks_(tasks) {
  post_.timeoutSeconds = tasks.config().callbackTimeoutSeconds;
  post_.allowed = parseCidrs(tasks.config().allowCallbackTo, "allow-callback-to");
}

CallbackDispatcher::~CallbackDispatcher() {
  stop();
}

void CallbackDispatcher::start() {
  for (int i = 0; i < std::max(1, tasks_.config().callbackThreads); ++i)
    threads_.emplace_back([this] { loop(); });
}

void CallbackDispatcher::stop() {
  if (stopping_.exchange(true)) return;
  tasks_.wakeAll();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void CallbackDispatcher::loop() {
  const store::Millis inflight = (tasks_.config().callbackTimeoutSeconds + 5) * 1000LL;
  while (!stopping_.load()) {
    std::optional<store::CallbackRecord> record;
    try {
      record = tasks_.store().claimCallback(inflight);
    } catch (const std::exception& e) {
      core::logger("callback")->error("claim failed: {}", core::describe(e));
    }
    if (!record) {
      tasks_.waitForCallbacks(std::chrono::milliseconds(200));
      continue;
    }
    deliver(*record);
  }
}

void CallbackDispatcher::deliver(const store::CallbackRecord& record) {
  const auto& config = tasks_.config();
  auto log = core::logger("callback");
  // Every delivery carries the Standard Webhooks id (task and outbox row: the same for every
  // retry of one event, so receivers can de-duplicate, and distinct across servers with their own
  // stores) and the attempt's time; a signature when the operator set a secret.
  const std::string id = "msg_" + record.taskId + "_" + std::to_string(record.id);
  const long long timestamp = store::nowMillis() / 1000;
  std::vector<std::string> lines = {"Content-Type: application/json", "webhook-id: " + id,
                                    "webhook-timestamp: " + std::to_string(timestamp)};
  if (!config.webhookSecret.empty()) {
    std::string signatures;  // space-separated, one per secret, so receivers can rotate
    for (const auto& secret : config.webhookSecret) {
      if (!signatures.empty()) signatures += ' ';
      signatures += signWebhook(secret, id, timestamp, record.body).signature;
    }
    lines.push_back("webhook-signature: " + signatures);
  }
  const PostOutcome outcome = postUrl(record.url, record.body, lines, post_);
  if (outcome.error.empty() && outcome.status >= 200 && outcome.status < 300) {
    tasks_.store().callbackDelivered(record.id);
    tasks_.metrics().callbackAttempt(true);
    log->info("task {} callback delivered to {} (attempt {})", record.taskId, record.url,
              record.attempts);
    return;
  }
  if (outcome.refused) {
    // The operator's policy, not a passing failure: retrying would only ask again.
    tasks_.metrics().callbackAttempt(false);
    tasks_.store().callbackGiveUp(record.id, "refused: " + outcome.error);
    log->warn("task {} callback to {} refused: {} (see --allow-callback-to)", record.taskId,
              record.url, outcome.error);
    return;
  }
  tasks_.metrics().callbackAttempt(false);
  const std::string error =
      !outcome.error.empty() ? outcome.error : "HTTP " + std::to_string(outcome.status);
  const store::Millis now = store::nowMillis();
  const int exponent = std::min(record.attempts - 1, 30);
  const store::Millis delay = std::min<store::Millis>(
      static_cast<store::Millis>(config.callbackRetryBaseMs) << exponent, 3600 * 1000LL);
  const store::Millis horizon =
      record.firstAttemptAt + static_cast<store::Millis>(config.callbackMaxHours) * 3600 * 1000LL;
  if (now + delay > horizon) {
    tasks_.store().callbackGiveUp(record.id, error);
    log->warn("task {} callback to {} given up after {} attempts: {}", record.taskId, record.url,
              record.attempts, error);
    return;
  }
  tasks_.store().callbackRetry(record.id, now + delay, error);
  log->info("task {} callback to {} failed ({}), retry {} in {} ms", record.taskId, record.url,
            error, record.attempts + 1, delay);
}

}  // namespace dh::service
