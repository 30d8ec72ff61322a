#include "service/worker_pool.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>
#include "core/error.h"
#include "core/log.h"
#include "media/hls_writer.h"
#include "pipeline/pipeline.h"
#include "service/api_error.h"
#include "service/watermark.h"

namespace dh::service {
namespace {

using Clock = std::chrono::steady_clock;

// A JSON list stored beside text-to-speech audio ("audio/<id><suffix>"), else an empty list.
nlohmann::json synthesisSidecar(store::MediaStore& media, const std::string& audioPath,
                                const std::string& suffix) {
  if (audioPath.rfind("audio/", 0) != 0) return nlohmann::json::array();
  const std::string sidecar = std::filesystem::path(audioPath).replace_extension(suffix).string();
  if (!media.exists(sidecar)) return nlohmann::json::array();
  const auto bytes = media.read(sidecar);
  return nlohmann::json::parse(bytes.begin(), bytes.end());
}

// The synthesiser's phone timing of text-to-speech audio, else empty.
std::vector<speech::TimedPhone> synthesisedPhones(store::MediaStore& media,
                                                  const std::string& audioPath) {
  std::vector<speech::TimedPhone> phones;
  for (const auto& p : synthesisSidecar(media, audioPath, ".phones.json"))
    phones.push_back({p.at(0).get<std::string>(), p.at(1), p.at(2)});
  return phones;
}

// The spoken words of text-to-speech audio (the head's gestures follow them), else empty.
std::vector<speech::TimedWord> synthesisedWords(store::MediaStore& media,
                                                const std::string& audioPath) {
  std::vector<speech::TimedWord> words;
  for (const auto& w : synthesisSidecar(media, audioPath, ".words.json"))
    words.push_back({w.at(0).get<std::string>(), w.at(1).get<std::string>(), w.at(2), w.at(3)});
  return words;
}

}  // namespace

uint64_t seedForTask(const std::string& taskId) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : taskId) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

WorkerPool::WorkerPool(TaskService& tasks) : tasks_(tasks) {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  idPrefix_ = std::string(host) + ":" + std::to_string(getpid()) + ":" +
              std::to_string(store::nowMillis() % 100000);
}

WorkerPool::~WorkerPool() {
  stop(0);
}

void WorkerPool::start() {
  for (int i = 0; i < tasks_.config().workers; ++i)
    threads_.emplace_back([this, i] { workerLoop(i); });
  heartbeat_ = std::thread([this] { heartbeatLoop(); });
}

void WorkerPool::stop(int graceSeconds) {
  if (stopping_.exchange(true)) return;
  tasks_.wakeAll();
  const auto deadline = Clock::now() + std::chrono::seconds(graceSeconds);
  while (running_.load() > 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (running_.load() > 0) {
    core::logger("worker")->warn("{} renders still running after {} s: handing them back",
                                 running_.load(), graceSeconds);
    cancel_->cancel();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (heartbeat_.joinable()) heartbeat_.join();
}

void WorkerPool::workerLoop(int index) {
  const std::string workerId = idPrefix_ + "/" + std::to_string(index);
  const auto& config = tasks_.config();
  // Linux keeps a nice value per thread, and the threads a render starts inherit it.
  if (config.renderNiceness > 0 &&
      setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), config.renderNiceness) != 0)
    core::logger("worker")->warn("cannot lower the render priority to nice {}: {}",
                                 config.renderNiceness, std::strerror(errno));
  while (!stopping_.load()) {
    std::optional<store::Claim> claim;
    try {
      claim = tasks_.store().claimTask(workerId, config.leaseSeconds * 1000LL, config.maxAttempts,
                                       config.maxRunningRenders);
    } catch (const std::exception& e) {
      core::logger("worker")->error("claim failed: {}", core::describe(e));
    }
    if (!claim) {
      tasks_.waitForWork(std::chrono::milliseconds(500));
      continue;
    }
    ++running_;
    process(workerId, *claim);
    --running_;
    // Under a render cap, threads of this process that were refused may claim now.
    if (config.maxRunningRenders > 0) tasks_.wakeAll();
  }
}

void WorkerPool::process(const std::string& workerId, const store::Claim& claim) {
  const store::Task& task = claim.task;
  auto log = core::logger("worker");
  log->info("task {} claimed by {} (attempt {}{})", task.id, workerId, task.attempts,
            claim.resumed ? ", resumed" : "");
  store::Store& store = tasks_.store();
  if (!claim.resumed) {
    if (auto now = store.findTask(task.id)) tasks_.statusChanged(*now);
  }
  store::MediaStore& media = tasks_.media();
  const bool unified = task.dialect == "unified";
  const auto started = Clock::now();
  try {
    pipeline::RenderRequest request;
    request.imageField = unified ? "image_url" : "image";
    request.audioField = unified
                             ? "audio_url"
                             : (task.audioPath.rfind("audio/", 0) == 0 ? "audio_id" : "sound_file");
    request.image = media.read(task.imagePath);
    request.audio = media.read(task.audioPath);
    request.phones = synthesisedPhones(media, task.audioPath);
    request.words = synthesisedWords(media, task.audioPath);
    if (!request.phones.empty())
      log->info("task {} uses {} phones and {} words from the synthesiser", task.id,
                request.phones.size(), request.words.size());
    request.options.mode = pipeline::parseMode(task.mode);
    request.options.prompt = task.prompt;
    request.options.seed = seedForTask(task.id);

    int lastPercent = -1;
    auto lastWrite = Clock::now();
    const double share = task.watermark ? 0.5 : 1.0;
    auto reporter = [&](double offset) {
      return [&, offset](const std::string&, double fraction) {
        const int percent =
            std::min(99, static_cast<int>(std::floor((offset + fraction * share) * 100)));
        if (percent == lastPercent) return;
        if (percent - lastPercent < 5 && Clock::now() - lastWrite < std::chrono::milliseconds(500))
          return;
        lastPercent = percent;
        lastWrite = Clock::now();
        store.updateProgress(task.id, workerId, percent);
      };
    };
    // Results are rendered into staged files and published when complete, so no node ever
    // serves a partly written video. Their names are random (128 bits), never the task id: the
    // URL is the only key to the file.
    const std::string videoFile = "videos/" + store::newMediaName() + ".mp4";
    store::StagedMedia video = media.stage(videoFile);
    // The live stream of the first render goes straight where it is served, as it is encoded.
    const std::string streamDirectory =
        task.streamDir.empty() ? std::string() : media.liveDirectory(task.streamDir);
    const auto result = pipeline::render(request, video.path(),
                                         core::Progress(reporter(0.0), cancel_), streamDirectory);
    std::string watermarkFile;
    std::optional<store::StagedMedia> watermarked;
    if (task.watermark) {
      pipeline::RenderRequest marked = request;
      marked.image = watermarkImage(request.image, "Digital Human");
      watermarkFile = "videos/" + store::newMediaName() + ".mp4";
      watermarked.emplace(media.stage(watermarkFile));
      pipeline::render(marked, watermarked->path(), core::Progress(reporter(0.5), cancel_));
    }
    video.commit();
    if (watermarked) watermarked->commit();
    const double units =
        std::round(result.videoSeconds * tasks_.rateFor(task.mode) * 1000.0) / 1000.0;
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    tasks_.metrics().observeRender(task.mode, seconds, true);
    if (store.completeTask(task.id, workerId, videoFile, watermarkFile, result.videoSeconds,
                           units)) {
      log->info("task {} succeeded: {:.2f} s video in {:.2f} s, {} units; result {}", task.id,
                result.videoSeconds, seconds, units, videoFile);
      if (auto done = store.findTask(task.id)) tasks_.statusChanged(*done);
    } else {
      log->warn("task {} finished but its lease was lost; result dropped", task.id);
      media.remove(videoFile);
      if (!watermarkFile.empty()) media.remove(watermarkFile);
    }
  } catch (const std::exception& e) {
    const core::Error* err = core::findError(e);
    if (err && err->kind() == core::ErrorKind::Cancelled && stopping_.load()) {
      store.releaseTask(task.id, workerId);
      log->info("task {} handed back to the queue (shutting down)", task.id);
      return;
    }
    tasks_.metrics().observeRender(task.mode, 0, false);
    const std::string message = err && err->kind() != core::ErrorKind::Internal
                                    ? core::rootMessage(e)
                                    : "internal error while rendering";
    log->warn("task {} failed: {}", task.id, core::describe(e));
    if (store.failTask(task.id, workerId, message,
                       kindRow(err ? err->kind() : core::ErrorKind::Internal).taskErrorCode)) {
      if (auto failed = store.findTask(task.id)) tasks_.statusChanged(*failed);
    }
  }
}

void WorkerPool::heartbeatLoop() {
  const auto& config = tasks_.config();
  const auto every = std::chrono::milliseconds(
      std::max(200, std::min(config.leaseSeconds * 1000 / 3, config.purgeIntervalSeconds * 1000)));
  auto nextPurge = Clock::now();
  while (!stopping_.load() || running_.load() > 0) {
    try {
      for (int i = 0; i < config.workers; ++i)
        tasks_.store().renewLeases(idPrefix_ + "/" + std::to_string(i),
                                   config.leaseSeconds * 1000LL);
      for (const auto& failed : tasks_.store().failExhaustedTasks(
               config.maxAttempts, "rendering stopped " + std::to_string(config.maxAttempts) +
                                       " times (the worker died each time); giving up")) {
        core::logger("worker")->warn("task {} failed after {} attempts", failed.id,
                                     failed.attempts);
        // Its live stream ends where the last render left it.
        try {
          if (!failed.streamDir.empty() && tasks_.media().exists(failed.streamDir + "/index.m3u8"))
            media::HlsWriter::endStream(tasks_.media().liveDirectory(failed.streamDir));
        } catch (const std::exception& e) {
          core::logger("worker")->warn("task {}: cannot end its live stream: {}", failed.id,
                                       core::describe(e));
        }
        tasks_.statusChanged(failed);
      }
      if (Clock::now() >= nextPurge) {
        const store::Millis cutoff =
            store::nowMillis() - static_cast<store::Millis>(config.retentionDays) * 86400000LL;
        const auto files = tasks_.store().purgeMediaBefore(cutoff);
        for (const auto& f : files) {
          try {
            tasks_.media().remove(f);
          } catch (const std::exception& e) {
            core::logger("retention")->warn("cannot remove {}: {}", f, core::describe(e));
          }
        }
        if (!files.empty()) core::logger("retention")->info("purged {} media files", files.size());
        // Half-written files of processes killed mid-write (an hour idle: live writers keep
        // writing).
        if (const size_t abandoned = tasks_.media().removeAbandoned(3600); abandoned > 0)
          core::logger("retention")->info("removed {} abandoned partial files", abandoned);
        nextPurge = Clock::now() + std::chrono::seconds(config.purgeIntervalSeconds);
      }
    } catch (const std::exception& e) {
      core::logger("worker")->error("heartbeat: {}", core::describe(e));
    }
    const auto wakeAt = Clock::now() + every;
    while (Clock::now() < wakeAt && !(stopping_.load() && running_.load() == 0))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace dh::service
