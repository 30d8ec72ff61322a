#include "cluster_harness.h"

#include <filesystem>
#include <stdexcept>

#include "pg_test_db.h"
#include "service_harness.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {

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
  api_.push_back(std::make_unique<BackgroundProcess>(
      argv, dir_ + "/api-" + std::to_string(index) + ".log", "listening on"));
  const int port = api_.back()->port();
  apiPorts_.push_back(port);
  if (publicUrl_.empty()) publicUrl_ = "http://127.0.0.1:" + std::to_string(port);
  return port;
}

void Cluster::addWorker(int leaseSeconds) {
  const size_t index = workers_.size();
  workers_.push_back(std::make_unique<BackgroundProcess>(
      std::vector<std::string>{dhBinary(), "worker", "--db", db_, "--media-dir", mediaDir_,
                               "--public-url", publicUrl_, "--threads", "1", "--lease-seconds",
                               std::to_string(leaseSeconds), "--log-level", "info"},
      dir_ + "/worker-" + std::to_string(index) + ".log", "worker ready"));
}

httplib::Client Cluster::client(size_t apiNode) const {
  return loopbackClient(apiPorts_.at(apiNode));
}

nlohmann::json Cluster::upload(size_t apiNode, const std::string& path) {
  const auto bytes = readWholeFile(path);
  httplib::MultipartFormDataItems items = {
      {"file", bytes, std::filesystem::path(path).filename().string(), ""}};
  auto res = client(apiNode).Post("/v1/uploads", bearer(apiKey_), items);
  if (!res || res->status != 200)
    throw std::runtime_error("upload failed: " + (res ? res->body : std::string("no response")));
  return nlohmann::json::parse(res->body).at("data");
}

httplib::Result Cluster::submit(size_t apiNode, const nlohmann::json& body) {
  auto c = client(apiNode);
  return postJson(c, "/v1/videos/avatar/image2video", apiKey_, body);
}

nlohmann::json Cluster::task(size_t apiNode, const std::string& id) {
  auto res = client(apiNode).Get("/v1/videos/avatar/image2video/" + id, bearer(apiKey_));
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
