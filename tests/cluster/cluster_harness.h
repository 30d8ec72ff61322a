#pragma once
// A cluster on loopback for tests: API nodes (`dh serve --workers 0`) and render processes
// (`dh worker`) on one PostgreSQL schema and one shared media directory, each a real process
// that can be stopped or killed.
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.h"

namespace dh::test {

class Cluster {
 public:
  // `dir`: scratch directory for logs and media; the database is a fresh schema.
  explicit Cluster(std::string dir);

  // Starts an API node; all nodes hand out URLs under the first node's address, as behind one
  // load balancer, and each serves any file of the shared media directory.
  int addApiNode();
  void addWorker(int leaseSeconds);

  BackgroundProcess& api(size_t i) { return *api_.at(i); }
  BackgroundProcess& worker(size_t i) { return *workers_.at(i); }
  size_t workerCount() const { return workers_.size(); }
  int apiPort(size_t i) const { return apiPorts_.at(i); }
  httplib::Client client(size_t apiNode) const;

  const std::string& db() const { return db_; }
  const std::string& mediaDir() const { return mediaDir_; }
  const std::string& apiKey() const { return apiKey_; }

  // Uploads a file through an API node; returns the upload's `data` object.
  nlohmann::json upload(size_t apiNode, const std::string& path);
  // POST /v1/videos/avatar/image2video; the response or nullopt when no response came.
  httplib::Result submit(size_t apiNode, const nlohmann::json& body);
  // GET the task through a node; empty JSON when the node did not answer.
  nlohmann::json task(size_t apiNode, const std::string& id);
  // All worker logs joined.
  std::string workerLogs() const;

 private:
  std::string dir_, db_, mediaDir_, apiKey_, publicUrl_;
  std::vector<std::unique_ptr<BackgroundProcess>> api_, workers_;
  std::vector<int> apiPorts_;
};

// Real speech (the JFK recording) cut to `seconds`, written as WAV under `dir`; returns the path.
std::string speechClip(const std::string& dir, double seconds);

// How many times `needle` occurs in `haystack`.
int occurrences(const std::string& haystack, const std::string& needle);

}  // namespace dh::test
