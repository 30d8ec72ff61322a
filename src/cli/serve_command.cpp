// `dh serve`: the HTTP service. Every flag also reads DH_<NAME> from the environment.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/service_options.h"
#include "core/log.h"
#include "service/service.h"

namespace dh::cli {
namespace {

// Signals may land on any thread (libraries start their own), so the handler only writes the
// signal number to a pipe; a waiting thread stops the server from there.
int signalPipe[2] = {-1, -1};

void onSignal(int number) {
  const char byte = static_cast<char>(number);
  [[maybe_unused]] const auto written = write(signalPipe[1], &byte, 1);
}

int runServe(service::ServiceConfig config) {
  core::setLogLevel(config.logLevel);
  if (pipe(signalPipe) != 0) throw std::runtime_error("cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  service::Service server(config);
  const int port = server.bind();
  std::cout << "listening on http://" << config.host << ":" << port << std::endl;
  std::thread waiter([&] {
    char received = 0;
    if (read(signalPipe[0], &received, 1) == 1 && received != 0) {
      core::logger("serve")->info("signal {} received: shutting down", static_cast<int>(received));
      server.stop();
    }
  });
  server.run();
  // run() may also return on its own: release the waiter.
  onSignal(0);
  waiter.join();
  return 0;
}

std::vector<std::string> splitList(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      const size_t comma = item.find(',', start);
      const std::string part = item.substr(start, comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace

Command addServeCommand(CLI::App& app) {
  auto c = std::make_shared<service::ServiceConfig>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the HTTP service (both API dialects)");
  const OptionAdder opt(cmd);
  opt("--host", c->host, "HOST", "Listen address");
  opt("--port", c->port, "PORT", "Listen port (0 = any free port)");
  opt("--db", c->db, "DB", "Store: SQLite file (WAL) or sqlite:PATH");
  opt("--media-dir", c->mediaDir, "MEDIA_DIR", "Directory for results, uploads and audio");
  opt("--public-url", c->publicUrl, "PUBLIC_URL",
      "Base of the media URLs handed out (default http://HOST:PORT)");
  opt("--workers", c->workers, "WORKERS", "Render worker threads");
  opt("--http-threads", c->httpThreads, "HTTP_THREADS", "HTTP request threads");
  opt("--read-timeout-seconds", c->readTimeoutSeconds, "READ_TIMEOUT_SECONDS",
      "Disconnect a client that sends nothing of its request (line, headers, body) for this long");
  opt("--write-timeout-seconds", c->writeTimeoutSeconds, "WRITE_TIMEOUT_SECONDS",
      "Disconnect a client that takes nothing of an answer for this long");
  opt("--keep-alive-timeout-seconds", c->keepAliveTimeoutSeconds, "KEEP_ALIVE_TIMEOUT_SECONDS",
      "Close an idle connection (or a new one that sends nothing) after this long");
  opt("--purge-interval-seconds", c->purgeIntervalSeconds, "PURGE_INTERVAL_SECONDS",
      "How often expired media are looked for");
  opt("--webhook-secret", c->webhookSecret, "WEBHOOK_SECRET",
      "whsec_<base64>: sign callbacks with Standard Webhooks headers (repeat to rotate)");
  opt("--callback-retry-base-ms", c->callbackRetryBaseMs, "CALLBACK_RETRY_BASE_MS",
      "First callback retry delay; doubles per attempt");
  opt("--callback-max-hours", c->callbackMaxHours, "CALLBACK_MAX_HOURS",
      "Stop retrying a callback after this long");
  opt("--allow-fetch-from", c->allowFetchFrom, "ALLOW_FETCH_FROM",
      "CIDRs URL fetches may reach although loopback/private (e.g. 127.0.0.0/8)")
      ->delimiter(',');
  opt("--allow-callback-to", c->allowCallbackTo, "ALLOW_CALLBACK_TO",
      "CIDRs callbacks may reach although loopback/private/link-local (e.g. 127.0.0.0/8)")
      ->delimiter(',');
  opt("--fetch-timeout-seconds", c->fetchTimeoutSeconds, "FETCH_TIMEOUT_SECONDS",
      "Total time allowed for fetching one input URL");
  opt("--allow-client-ip", c->allowClientIps, "ALLOW_CLIENT_IP",
      "When set, only clients in these CIDRs may call the API")
      ->delimiter(',');
  opt("--rate-limit-per-minute", c->rateLimitPerMinute, "RATE_LIMIT_PER_MINUTE",
      "Requests per key per minute (0 = unlimited)");
  opt("--max-active-tasks-per-key", c->maxActiveTasksPerKey, "MAX_ACTIVE_TASKS_PER_KEY",
      "Submitted + processing tasks per key (0 = unlimited)");
  opt("--blocked-prompt-words", c->blockedPromptWords, "BLOCKED_PROMPT_WORDS",
      "Prompts containing one of these words are refused (policy, code 1300)")
      ->delimiter(',');
  opt("--jwt-clock-skew-seconds", c->jwtClockSkewSeconds, "JWT_CLOCK_SKEW_SECONDS",
      "Tolerance for JWT nbf/exp against this server's clock");
  opt("--min-free-disk-mb", c->minFreeDiskMb, "MIN_FREE_DISK_MB",
      "Refuse submits (503 / 5001) below this much free space for media, MiB (0 = off)");
  opt("--live-port", c->livePort, "LIVE_PORT",
      "WebSocket port of live sessions (0 = HTTP port + 1, or free; -1 = no live sessions)");
  opt("--live-idle-seconds", c->liveIdleSeconds, "LIVE_IDLE_SECONDS",
      "Close a live session after this long without a client message");
  opt("--max-live-sessions", c->maxLiveSessions, "MAX_LIVE_SESSIONS",
      "Live sessions on this server at once (0 = unlimited)");
  opt("--max-live-sessions-per-key", c->maxLiveSessionsPerKey, "MAX_LIVE_SESSIONS_PER_KEY",
      "Live sessions of one key at once (0 = unlimited)");
  opt("--live-public-url", c->livePublicUrl, "LIVE_PUBLIC_URL",
      "Base of the ws_url handed out, e.g. wss://host/live behind a proxy (default: the public "
      "URL's host, ws:// or wss://, the live port)");
  addSharedStoreOptions(opt, *c);
  cmd->add_flag("--maintenance", c->maintenance, "Refuse new tasks with 503 / 5001")
      ->envname("DH_MAINTENANCE");
  return {cmd, [c] {
            c->allowFetchFrom = splitList(c->allowFetchFrom);
            c->allowCallbackTo = splitList(c->allowCallbackTo);
            c->allowClientIps = splitList(c->allowClientIps);
            c->blockedPromptWords = splitList(c->blockedPromptWords);
            return runServe(*c);
          }};
}

}  // namespace dh::cli
