#pragma once
// Everything `dh serve` can be told, with defaults and units. Each field has a --flag and a
// DH_* environment variable (see cli/serve_command.cpp).
#include <string>
#include <vector>

namespace dh::service {

struct ServiceConfig {
  std::string host = "127.0.0.1";       // listen address
  int port = 8080;                      // listen port; 0 picks a free one
  std::string db = "data/dh.sqlite";    // store: SQLite file path (or sqlite:PATH)
  std::string mediaDir = "data/media";  // results, uploads, inputs and TTS audio
  std::string publicUrl;                // base of the URLs handed out; default http://HOST:PORT
  int workers = 2;                      // render threads
  int maxRunningRenders = 0;            // renders at once across every process sharing the
                                        // store (tasks with a live lease); 0 = unlimited
  int httpThreads = 64;                 // request threads; an open keep-alive connection holds one
  int readTimeoutSeconds = 30;  // longest wait for the next bytes of a request (line, headers,
                                // body); a client silent longer is disconnected
  int writeTimeoutSeconds = 5;  // longest wait for a client to take the next bytes of an answer
  int keepAliveTimeoutSeconds = 30;  // an idle connection (also a new one before its first byte)
                                     // is closed after this long

  double stdRate = 0.4;  // units per output second, std mode
  double proRate = 0.8;  // units per output second, pro mode

  int leaseSeconds = 30;          // a claim lapses this long after the last heartbeat
  int maxAttempts = 3;            // claims before a task whose worker died is failed
  int shutdownGraceSeconds = 20;  // running renders get this long to finish on SIGTERM
  int retentionDays = 30;         // media older than this are purged
  int purgeIntervalSeconds = 3600;

  std::vector<std::string> webhookSecret;  // "whsec_<base64>" each: sign callbacks (Standard
                                           // Webhooks); several while rotating, one v1 each
  int callbackRetryBaseMs = 5000;          // first retry delay; doubles per attempt
  int callbackMaxHours = 24;               // stop retrying after this long
  int callbackTimeoutSeconds = 10;         // per delivery attempt
  int callbackThreads = 2;
  std::vector<std::string> allowCallbackTo;  // CIDRs callbacks may reach despite the
                                             // loopback/private/link-local/metadata ban

  std::vector<std::string> allowFetchFrom;  // CIDRs that URL fetches may reach despite the
                                            // private/loopback ban (e.g. 127.0.0.0/8)
  int fetchTimeoutSeconds = 30;             // total time of one URL fetch
  int fetchConnectTimeoutSeconds = 10;
  int fetchMaxRedirects = 3;

  std::vector<std::string> allowClientIps;      // when set, only these CIDRs may call the API
  int rateLimitPerMinute = 0;                   // requests per key per minute; 0 = unlimited
  int maxActiveTasksPerKey = 0;                 // submitted + processing per key; 0 = unlimited
  std::vector<std::string> blockedPromptWords;  // prompts containing one are refused (policy)
  bool maintenance = false;                     // refuse new tasks with 503 / 5001
  int jwtClockSkewSeconds = 5;  // JWT nbf/exp tolerance for clients whose clocks are a little off
  int minFreeDiskMb = 0;        // refuse submits with 503 / 5001 below this much free space
                                // on the media dir's file system (MiB); 0 = no floor
  std::string logLevel = "info";
  // Nice value (0-19) of the render workers' threads and of every thread a render starts: while
  // renders fill the cores, HTTP requests (stream segments, status polls), live sessions and
  // callbacks come first. 0 = the same priority as the rest of the process.
  int renderNiceness = 10;

  // Live sessions (POST /v1/live/sessions, then a WebSocket).
  int livePort = 0;  // WebSocket port; 0 = the HTTP port + 1 (a free port when that is taken or
                     // --port is 0); -1 = no live sessions
  int liveIdleSeconds = 120;      // a session without a client message this long is closed; a
                                  // new one must be connected within it
  int maxLiveSessions = 4;        // live sessions on this node (each renders in real time)
  int maxLiveSessionsPerKey = 2;  // live sessions of one key
  std::string livePublicUrl;      // base of the ws_url handed out ("wss://host/live"); default
                                  // the public URL's host with ws(s):// and the live port
};

}  // namespace dh::service
