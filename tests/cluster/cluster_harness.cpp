#include "cluster_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pg_test_db.h"
#include "support/process.h"
#include "support/test_paths.h"

extern char** environ;

namespace dh::test {
namespace {

std::string readWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

NodeProcess::NodeProcess(std::vector<std::string> argv, std::string logPath, std::string readyText)
    : logPath_(std::move(logPath)) {
  const std::string outPath = logPath_ + ".out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, logPath_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = readWhole(outPath);
    const size_t at = out.find(readyText);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      readyLine_ = out.substr(at, out.find('\n', at) - at);
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string why = log();
  if (pid_ > 0) kill9();
  throw std::runtime_error("dh did not become ready (\"" + readyText + "\"): " + why);
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) terminate();
}

void NodeProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void NodeProcess::terminate() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string NodeProcess::log() const {
  return readWhole(logPath_);
}

Cluster::Cluster(std::string dir)
    : dir_(std::move(dir)), db_(freshPostgresSchema()), mediaDir_(dir_ + "/media") {
  std::filesystem::create_directories(mediaDir_);
  const auto created =
      runProcess({dhBinary(), "keys", "--db", db_, "create", "--name", "cluster", "--json"});
  if (created.exitCode != 0) throw std::runtime_error("dh keys create failed: " + created.err);
  apiKey_ = nlohmann::json::parse(created.out).at("api_key");
}

int Cluster::addApiNode() {
  const size_t index = api_.size();
  std::vector<std::string> argv = {dhBinary(),  "serve", "--port",      "0",
                                   "--db",      db_,     "--media-dir", mediaDir_,
                                   "--workers", "0",     "--log-level", "info"};
  if (!publicUrl_.empty()) {
    argv.push_back("--public-url");
    argv.push_back(publicUrl_);
  }
  api_.push_back(std::make_unique<NodeProcess>(
      argv, dir_ + "/api-" + std::to_string(index) + ".log", "listening on"));
  const std::string& line = api_.back()->readyLine();
  const int port = std::stoi(line.substr(line.rfind(':') + 1));
  apiPorts_.push_back(port);
  if (publicUrl_.empty()) publicUrl_ = "http://127.0.0.1:" + std::to_string(port);
  return port;
}

void Cluster::addWorker(int leaseSeconds) {
  const size_t index = workers_.size();
  workers_.push_back(std::make_unique<NodeProcess>(
      std::vector<std::string>{dhBinary(), "worker", "--db", db_, "--media-dir", mediaDir_,
                               "--public-url", publicUrl_, "--threads", "1", "--lease-seconds",
                               std::to_string(leaseSeconds), "--log-level", "info"},
      dir_ + "/worker-" + std::to_string(index) + ".log", "worker ready"));
}

httplib::Client Cluster::client(size_t apiNode) const {
  httplib::Client c("127.0.0.1", apiPorts_.at(apiNode));
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(60, 0);
  return c;
}

nlohmann::json Cluster::upload(size_t apiNode, const std::string& path) {
  const auto bytes = readWhole(path);
  httplib::MultipartFormDataItems items = {
      {"file", bytes, std::filesystem::path(path).filename().string(), ""}};
  auto res = client(apiNode).Post("/v1/uploads", {{"Authorization", "Bearer " + apiKey_}}, items);
  if (!res || res->status != 200)
    throw std::runtime_error("upload failed: " + (res ? res->body : std::string("no response")));
  return nlohmann::json::parse(res->body).at("data");
}

httplib::Result Cluster::submit(size_t apiNode, const nlohmann::json& body) {
  return client(apiNode).Post("/v1/videos/avatar/image2video",
                              {{"Authorization", "Bearer " + apiKey_}}, body.dump(),
                              "application/json");
}

nlohmann::json Cluster::task(size_t apiNode, const std::string& id) {
  auto res = client(apiNode).Get("/v1/videos/avatar/image2video/" + id,
                                 {{"Authorization", "Bearer " + apiKey_}});
  if (!res || res->status != 200) return {};
  return nlohmann::json::parse(res->body).at("data");
}

std::string Cluster::workerLogs() const {
  std::string all;
  for (const auto& w : workers_) all += w->log();
  return all;
}

std::string speechClip(const std::string& dir, double seconds) {
  const std::string out = dir + "/speech-" + std::to_string(seconds) + ".wav";
  const auto result =
      runProcess({"/usr/bin/ffmpeg", "-loglevel", "error", "-y", "-i",
                  dataPath("speech/en_m_jfk.wav"), "-t", std::to_string(seconds), out});
  if (result.exitCode != 0) throw std::runtime_error("ffmpeg failed: " + result.err);
  return out;
}

int occurrences(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

}  // namespace dh::test
