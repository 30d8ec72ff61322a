// `dh worker`: a process that only renders. It claims tasks from the shared store (PostgreSQL
// for several machines), renders them into the shared media directory with the service's worker
// pool and records the outcome; `dh serve` nodes (possibly with --workers 0) answer the API and
// serve the files. Every flag also reads DH_<NAME> from the environment.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/service_options.h"
#include "core/error.h"
#include "core/log.h"
#include "service/metrics.h"
#include "service/task_service.h"
#include "service/worker_pool.h"
#include "store/local_dir_media_store.h"
#include "store/postgres_wake.h"
#include "store/store.h"

namespace dh::cli {
namespace {

int stopPipe[2] = {-1, -1};

void onStopSignal(int number) {
  const char byte = static_cast<char>(number);
  [[maybe_unused]] const auto written = write(stopPipe[1], &byte, 1);
}

int runWorker(service::ServiceConfig config) {
  core::setLogLevel(config.logLevel);
  if (config.workers < 1)
    throw core::Error(
        core::ErrorKind::InvalidInput,
        "--threads: a worker needs at least 1 render thread, got " + std::to_string(config.workers),
        "threads");
  if (pipe(stopPipe) != 0) throw std::runtime_error("cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto store = store::openStore(config.db);
  store::LocalDirMediaStore media(config.mediaDir);
  service::Metrics metrics;
  service::TaskService tasks(config, *store, media, metrics);
  // With PostgreSQL, a task submitted on any API node wakes this process's idle threads at once;
  // otherwise they find it at their next poll (500 ms).
  store::wakeOnNewWork(*store, [&tasks] { tasks.wakeAll(); });
  service::WorkerPool pool(tasks);
  auto log = core::logger("worker");
  log->info("rendering with {} threads; media in {}; lease {} s, {} attempts", config.workers,
            media.describe(), config.leaseSeconds, config.maxAttempts);
  pool.start();
  std::cout << "worker ready: " << config.workers << " render threads" << std::endl;

  char received = 0;
  while (read(stopPipe[0], &received, 1) < 0 && errno == EINTR) {
  }
  log->info("signal {} received: finishing running renders (up to {} s)",
            static_cast<int>(received), config.shutdownGraceSeconds);
  pool.stop(config.shutdownGraceSeconds);
  // Closing the store ends its notification listener before `tasks`, which it wakes, goes away.
  store.reset();
  log->info("worker stopped");
  return 0;
}

}  // namespace

Command addWorkerCommand(CLI::App& app) {
  auto c = std::make_shared<service::ServiceConfig>();
  c->workers = 1;
  CLI::App* cmd = app.add_subcommand(
      "worker", "Only render: claim tasks from a shared store (e.g. PostgreSQL) and render them");
  const OptionAdder opt(cmd);
  opt("--db", c->db, "DB", "Store: postgresql://... shared with the API nodes (or a SQLite file)");
  opt("--media-dir", c->mediaDir, "MEDIA_DIR",
      "Media directory shared with the API nodes (inputs are read, results written here)");
  opt("--public-url", c->publicUrl, "PUBLIC_URL",
      "Base URL of the API nodes, used in the result URLs of callbacks");
  opt("--threads", c->workers, "WORKER_THREADS", "Render threads in this process");
  addSharedStoreOptions(opt, *c);
  return {cmd, [c] { return runWorker(*c); }};
}

}  // namespace dh::cli
