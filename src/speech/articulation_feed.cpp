#include "speech/articulation_feed.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/log.h"
#include "core/thread_name.h"

namespace dh::speech {
namespace {

// How far before its start a phone can still change the track: its shape is moved
// phoneLeadSeconds earlier and fades in over six anticipation constants (at most 60 ms, a vowel),
// a p/b/m closes closureLead + ramp before it, the jaw's smoothing reaches three sigma, the
// whole mouth runs visualLead ahead, and a frame averages half a frame either way. Rounded up
// generously: the frames this holds back are drawn a moment later, nothing more.
double reachBackSeconds(const ArticulationConfig& config, double fps) {
  return config.phoneLeadSeconds + 6 * 0.06 * config.coarticulationScale +
         config.closureLeadSeconds + config.closureRampSeconds + 3 * config.jawSmoothingSeconds +
         config.visualLeadSeconds + 1.0 / fps + 0.5;
}

}  // namespace

ArticulationFeed::ArticulationFeed(std::vector<float> mono16k, double fps,
                                   std::vector<TimedPhone> phones, std::string audioField,
                                   SpeechAnalysisConfig config)
    : mono_(std::move(mono16k)), fps_(fps), config_(std::move(config)) {
  features_ = measureSpeech(mono_, audioField, config_);
  // The cues do not depend on the phones.
  cues_ = buildArticulationTrack({}, features_, fps_, config_.articulation);
  poses_.resize(cues_.size());
  if (!phones.empty() || !config_.recognizePhones) {
    publish(buildArticulationTrack(phones, features_, fps_, config_.articulation, !phones.empty()),
            cues_.size());
    return;
  }
  queue_ = std::make_unique<PieceQueue>(mono_, config_.recognizer.split);
  skip_ = silencesToSkip(features_, config_);
  thread_ = std::thread([this] { recognise(); });
}

ArticulationFeed::~ArticulationFeed() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::thread helper;
  {
    std::lock_guard lock(mutex_);
    helper = std::move(helper_);
  }
  if (helper.joinable()) helper.join();
}

void ArticulationFeed::recognise() {
  core::nameThisThread("dh-speech");
  try {
    recognizePieces(
        mono_, config_.recognizer, *queue_,
        [this](size_t index, size_t count, RecognisedPiece piece) {
          std::lock_guard lock(piecesMutex_);
          onPiece(index, count, std::move(piece));
        },
        &stop_, skip_);
  } catch (...) {
    std::lock_guard lock(mutex_);
    failure_ = std::current_exception();
    published_.notify_all();
  }
}

void ArticulationFeed::helpFromTheBack() {
  core::nameThisThread("dh-speech-help");
  const size_t count = queue_->spans().size();
  while (!stop_) {
    {
      std::lock_guard lock(mutex_);
      if (final_ > 0 || failure_) return;  // drawing goes on: the forward thread suffices
    }
    const std::optional<size_t> index = queue_->takeBack();
    if (!index) return;
    try {
      RecognisedPiece piece =
          recognizeQueuedPiece(mono_, *queue_, *index, config_.recognizer, skip_);
      std::lock_guard lock(piecesMutex_);
      ++helped_;
      onPiece(*index, count, std::move(piece));
    } catch (...) {
      std::lock_guard lock(mutex_);
      failure_ = std::current_exception();
      published_.notify_all();
      return;
    }
  }
}

void ArticulationFeed::onPiece(size_t index, size_t count, RecognisedPiece piece) {
  if (pieces_.empty()) {
    pieces_.resize(count);
    done_.assign(count, false);
  }
  pieces_[index] = std::move(piece);
  done_[index] = true;
  const size_t before = prefix_;
  while (prefix_ < count && done_[prefix_]) ++prefix_;
  if (prefix_ == before) return;

  std::vector<TimedPhone> phones;
  for (size_t i = 0; i < prefix_; ++i) appendPiece(phones, pieces_[i]);
  const ArticulationTrack track =
      buildArticulationTrack(phones, features_, fps_, config_.articulation);
  size_t upTo = cues_.size();
  if (prefix_ < count) {
    // Phones of the pieces still to come may reach back across the cut.
    const double known = static_cast<double>(pieces_[prefix_ - 1].span.end) / kAnalysisSampleRate;
    const double finalSeconds = known - reachBackSeconds(config_.articulation, fps_);
    upTo = std::min(upTo, static_cast<size_t>(std::max(0.0, std::floor(finalSeconds * fps_))));
  }
  publish(track, upTo);
  core::logger("speech")->debug("pieces 1-{} of {} recognised: {} of {} frames final", prefix_,
                                count, upTo, cues_.size());
}

void ArticulationFeed::publish(const ArticulationTrack& track, size_t upTo) {
  std::lock_guard lock(mutex_);
  upTo = std::min(upTo, track.size());
  for (size_t k = final_; k < upTo; ++k) poses_[k] = track.frames[k];
  final_ = std::max(final_, upTo);
  publications_.push_back(final_);
  published_.notify_all();
}

MouthPose ArticulationFeed::pose(size_t index) {
  if (index >= poses_.size()) {
    throw core::Error(core::ErrorKind::Internal, "articulation frame " + std::to_string(index) +
                                                     " past the end (" +
                                                     std::to_string(poses_.size()) + " frames)");
  }
  std::unique_lock lock(mutex_);
  // Nothing known yet: the consumer is about to wait for the first piece, leaving its core free.
  if (final_ == 0 && !failure_ && !helper_.joinable() && queue_ && !stop_) {
    helper_ = std::thread([this] { helpFromTheBack(); });
  }
  published_.wait(lock, [&] { return index < final_ || failure_; });
  if (index >= final_) std::rethrow_exception(failure_);
  return poses_[index];
}

size_t ArticulationFeed::finalFrames() {
  std::lock_guard lock(mutex_);
  return final_;
}

size_t ArticulationFeed::helpedPieces() {
  std::lock_guard lock(piecesMutex_);
  return helped_;
}

std::vector<size_t> ArticulationFeed::publications() {
  std::lock_guard lock(mutex_);
  return publications_;
}

}  // namespace dh::speech
