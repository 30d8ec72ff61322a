#pragma once
// Turns the speech articulation track into per-frame face parameters: the mouth from the track,
// plus blinks, idle head motion, nods on stressed syllables and the prompt's style. Seeded:
// the same track, style and seed always give the same plan.
#include <cstdint>
#include <vector>

#include "animate/face_params.h"
#include "animate/style.h"
#include "speech/articulation_track.h"

namespace dh::animate {

struct MotionOptions {
  double blinkMeanSeconds = 3.0;    // mean time between blink starts (20 a minute)
  double blinkJitterSeconds = 0.7;  // intervals are uniform in mean ± jitter
  double blinkCloseSeconds = 0.10;  // lid closing time
  double blinkHoldSeconds = 0.03;   // fully closed
  double blinkOpenSeconds = 0.15;   // lid reopening time
  float rollDegrees = 1.4f;         // idle head-motion amplitudes at style 1
  float yawDegrees = 2.2f;
  float pitchDegrees = 1.3f;
  float shiftIod = 0.025f;         // idle sway, inter-ocular distances
  float nodDegrees = 2.2f;         // pitch of one nod
  double stillAfterSeconds = 1.5;  // silence longer than this calms the head
  float stillLevel = 0.25f;        // head-motion scale reached in long silence
};

// The plan for every frame. Only the mouth comes from `track.frames`; blinks and head motion
// follow its loudness, voicing and stress cues.
std::vector<FaceParams> planMotion(const speech::ArticulationTrack& track, const Style& style,
                                   uint64_t seed, const MotionOptions& options = {});

// Sets the mouth parameters of one frame's plan from its articulation pose, in the style.
void setMouth(FaceParams& params, const speech::MouthPose& mouth, const Style& style);

}  // namespace dh::animate
