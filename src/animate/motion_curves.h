#pragma once
// Building blocks of the motion plan: a seeded random source that gives the same numbers on every
// standard library, smoothed random drift, the time shapes of blinks, nods and saccades, and the
// voice's phrases.
#include <cstdint>
#include <random>
#include <vector>

#include "speech/articulation_track.h"

namespace dh::animate {

// Uniform numbers from a 64-bit engine, identical on every standard library.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed ^ 0x9E3779B97F4A7C15ull) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool chance(double p) { return uniform() < p; }
  double sign() { return uniform() < 0.5 ? -1.0 : 1.0; }
  // Approximately standard normal (sum of four uniforms, scaled).
  double normal();

 private:
  std::mt19937_64 engine_;
};

// Smoothed random drift of unit standard deviation: white noise through two one-pole low-pass
// stages of time constant `seconds`, sampled at `fps`, `count` samples.
std::vector<float> smoothDrift(Random& rng, size_t count, double fps, double seconds);

double smoothstep(double x);

// A stretch of voice, seconds.
struct Phrase {
  double start, end;
};

// The track's phrases: voiced stretches separated by pauses of at least `pauseSeconds`.
std::vector<Phrase> findPhrases(const speech::ArticulationTrack& track, double fps,
                                double pauseSeconds);

// Rise over `rise` seconds, then decay back to 0 over `fall` seconds: 0 outside, peak 1.
double bump(double dt, double rise, double fall);

}  // namespace dh::animate
