#pragma once
// Turns the speech articulation track into per-frame face parameters: the mouth from the track;
// head, brows, gaze and blinks as a real speaker moves them, driven by the voice's prosody
// (stressed syllables, phrase starts and ends) over a slow random drift, settling and breathing
// in silence; the prompt's style scales all of it. The first frame is the photo and the motion
// eases in. Seeded: the same track, style and seed always give the same plan.
//
// Amplitudes are calibrated against real talking footage with bench/realism/realism.sh (the
// realism benchmark, docs/BENCHMARKS.md): head rotation and translation std within 0.6-1.6x of
// real speakers', blinks within 10-35 a minute.
#include <cstdint>
#include <vector>

#include "animate/face_params.h"
#include "animate/gestures.h"
#include "animate/style.h"
#include "speech/articulation_track.h"

namespace dh::animate {

struct MotionOptions {
  // Blinks: spontaneous ones at random intervals, plus ones at phrase boundaries.
  double blinkMeanSeconds = 3.6;      // mean interval of the spontaneous blinks
  double blinkJitterSeconds = 1.6;    // intervals are uniform in mean ± jitter
  double boundaryBlinkChance = 0.55;  // chance of a blink where a phrase starts or ends
  double minBlinkGapSeconds = 1.2;    // no two blinks start closer than this
  double blinkCloseSeconds = 0.08;    // lid closing time
  double blinkHoldSeconds = 0.07;     // fully closed
  double blinkOpenSeconds = 0.16;     // lid reopening time
  // Head drift while speaking (standard deviations, at style 1), smoothed over driftSeconds.
  float rollDegrees = 5.0f;
  float yawDegrees = 13.0f;
  float pitchDegrees = 4.0f;
  float shiftIod = 0.0f;       // sway of the head, inter-ocular distances (IOD)
  double driftSeconds = 0.45;  // time constant of the drift's smoothing
  // Prosody: a nod on each stressed syllable, a lift at phrase starts, a settle at phrase ends.
  float nodDegrees = 4.5f;           // pitch of one nod (head down, back up)
  float nodTurnDegrees = 1.8f;       // roll and yaw that come with a nod, random sign
  float phraseLiftDegrees = 3.0f;    // head up as a phrase starts
  float phraseTiltDegrees = 2.5f;    // ... with a tilt to a random side
  float phraseSettleDegrees = 2.2f;  // head down as a phrase ends
  double phrasePauseSeconds = 0.3;   // a pause at least this long separates phrases
  // Brows: raised on stressed syllables and at phrase starts, IOD-free units of browRaise.
  float browNod = 0.9f;
  float browPhrase = 0.6f;
  float browDrift = 0.35f;
  // Gaze: small saccades between fixations, now and then a look away and back.
  double fixationMinSeconds = 0.5;
  double fixationMaxSeconds = 2.2;
  float saccadeDegrees = 2.0f;   // fixation targets within ± this (yaw; pitch 60%)
  double lookAwayChance = 0.12;  // per fixation
  float lookAwayDegrees = 9.0f;  // yaw of a look away (pitch 40%, random signs)
  double saccadeSeconds = 0.05;  // time the eyes take to move
  // Silence: motion settles to stillLevel after stillAfterSeconds; breathing continues.
  double stillAfterSeconds = 1.0;
  float stillLevel = 0.35f;
  double breathSeconds = 4.0;  // one breath
  float breathPitchDegrees = 0.35f;
  // Start: the first frame is the photo; the face takes mouthEaseSeconds to leave it and the
  // head, brows and gaze motion ease in over easeInSeconds.
  double mouthEaseSeconds = 0.2;
  double easeInSeconds = 0.5;
  // Gestures (animate/gestures.h) ease in faster, so that a "No" that opens the speech shakes.
  double gestureEaseSeconds = 0.2;
};

// The plan for every frame. Only the mouth comes from `track.frames`; blinks and head motion
// follow its loudness, voicing and stress cues. `gestures` (from the spoken text's words) add
// to the head motion, scaled by the style's energy; the prompt's gestures come at phrase ends.
std::vector<FaceParams> planMotion(const speech::ArticulationTrack& track, const Style& style,
                                   uint64_t seed, const MotionOptions& options = {},
                                   const std::vector<GestureCue>& gestures = {});

// Sets the mouth parameters of one frame's plan from its articulation pose, in the style.
void setMouth(FaceParams& params, const speech::MouthPose& mouth, const Style& style);

}  // namespace dh::animate
