// The motion plan behaves like a real speaker on tracks with known phrases and stresses: nods and
// brow raises on stressed syllables, blinks gathered at phrase boundaries, gaze that moves in
// saccades, a head that settles in long silence, and a first frame that is the photo.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "animate/motion_planner.h"

namespace dh {
namespace {

constexpr double kFps = 25.0;

// Phrases of `speech` seconds separated by pauses of `pause` seconds, a stressed syllable 0.5 s
// into each phrase, for `seconds` in all (starting with a pause).
speech::ArticulationTrack phrasedTrack(double seconds, double speech, double pause) {
  speech::ArticulationTrack track;
  track.fps = kFps;
  const auto n = static_cast<size_t>(seconds * kFps);
  track.frames.resize(n);
  track.loudness.assign(n, 0.0f);
  track.voiced.assign(n, 0);
  track.stressed.assign(n, 0);
  for (double start = pause; start + speech < seconds; start += speech + pause) {
    const auto a = static_cast<size_t>(start * kFps),
               b = static_cast<size_t>((start + speech) * kFps);
    for (size_t k = a; k < b && k < n; ++k) {
      track.voiced[k] = 1;
      track.loudness[k] = 0.7f;
      track.frames[k].jawOpen = 0.3f;
    }
    track.stressed[a + static_cast<size_t>(0.5 * kFps)] = 1;
  }
  return track;
}

double stddev(const std::vector<float>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  double s = 0.0;
  for (float x : v) s += (x - mean) * (x - mean);
  return std::sqrt(s / v.size());
}

TEST(MotionBehaviour, StressedSyllablesNodTheHeadAndRaiseTheBrows) {
  const auto track = phrasedTrack(60.0, 2.5, 0.6);
  animate::Style eventsOnly;
  eventsOnly.headMotion = 0.0f;  // no drift: only the prosodic events move the head
  const auto plan = animate::planMotion(track, eventsOnly, 3);
  int stresses = 0;
  for (size_t k = 0; k < track.size(); ++k) {
    if (!track.stressed[k] || k / kFps < 1.0) continue;
    ++stresses;
    const size_t peak = k + static_cast<size_t>(0.14 * kFps);
    // Head down (pitch up) by at least 1.5 degrees against just before the syllable; brows up.
    EXPECT_GT(plan[peak].headPitch - plan[k - 1].headPitch, 1.5) << "at " << k / kFps << " s";
    EXPECT_GT(plan[peak].browRaise, 0.3f) << "at " << k / kFps << " s";
  }
  EXPECT_GT(stresses, 10);
}

TEST(MotionBehaviour, BlinksGatherAtPhraseBoundaries) {
  const auto track = phrasedTrack(120.0, 3.0, 0.6);
  const auto plan = animate::planMotion(track, {}, 5);
  // Boundaries: where voicing starts or stops. Windows of ±0.4 s around them cover about a
  // quarter of the time.
  std::vector<double> boundaries;
  for (size_t k = 1; k < track.size(); ++k)
    if (track.voiced[k] != track.voiced[k - 1]) boundaries.push_back(k / kFps);
  int blinks = 0, nearBoundary = 0;
  for (size_t k = 1; k < plan.size(); ++k) {
    if (!(plan[k - 1].blink < 0.05f && plan[k].blink >= 0.05f)) continue;
    ++blinks;
    const double t = k / kFps;
    const bool near = std::any_of(boundaries.begin(), boundaries.end(),
                                  [t](double b) { return std::abs(b - t) <= 0.4; });
    nearBoundary += near;
  }
  const double minutes = plan.size() / kFps / 60.0;
  std::cout << blinks / minutes << " blinks a minute, " << nearBoundary << " of " << blinks
            << " at phrase boundaries\n";
  EXPECT_GE(blinks / minutes, 10.0);
  EXPECT_LE(blinks / minutes, 35.0);
  EXPECT_GE(static_cast<double>(nearBoundary) / blinks, 0.45);
}

TEST(MotionBehaviour, GazeMovesInSaccadesAndSometimesLooksAway) {
  const auto track = phrasedTrack(120.0, 3.0, 0.6);
  const auto plan = animate::planMotion(track, {}, 9);
  int saccades = 0;
  float widest = 0.0f;
  auto step = [&](size_t k) {
    return std::hypot(plan[k].gazeYaw - plan[k - 1].gazeYaw,
                      plan[k].gazePitch - plan[k - 1].gazePitch);
  };
  for (size_t k = 2; k < plan.size(); ++k) {
    if (step(k) > 0.3f && step(k - 1) <= 0.3f) ++saccades;  // a movement starts
    widest = std::max(widest, std::abs(plan[k].gazeYaw));
  }
  const double minutes = plan.size() / kFps / 60.0;
  std::cout << saccades / minutes << " saccades a minute, widest " << widest << " degrees\n";
  EXPECT_GE(saccades / minutes, 20.0);
  EXPECT_GE(widest, 5.0f);   // a look away
  EXPECT_LE(widest, 12.0f);  // never rolled out of the eye
}

TEST(MotionBehaviour, HeadSettlesInLongSilenceAndBreathes) {
  // 8 s of speech, 6 s of silence, 8 s of speech.
  speech::ArticulationTrack track = phrasedTrack(22.0, 8.0, 6.0);
  std::fill(track.voiced.begin(), track.voiced.begin() + static_cast<long>(6.0 * kFps), 1);
  const auto plan = animate::planMotion(track, {}, 4);
  std::vector<float> speaking, silent;
  for (size_t k = 0; k < plan.size(); ++k) {
    const double t = k / kFps;
    if (t >= 1.0 && t < 6.0) speaking.push_back(plan[k].headRoll);
    if (t >= 16.0 && t < 20.0) silent.push_back(plan[k].headRoll);
  }
  // The pause of the track above runs 14-20 s: its last 4 s are settled.
  std::cout << "roll std speaking " << stddev(speaking) << ", in silence " << stddev(silent)
            << "\n";
  EXPECT_LT(stddev(silent), 0.6 * stddev(speaking));
}

TEST(MotionBehaviour, TheFirstFrameIsThePhotoAndMotionEasesIn) {
  const auto track = phrasedTrack(10.0, 2.5, 0.1);
  const auto plan = animate::planMotion(track, {}, 2);
  EXPECT_EQ(plan[0].photoHold, 1.0f);
  EXPECT_EQ(plan[0].headRoll, 0.0f);
  EXPECT_EQ(plan[0].headYaw, 0.0f);
  EXPECT_EQ(plan[0].gazeYaw, 0.0f);
  EXPECT_EQ(plan[0].blink, 0.0f);
  EXPECT_EQ(plan[static_cast<size_t>(0.3 * kFps)].photoHold, 0.0f);
  // Head motion grows over the first half second.
  double early = 0.0, later = 0.0;
  for (size_t k = 1; k < 4; ++k) early = std::max(early, std::abs(double(plan[k].headRoll)));
  for (size_t k = 13; k < 60; ++k) later = std::max(later, std::abs(double(plan[k].headRoll)));
  EXPECT_LT(early, 0.3 * later);
}

}  // namespace
}  // namespace dh
