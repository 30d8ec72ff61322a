#include "service/callbacks.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "core/error.h"
#include "core/log.h"
#include "media/base64.h"
#include "service/auth.h"

namespace dh::service {
namespace {

struct CurlCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t discardBody(char*, size_t size, size_t count, void*) {
  return size * count;
}

}  // namespace

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

CallbackDispatcher::CallbackDispatcher(TaskService& tasks) : tasks_(tasks) {}

CallbackDispatcher::~CallbackDispatcher() {
  stop();
}

void CallbackDispatcher::start() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
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
  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  std::vector<std::string> lines = {"Content-Type: application/json"};
  if (!config.webhookSecret.empty()) {
    const std::string id = "msg_" + std::to_string(record.id);
    const long long timestamp = store::nowMillis() / 1000;
    std::string signatures;  // space-separated, one per secret, so receivers can rotate
    for (const auto& secret : config.webhookSecret) {
      if (!signatures.empty()) signatures += ' ';
      signatures += signWebhook(secret, id, timestamp, record.body).signature;
    }
    lines.push_back("webhook-id: " + id);
    lines.push_back("webhook-timestamp: " + std::to_string(timestamp));
    lines.push_back("webhook-signature: " + signatures);
  }
  std::unique_ptr<curl_slist, HeaderListCleanup> headers;
  for (const auto& line : lines) {
    curl_slist* extended = curl_slist_append(headers.get(), line.c_str());
    headers.release();
    headers.reset(extended);
  }
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, record.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, record.body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(record.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(config.callbackTimeoutSeconds));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config.callbackTimeoutSeconds));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discardBody);
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_OK && status >= 200 && status < 300) {
    tasks_.store().callbackDelivered(record.id);
    tasks_.metrics().callbackAttempt(true);
    log->info("task {} callback delivered to {} (attempt {})", record.taskId, record.url,
              record.attempts);
    return;
  }
  tasks_.metrics().callbackAttempt(false);
  const std::string error =
      rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP " + std::to_string(status);
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
