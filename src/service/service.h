#pragma once
// `dh serve` as an object: opens the store, starts the workers and the callback dispatcher, and
// serves HTTP until stop() (SIGINT/SIGTERM). Shutdown stops accepting, lets running renders
// finish within the grace period and hands back the rest.
#include <atomic>
#include <memory>

#include "service/config.h"

namespace dh::service {

class Service {
 public:
  explicit Service(ServiceConfig config);
  ~Service();

  // Binds the port (resolving port 0) without serving yet; returns the bound port.
  int bind();
  // Serves until stop(); then shuts down gracefully.
  void run();
  void stop();

 private:
  void bindLive();  // the live sessions' WebSocket port

  struct Parts;
  ServiceConfig config_;
  std::unique_ptr<Parts> parts_;
  std::atomic<bool> stopping_{false};
};

}  // namespace dh::service
