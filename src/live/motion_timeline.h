#pragma once
// The face parameters of an endless live video, one frame at a time: a listening face (blinks,
// gaze, breathing, a little head motion) between utterances, and each utterance's own motion
// plan while it plays. The animation planner makes plans of a fixed length that start at the
// photo's pose; here they follow each other without a jump: head, brows and gaze glide from
// where the previous plan left them, the mouth moves over within a few frames.
#include <cstdint>
#include <vector>

#include "animate/face_params.h"
#include "animate/motion_planner.h"
#include "animate/style.h"

namespace dh::live {

struct TimelineSettings {
  int fps = 25;
  double idleSeconds = 12.0;        // length of one listening plan; the next one follows it
  double glideSeconds = 0.8;        // head, brows and gaze move from one plan to the next over this
  double mouthGlideSeconds = 0.08;  // the mouth's share of the same
};

// Motion options for live plans: nothing eases in from the photo (an utterance starts speaking
// on its first frames); the timeline's glide joins each plan to the one before.
animate::MotionOptions liveMotionOptions();

// `a` moved by `t` (0..1) towards `b`; `mouthT` for the mouth's parameters.
animate::FaceParams blendParams(const animate::FaceParams& a, const animate::FaceParams& b, float t,
                                float mouthT);

class MotionTimeline {
 public:
  MotionTimeline(const animate::Style& style, uint64_t seed, const TimelineSettings& settings = {});

  // The parameters of the next frame.
  animate::FaceParams next();

  // Plays `plan` from the next frame on (an utterance's motion), then listens again.
  void play(std::vector<animate::FaceParams> plan);
  // Drops what is playing and listens from the next frame on.
  void listen();
  // Frames of the current utterance still to come (0 while listening).
  size_t speechFramesLeft() const;

 private:
  void startPlan(std::vector<animate::FaceParams> plan, bool speech);

  animate::Style style_;
  uint64_t seed_;
  TimelineSettings settings_;
  std::vector<animate::FaceParams> plan_;
  size_t position_ = 0;
  bool speech_ = false;
  animate::FaceParams last_;  // the last frame handed out
  animate::FaceParams from_;  // where the glide into the current plan starts
  bool first_ = true;
};

}  // namespace dh::live
