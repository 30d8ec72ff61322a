#pragma once
// Render workers: each thread claims a task with a lease, renders it through pipeline::render
// and records the outcome. One heartbeat thread renews the leases of running tasks, fails tasks
// whose workers died too often and purges expired media.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/progress.h"
#include "service/task_service.h"

namespace dh::service {

class WorkerPool {
 public:
  explicit WorkerPool(TaskService& tasks);
  ~WorkerPool();

  void start();
  // Stops claiming; running renders get `graceSeconds` to finish, then they are cancelled and
  // handed back to the queue.
  void stop(int graceSeconds);
  int running() const { return running_.load(); }

 private:
  void workerLoop(int index);
  void heartbeatLoop();
  void process(const std::string& workerId, const store::Claim& claim);

  TaskService& tasks_;
  std::string idPrefix_;
  std::vector<std::thread> threads_;
  std::thread heartbeat_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> running_{0};
  std::shared_ptr<core::CancelFlag> cancel_ = std::make_shared<core::CancelFlag>();
};

// The render seed of a task: derived from its id, so a re-run gives the same video.
uint64_t seedForTask(const std::string& taskId);

}  // namespace dh::service
