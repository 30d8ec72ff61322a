#include "service/service.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/log.h"
#include "live/live_hub.h"
#include "service/callbacks.h"
#include "service/connections.h"
#include "service/http_api.h"
#include "service/task_service.h"
#include "service/worker_pool.h"
#include "store/local_dir_media_store.h"
#include "store/store.h"

namespace dh::service {

struct Service::Parts {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::MediaStore> media;
  Metrics metrics;
  std::unique_ptr<TaskService> tasks;
  std::unique_ptr<WorkerPool> workers;
  std::unique_ptr<CallbackDispatcher> callbacks;
  httplib::Server server;
  std::unique_ptr<HttpApi> api;
  std::unique_ptr<live::LiveHub> live;  // live sessions' WebSocket (none with --live-port -1)
};

namespace {

nlohmann::json describeConfig(const ServiceConfig& c) {
  return {{"host", c.host},
          {"port", c.port},
          {"db", c.db},
          {"media_dir", c.mediaDir},
          {"public_url", c.publicUrl},
          {"workers", c.workers},
          {"max_running_renders", c.maxRunningRenders},
          {"http_threads", c.httpThreads},
          {"read_timeout_seconds", c.readTimeoutSeconds},
          {"write_timeout_seconds", c.writeTimeoutSeconds},
          {"keep_alive_timeout_seconds", c.keepAliveTimeoutSeconds},
          {"std_rate", c.stdRate},
          {"pro_rate", c.proRate},
          {"lease_seconds", c.leaseSeconds},
          {"max_attempts", c.maxAttempts},
          {"shutdown_grace_seconds", c.shutdownGraceSeconds},
          {"retention_days", c.retentionDays},
          {"webhook_secret", c.webhookSecret.empty() ? "(none)" : "(set)"},
          {"callback_retry_base_ms", c.callbackRetryBaseMs},
          {"callback_max_hours", c.callbackMaxHours},
          {"allow_fetch_from", c.allowFetchFrom},
          {"allow_callback_to", c.allowCallbackTo},
          {"allow_client_ips", c.allowClientIps},
          {"rate_limit_per_minute", c.rateLimitPerMinute},
          {"max_active_tasks_per_key", c.maxActiveTasksPerKey},
          {"blocked_prompt_words", c.blockedPromptWords},
          {"maintenance", c.maintenance},
          {"live_port", c.livePort},
          {"live_idle_seconds", c.liveIdleSeconds},
          {"max_live_sessions", c.maxLiveSessions},
          {"max_live_sessions_per_key", c.maxLiveSessionsPerKey},
          {"live_public_url", c.livePublicUrl}};
}

void requirePositive(int value, const std::string& flag) {
  if (value < 1)
    throw core::Error(core::ErrorKind::InvalidInput,
                      "--" + flag + ": must be at least 1 second, got " + std::to_string(value),
                      flag);
}

}  // namespace

Service::Service(ServiceConfig config)
    : config_(std::move(config)), parts_(std::make_unique<Parts>()) {
  parts_->store = store::openStore(config_.db);
  parts_->media = std::make_unique<store::LocalDirMediaStore>(config_.mediaDir);
}

Service::~Service() = default;

int Service::bind() {
  auto& p = *parts_;
  const int threads = std::max(2, config_.httpThreads);
  p.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  p.server.set_tcp_nodelay(true);
  p.server.set_keep_alive_max_count(100000);
  requirePositive(config_.readTimeoutSeconds, "read-timeout-seconds");
  requirePositive(config_.writeTimeoutSeconds, "write-timeout-seconds");
  requirePositive(config_.keepAliveTimeoutSeconds, "keep-alive-timeout-seconds");
  p.server.set_keep_alive_timeout(config_.keepAliveTimeoutSeconds);
  p.server.set_payload_max_length(kMaxBodyBytes);
  p.server.set_read_timeout(config_.readTimeoutSeconds);
  p.server.set_write_timeout(config_.writeTimeoutSeconds);
  if (config_.port == 0) {
    config_.port = p.server.bind_to_any_port(config_.host);
  } else if (!p.server.bind_to_port(config_.host, config_.port)) {
    throw core::Error(
        core::ErrorKind::InvalidInput,
        "--port: cannot listen on " + config_.host + ":" + std::to_string(config_.port), "port");
  }
  if (config_.port <= 0)
    throw core::Error(core::ErrorKind::Internal, "cannot bind a port on " + config_.host);
  // The task service is made after binding: it needs the final port for URLs.
  p.tasks = std::make_unique<TaskService>(config_, *p.store, *p.media, p.metrics);
  p.workers = std::make_unique<WorkerPool>(*p.tasks);
  p.callbacks = std::make_unique<CallbackDispatcher>(*p.tasks);
  p.api = std::make_unique<HttpApi>(*p.tasks, p.server, [this] { return !stopping_.load(); });
  if (config_.livePort >= 0) bindLive();
  p.api->registerRoutes();
  return config_.port;
}

void Service::bindLive() {
  auto& p = *parts_;
  live::HubSettings settings;
  settings.host = config_.host;
  settings.idleSeconds = config_.liveIdleSeconds;
  settings.maxSessions = config_.maxLiveSessions;
  settings.maxPerKey = config_.maxLiveSessionsPerKey;
  requirePositive(config_.liveIdleSeconds, "live-idle-seconds");
  const auto make = [&](int port) {
    settings.port = port;
    auto hub = std::make_unique<live::LiveHub>(settings, liveErrorEvent,
                                               [] { return store::randomHex(16); });
    hub->bind();
    return hub;
  };
  if (config_.livePort > 0) {
    p.live = make(config_.livePort);
  } else {
    // Next to the HTTP port when it is free, else wherever the system says.
    try {
      p.live = make(config_.port + 1);
    } catch (const std::exception&) {
      p.live = make(0);
    }
  }
  p.api->setLiveHub(p.live.get());
}

void Service::run() {
  auto& p = *parts_;
  if (!p.tasks) bind();
  auto log = core::logger("serve");
  log->info("config {}", describeConfig(config_).dump());
  p.workers->start();
  p.callbacks->start();
  log->info("listening on http://{}:{} ({} workers)", config_.host, config_.port, config_.workers);
  if (p.live) {
    p.live->start();
    log->info("live sessions on ws://{}:{}", config_.host, p.live->port());
  }
  p.server.listen_after_bind();
  if (p.live) p.live->stop();
  log->info("stopped accepting requests; finishing running renders (up to {} s)",
            config_.shutdownGraceSeconds);
  p.workers->stop(config_.shutdownGraceSeconds);
  p.callbacks->stop();
  log->info("shut down");
}

void Service::stop() {
  if (stopping_.exchange(true)) return;
  parts_->server.stop();
  if (config_.port > 0) {
    const int woken = shutdownClientReads(config_.port);
    if (woken > 0) core::logger("serve")->info("closing {} open client connections", woken);
  }
}

}  // namespace dh::service
