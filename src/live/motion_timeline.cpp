#include "live/motion_timeline.h"

#include <algorithm>
#include <cmath>

#include "speech/articulation_track.h"

namespace dh::live {
namespace {

float lerp(float a, float b, float t) {
  return a + (b - a) * t;
}

float smooth(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

// A silent articulation track: the planner's listening face (still mouth, blinks, breathing).
speech::ArticulationTrack silence(size_t frames, double fps) {
  speech::ArticulationTrack track;
  track.fps = fps;
  track.frames.resize(frames);
  track.loudness.assign(frames, 0.0f);
  track.voiced.assign(frames, 0);
  track.stressed.assign(frames, 0);
  return track;
}

}  // namespace

animate::MotionOptions liveMotionOptions() {
  animate::MotionOptions options;
  options.mouthEaseSeconds = 0.04;
  options.easeInSeconds = 0.04;
  return options;
}

animate::FaceParams blendParams(const animate::FaceParams& a, const animate::FaceParams& b, float t,
                                float mouthT) {
  animate::FaceParams p;
  p.jawOpen = lerp(a.jawOpen, b.jawOpen, mouthT);
  p.lipSpread = lerp(a.lipSpread, b.lipSpread, mouthT);
  p.lipRound = lerp(a.lipRound, b.lipRound, mouthT);
  p.lipPress = lerp(a.lipPress, b.lipPress, mouthT);
  p.lipTuck = lerp(a.lipTuck, b.lipTuck, mouthT);
  p.tongueShow = lerp(a.tongueShow, b.tongueShow, mouthT);
  p.photoHold = lerp(a.photoHold, b.photoHold, mouthT);
  p.smile = lerp(a.smile, b.smile, t);
  p.frown = lerp(a.frown, b.frown, t);
  p.blink = lerp(a.blink, b.blink, t);
  p.browRaise = lerp(a.browRaise, b.browRaise, t);
  p.gazeYaw = lerp(a.gazeYaw, b.gazeYaw, t);
  p.gazePitch = lerp(a.gazePitch, b.gazePitch, t);
  p.headRoll = lerp(a.headRoll, b.headRoll, t);
  p.headYaw = lerp(a.headYaw, b.headYaw, t);
  p.headPitch = lerp(a.headPitch, b.headPitch, t);
  p.headShift = a.headShift + (b.headShift - a.headShift) * t;
  return p;
}

MotionTimeline::MotionTimeline(const animate::Style& style, uint64_t seed,
                               const TimelineSettings& settings)
    : style_(style), seed_(seed), settings_(settings) {
  listen();
}

void MotionTimeline::startPlan(std::vector<animate::FaceParams> plan, bool speech) {
  plan_ = std::move(plan);
  position_ = 0;
  speech_ = speech;
  from_ = last_;
}

void MotionTimeline::listen() {
  const auto frames = static_cast<size_t>(std::max(1.0, settings_.idleSeconds * settings_.fps));
  startPlan(
      animate::planMotion(silence(frames, settings_.fps), style_, seed_++, liveMotionOptions()),
      false);
}

void MotionTimeline::play(std::vector<animate::FaceParams> plan) {
  ++seed_;
  if (plan.empty()) return;
  startPlan(std::move(plan), true);
}

size_t MotionTimeline::speechFramesLeft() const {
  return speech_ ? plan_.size() - position_ : 0;
}

animate::FaceParams MotionTimeline::next() {
  if (position_ >= plan_.size()) listen();
  const animate::FaceParams& target = plan_[position_];
  animate::FaceParams out = target;
  if (first_) {
    first_ = false;  // the very first frame is the plan's own: the photo
  } else {
    const double seconds = static_cast<double>(position_ + 1) / settings_.fps;
    const float t = smooth(static_cast<float>(seconds / settings_.glideSeconds));
    const float mouthT = smooth(static_cast<float>(seconds / settings_.mouthGlideSeconds));
    out = blendParams(from_, target, t, mouthT);
  }
  ++position_;
  last_ = out;
  return out;
}

}  // namespace dh::live
