#include "service_harness.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <sstream>

#include "core/file_io.h"
#include "media/base64.h"
#include "pg_test_db.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {

ServeProcess::ServeProcess(std::string dir, std::vector<std::string> extraArgs)
    : dir_(std::move(dir)), extraArgs_(std::move(extraArgs)) {
  std::filesystem::create_directories(dir_);
  db_ = servicesUsePostgres() ? postgresSchemaForDir(dir_) : dir_ + "/db.sqlite";
}

ServeProcess::~ServeProcess() = default;

void ServeProcess::start() {
  std::vector<std::string> argv = {dhBinary(),    "serve", "--port",      "0",
                                   "--db",        db(),    "--media-dir", dir_ + "/media",
                                   "--log-level", "info"};
  if (std::find(extraArgs_.begin(), extraArgs_.end(), "--workers") == extraArgs_.end()) {
    argv.push_back("--workers");
    argv.push_back("2");
  }
  argv.insert(argv.end(), extraArgs_.begin(), extraArgs_.end());
  process_.reset();
  process_ = std::make_unique<BackgroundProcess>(argv, dir_ + "/serve.log", "listening on");
  port_ = process_->port();
}

void ServeProcess::terminate() {
  if (process_) process_->terminate();
}

void ServeProcess::kill9() {
  if (process_) process_->kill9();
}

std::string ServeProcess::log() const {
  return readWholeFile(dir_ + "/serve.log");
}

httplib::Client loopbackClient(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  c.set_connection_timeout(5, 0);
  return c;
}

std::string ServeProcess::keys(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {dhBinary(), "keys", "--db", db()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto result = runProcess(argv);
  if (result.exitCode != 0) throw std::runtime_error("dh keys failed: " + result.err);
  return result.out;
}

IssuedKey ServeProcess::createKey(const std::string& name,
                                  const std::vector<std::string>& extra) const {
  std::vector<std::string> args = {"create", "--name", name, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto j = nlohmann::json::parse(keys(args));
  return {j.at("id"), j.at("api_key"), j.at("access_key"), j.at("secret_key")};
}

LocalServer::LocalServer() {
  port_ = server_.bind_to_any_port("127.0.0.1");
}

LocalServer::~LocalServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void LocalServer::start() {
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

CallbackReceiver::CallbackReceiver(int failures) : failures_(failures) {
  server_.server().Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
    const ReceivedCallback got{req.body, req.get_header_value("webhook-id"),
                               req.get_header_value("webhook-timestamp"),
                               req.get_header_value("webhook-signature")};
    std::lock_guard lock(mutex_);
    received_.push_back(got);
    const int attempt = ++attempts_;
    if (attempt <= failures_) {
      res.status = 500;
      res.set_content("not yet", "text/plain");
      return;
    }
    delivered_.push_back(got);
    res.set_content("ok", "text/plain");
  });
  server_.start();
}

std::vector<ReceivedCallback> CallbackReceiver::delivered() {
  std::lock_guard lock(mutex_);
  return delivered_;
}

std::vector<ReceivedCallback> CallbackReceiver::received() {
  std::lock_guard lock(mutex_);
  return received_;
}

MediaServer::MediaServer() {
  server_.server().Get(R"(/data/(.+))", [](const httplib::Request& req, httplib::Response& res) {
    const auto bytes = readData(req.matches[1]);
    res.set_content(std::string(bytes.begin(), bytes.end()), "application/octet-stream");
  });
  server_.server().Get(R"(/gen/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    auto it = generated_.find(req.matches[1]);
    if (it == generated_.end()) {
      res.status = 404;
      return;
    }
    res.set_content(it->second, "application/octet-stream");
  });
  server_.start();
}

std::string MediaServer::serve(const std::string& name, std::vector<uint8_t> bytes) {
  std::lock_guard lock(mutex_);
  generated_[name] = std::string(bytes.begin(), bytes.end());
  return server_.url() + "/gen/" + name;
}

void SharedServerSuite::startServer(const std::vector<std::string>& flags) {
  dir_ = new std::string(scratchDir());
  server_ = new ServeProcess(*dir_ + "/serve", flags);
  server_->start();
  media_ = new MediaServer();
}

void SharedServerSuite::TearDownTestSuite() {
  delete server_;
  delete media_;
  delete dir_;
  server_ = nullptr;
  media_ = nullptr;
  dir_ = nullptr;
}

std::string currentTestName() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

nlohmann::json parseBody(const httplib::Result& result) {
  if (!result) throw std::runtime_error("no HTTP response: " + httplib::to_string(result.error()));
  return nlohmann::json::parse(result->body);
}

httplib::Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

httplib::Result postJson(httplib::Client& client, const std::string& path, const std::string& token,
                         const nlohmann::json& body) {
  return client.Post(path, bearer(token), body.dump(), "application/json");
}

std::vector<nlohmann::json> ledgerOf(const ServeProcess& server, const std::string& keyId) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(server.keys({"ledger", keyId}));
  for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

nlohmann::json waitForFinal(const ServeProcess& server, const std::string& key,
                            const std::string& path, double timeoutSeconds) {
  auto client = server.client();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
  nlohmann::json last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto res = client.Get(path, bearer(key));
    if (res && res->status == 200) {
      last = nlohmann::json::parse(res->body);
      const std::string status =
          last.contains("data") ? last["data"].value("task_status", "") : last.value("status", "");
      if (status == "succeed" || status == "completed" || status == "failed") return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  throw std::runtime_error("task at " + path + " did not finish in time; last: " + last.dump());
}

std::vector<uint8_t> speechOfLength(double seconds, const std::string& scratch) {
  const std::string out = scratch + "/speech-" + std::to_string(seconds) + ".mp3";
  const auto result =
      runProcess({"/usr/bin/ffmpeg", "-loglevel", "error", "-y", "-i",
                  dataPath("speech/en_m_jfk.wav"), "-i", dataPath("speech/en_m_librivox_0870.wav"),
                  "-i", dataPath("speech/fr_f_asterisk_demo-congrats.mp3"), "-filter_complex",
                  "[0:a]aresample=22050,aformat=channel_layouts=mono[a];"
                  "[1:a]aresample=22050,aformat=channel_layouts=mono[b];"
                  "[2:a]aresample=22050,aformat=channel_layouts=mono[c];"
                  "[a][b][c]concat=n=3:v=0:a=1[out]",
                  "-map", "[out]", "-t", std::to_string(seconds), "-b:a", "64k", out});
  if (result.exitCode != 0) throw std::runtime_error("ffmpeg failed: " + result.err);
  return core::readFileBytes(out);
}

std::string expectUnguessableMediaUrl(const std::string& url, const std::vector<std::string>& ids) {
  static const std::regex shape(
      R"(^https?://[^/]+(/media/(videos|uploads|audio)/[0-9a-f]{32}\.(mp4|jpg|png|wav|mp3|m4a|aac))$)");
  std::smatch m;
  const bool ok = std::regex_match(url, m, shape);
  EXPECT_TRUE(ok) << url << ": expected /media/<kind>/<32 hex digits>.<ext>";
  for (const auto& id : ids) EXPECT_EQ(url.find(id), std::string::npos) << url << " holds " << id;
  return ok ? std::string(m[1]) : std::string();
}

std::string base64File(const std::string& relative) {
  return media::encodeBase64(readData(relative));
}

}  // namespace dh::test
