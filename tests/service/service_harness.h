#pragma once
// Runs a real `dh serve` process on a free loopback port with its own database and media dir,
// plus small HTTP servers in the test process: one serving real test media (for URL inputs) and
// callback receivers.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"

namespace dh::test {

// A client of a server on 127.0.0.1:`port` (5 s to connect, 60 s to read).
httplib::Client loopbackClient(int port);

struct IssuedKey {
  std::string id;
  std::string apiKey;
  std::string accessKey;
  std::string secretKey;
};

class ServeProcess {
 public:
  // `dir` holds db.sqlite, media/ and serve.log. Extra flags are appended to `dh serve`.
  explicit ServeProcess(std::string dir, std::vector<std::string> extraArgs = {});
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  void start();
  void terminate();  // SIGTERM and wait
  void kill9();      // SIGKILL and wait
  bool running() const { return process_ && process_->running(); }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }
  // DIR/db.sqlite, or a fresh PostgreSQL schema when DH_TEST_DB names a PostgreSQL server.
  const std::string& db() const { return db_; }
  std::string log() const;
  httplib::Client client() const { return loopbackClient(port_); }

  // `dh keys create` against this server's database.
  IssuedKey createKey(const std::string& name, const std::vector<std::string>& extra = {}) const;
  // Runs `dh keys ARGS...` on this database; returns stdout.
  std::string keys(const std::vector<std::string>& args) const;

 private:
  std::string dir_;
  std::vector<std::string> extraArgs_;
  std::string db_;
  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
};

// An HTTP server inside the test: serves files and records POSTs.
class LocalServer {
 public:
  LocalServer();
  ~LocalServer();
  httplib::Server& server() { return server_; }
  void start();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// A callback receiver: answers `failures` times with 500, then 200; records what it got.
struct ReceivedCallback {
  std::string body;
  std::string id, timestamp, signature;
};
class CallbackReceiver {
 public:
  explicit CallbackReceiver(int failures = 0);
  std::string url() const { return server_.url() + "/hook"; }
  std::vector<ReceivedCallback> delivered();  // answered with 200
  std::vector<ReceivedCallback> received();   // every attempt, refused ones included
  int attempts() const { return attempts_.load(); }

 private:
  LocalServer server_;
  std::mutex mutex_;
  std::vector<ReceivedCallback> delivered_, received_;
  std::atomic<int> attempts_{0};
  int failures_;
};

// A server of tests/data under /data/... (faces/, speech/) and of generated files under /gen/.
class MediaServer {
 public:
  MediaServer();
  std::string url(const std::string& relative) const { return server_.url() + "/data/" + relative; }
  // Serves `bytes` under /gen/<name>.
  std::string serve(const std::string& name, std::vector<uint8_t> bytes);

 private:
  LocalServer server_;
  std::mutex mutex_;
  std::map<std::string, std::string> generated_;
};

// A suite whose tests share one `dh serve` and one MediaServer. The suite's SetUpTestSuite calls
// startServer(flags); the server lives in DIR/serve of a fresh scratch directory DIR (`dir_`).
class SharedServerSuite : public ::testing::Test {
 protected:
  static void startServer(const std::vector<std::string>& flags);
  static void TearDownTestSuite();

  static inline std::string* dir_ = nullptr;
  static inline ServeProcess* server_ = nullptr;
  static inline MediaServer* media_ = nullptr;
};

// The name of the running test ("RendersBothModes"), for keys and files named after it.
std::string currentTestName();

nlohmann::json parseBody(const httplib::Result& result);
httplib::Headers bearer(const std::string& token);
// POST `body` as application/json with `token` as the bearer.
httplib::Result postJson(httplib::Client& client, const std::string& path, const std::string& token,
                         const nlohmann::json& body);

// `dh keys ledger KEY_ID` on the server's database: one JSON object per ledger entry.
std::vector<nlohmann::json> ledgerOf(const ServeProcess& server, const std::string& keyId);

// Polls GET path until the task is final ("succeed"/"failed" or "completed"/"failed").
nlohmann::json waitForFinal(const ServeProcess& server, const std::string& key,
                            const std::string& path, double timeoutSeconds = 120);

// Real speech (jfk, librivox, French) joined and cut to `seconds`, as MP3 bytes, via ffmpeg.
std::vector<uint8_t> speechOfLength(double seconds, const std::string& scratch);

std::string base64File(const std::string& relative);

// Checks a media URL handed out by the server: its name is 32 lowercase hex digits (128 random
// bits) under /media/videos|uploads|audio/ and contains none of `ids` (task, upload, audio ids).
// Returns the path ("/media/videos/<name>.mp4"), or "" after a failed expectation.
std::string expectUnguessableMediaUrl(const std::string& url, const std::vector<std::string>& ids);

}  // namespace dh::test
