#include "service/task_service.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>

#include "animate/style.h"
#include "core/error.h"
#include "core/log.h"
#include "media/base64.h"

namespace dh::service {
namespace {

// "2.848", "0", "7.12": up to three decimals, no trailing zeros.
std::string decimal(double value) {
  std::string s = fmt::format("{:.3f}", std::round(value * 1000.0) / 1000.0);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

double roundUnits(double value) {
  return std::round(value * 1000.0) / 1000.0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string unifiedStatus(store::TaskStatus status) {
  switch (status) {
    case store::TaskStatus::Submitted:
      return "queued";
    case store::TaskStatus::Processing:
      return "processing";
    case store::TaskStatus::Succeeded:
      return "completed";
    case store::TaskStatus::Failed:
      return "failed";
  }
  return "failed";
}

}  // namespace

TaskService::TaskService(const ServiceConfig& config, store::Store& store, store::MediaStore& media,
                         Metrics& metrics)
    : config_(config),
      store_(store),
      media_(media),
      metrics_(metrics),
      inputs_(config, store, media) {}

double TaskService::rateFor(const std::string& mode) const {
  return mode == "pro" ? config_.proRate : config_.stdRate;
}

std::string TaskService::mediaUrl(const std::string& relative) const {
  return inputs_.publicUrl() + "/media/" + relative;
}

store::Task TaskService::submit(const store::ApiKey& account, const SubmitRequest& r) {
  if (config_.maintenance)
    throw ApiError(ApiCode::Maintenance, "the service is in maintenance and accepts no new tasks");
  if (config_.minFreeDiskMb > 0) {
    if (const auto freeBytes = media_.freeBytes()) {
      const unsigned long long freeMb = *freeBytes / (1024 * 1024);
      if (freeMb < static_cast<unsigned long long>(config_.minFreeDiskMb))
        throw ApiError(ApiCode::Maintenance, "maintenance: the media disk has " +
                                                 std::to_string(freeMb) + " MiB free, below the " +
                                                 std::to_string(config_.minFreeDiskMb) +
                                                 " MiB floor; no new tasks until space is freed");
    }
  }
  if (account.disabled)
    throw ApiError(ApiCode::AccountDisabled, "the account of this key is disabled");
  const std::string modes = "," + account.allowedModes + ",";
  if (modes.find("," + r.mode + ",") == std::string::npos)
    throw ApiError(
        ApiCode::ModeNotAllowed,
        "this key may not use mode " + r.mode + " (allowed: " + account.allowedModes + ")",
        r.dialect == Dialect::Kling ? "mode" : "model");
  const std::string prompt = lower(r.prompt);
  for (const auto& word : config_.blockedPromptWords) {
    if (!word.empty() && prompt.find(lower(word)) != std::string::npos)
      throw ApiError(ApiCode::PolicyViolation,
                     "prompt: contains \"" + word + "\", which this service's policy refuses",
                     "prompt");
  }
  if (config_.maxActiveTasksPerKey > 0 &&
      store_.countActiveTasks(account.id) >= config_.maxActiveTasksPerKey)
    throw ApiError(ApiCode::TooManyRunningTasks,
                   "this key already has " + std::to_string(config_.maxActiveTasksPerKey) +
                       " tasks submitted or processing; wait for one to finish");
  if (!r.externalTaskId.empty() && store_.findTaskFor(account.id, r.externalTaskId))
    throw ApiError(
        ApiCode::InvalidValue,
        "external_task_id: \"" + r.externalTaskId + "\" is already used by a task of this account",
        "external_task_id");

  store::Task task;
  task.id = store::newId();
  task.accountId = account.id;
  task.externalTaskId = r.externalTaskId;
  task.dialect = r.dialect == Dialect::Kling ? "kling" : "unified";
  task.mode = r.mode;
  task.model = r.model.empty() ? modelForMode(r.mode) : r.model;
  task.prompt = r.prompt;
  task.watermark = r.watermark;
  task.callbackUrl = r.callbackUrl;
  // Random like result names: the stream's URL is the only key to it.
  task.streamDir = "streams/" + store::newMediaName();

  const bool unified = r.dialect == Dialect::Unified;
  const ResolvedInput image = inputs_.image(r.image, unified ? "image_url" : "image", task.id);
  const ResolvedInput audio =
      !r.audioId.empty()
          ? inputs_.audioId(r.audioId, "audio_id", account.id)
          : inputs_.audio(r.soundFile, unified ? "audio_url" : "sound_file", task.id);
  task.imagePath = image.file;
  task.audioPath = audio.file;
  task.audioSeconds = audio.seconds;
  task.declaredAudioSeconds = r.declaredAudioSeconds.value_or(0.0);
  // The hold and the charge follow the decoded audio; a declared length that differs is kept
  // and reported (usage.declared_seconds) but does not fail the task.
  const double estimateSeconds = audio.seconds;
  task.unitsHeld = roundUnits(estimateSeconds * rateFor(r.mode));
  task.createdAt = task.updatedAt = store::nowMillis();
  if (r.declaredAudioSeconds && std::abs(*r.declaredAudioSeconds - audio.seconds) > 0.5)
    core::logger("api")->info(
        "task {}: audio_duration_seconds declared {} s, the audio lasts {} s; holding for {} s",
        task.id, decimal(*r.declaredAudioSeconds), decimal(audio.seconds), decimal(audio.seconds));

  switch (store_.createTask(task)) {
    case store::CreateOutcome::Created:
      break;
    case store::CreateOutcome::DuplicateExternalId:
      throw ApiError(ApiCode::InvalidValue,
                     "external_task_id: \"" + r.externalTaskId +
                         "\" is already used by a task of this account",
                     "external_task_id");
    case store::CreateOutcome::InsufficientBalance:
      throw ApiError(
          ApiCode::InsufficientBalance,
          fmt::format("balance used up: this task needs {} units ({} s at {} "
                      "units/s) and the key has less",
                      decimal(task.unitsHeld), decimal(estimateSeconds), decimal(rateFor(r.mode))));
    case store::CreateOutcome::InArrears:
      throw ApiError(ApiCode::AccountInArrears,
                     "the account is in arrears; top up the key's balance");
  }
  core::logger("api")->info("task {} submitted ({}, {}, {:.2f} s audio, {} units held)", task.id,
                            task.dialect, task.mode, task.audioSeconds, decimal(task.unitsHeld));
  auto stored = store_.findTask(task.id);
  statusChanged(*stored);
  {
    std::lock_guard lock(mutex_);
    ++workSeq_;
  }
  workCv_.notify_one();
  return *stored;
}

std::optional<std::string> TaskService::streamUrl(const store::Task& t) const {
  if (t.streamDir.empty() || t.status == store::TaskStatus::Submitted) return std::nullopt;
  // Listed once the render has published its first segment (the playlist appears with it).
  const std::string playlist = t.streamDir + "/index.m3u8";
  if (!media_.exists(playlist)) return std::nullopt;
  return mediaUrl(playlist);
}

nlohmann::json TaskService::klingData(const store::Task& t) const {
  nlohmann::json videos = nlohmann::json::array();
  if (t.status == store::TaskStatus::Succeeded && !t.videoFile.empty()) {
    nlohmann::json video = {
        {"id", t.id}, {"url", mediaUrl(t.videoFile)}, {"duration", decimal(t.videoSeconds)}};
    if (!t.watermarkFile.empty()) video["watermark_url"] = mediaUrl(t.watermarkFile);
    videos.push_back(video);
  }
  nlohmann::json info = {{"external_task_id", t.externalTaskId},
                         {"prompt_applied", animate::readPrompt(t.prompt).applied}};
  if (const auto stream = streamUrl(t)) info["stream_url"] = *stream;
  return {{"task_id", t.id},
          {"task_status", store::statusName(t.status)},
          {"task_status_msg", t.statusMsg},
          {"task_info", info},
          {"task_result", {{"videos", videos}}},
          {"watermark_info", {{"enabled", t.watermark}}},
          {"final_unit_deduction", decimal(t.unitsCharged)},
          {"created_at", t.createdAt},
          {"updated_at", t.updatedAt}};
}

nlohmann::json TaskService::unifiedJob(const store::Task& t) const {
  nlohmann::json job = {{"id", t.id},
                        {"task_id", t.id},
                        {"object", "video.generation.job"},
                        {"model", t.model},
                        {"status", unifiedStatus(t.status)},
                        {"progress", t.progress},
                        {"created_at", t.createdAt / 1000},
                        {"updated_at", t.updatedAt / 1000}};
  if (!t.externalTaskId.empty()) job["external_task_id"] = t.externalTaskId;
  job["prompt_applied"] = animate::readPrompt(t.prompt).applied;
  if (const auto stream = streamUrl(t)) job["stream_url"] = *stream;
  if (t.status == store::TaskStatus::Succeeded && !t.videoFile.empty()) {
    const std::string url = mediaUrl(t.videoFile);
    job["video_url"] = url;
    job["result"] = {{"outputs", {url}}, {"duration", t.videoSeconds}};
    job["usage"] = {{"seconds", t.videoSeconds}, {"units", t.unitsCharged}};
  }
  if (t.declaredAudioSeconds > 0.0) {
    // Both lengths, so a caller whose declared length was off sees what was held and charged.
    job["usage"]["declared_seconds"] = t.declaredAudioSeconds;
    job["usage"]["audio_seconds"] = t.audioSeconds;
  }
  if (t.status == store::TaskStatus::Failed) {
    job["error"] = {{"code", t.errorCode.empty() ? "render_failed" : t.errorCode},
                    {"message", t.statusMsg}};
  }
  return job;
}

void TaskService::statusChanged(const store::Task& task) {
  if (task.callbackUrl.empty()) return;
  const nlohmann::json body = task.dialect == "unified" ? unifiedJob(task) : klingData(task);
  store_.enqueueCallback(task.id, task.callbackUrl, body.dump());
  {
    std::lock_guard lock(mutex_);
    ++callbackSeq_;
  }
  callbackCv_.notify_all();
}

void TaskService::waitForWork(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t seen = workSeq_;
  workCv_.wait_for(lock, timeout, [&] { return workSeq_ != seen; });
}

void TaskService::waitForCallbacks(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t seen = callbackSeq_;
  callbackCv_.wait_for(lock, timeout, [&] { return callbackSeq_ != seen; });
}

void TaskService::wakeAll() {
  {
    std::lock_guard lock(mutex_);
    ++workSeq_;
    ++callbackSeq_;
  }
  workCv_.notify_all();
  callbackCv_.notify_all();
}

}  // namespace dh::service
