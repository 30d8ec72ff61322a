#pragma once
// Questions heard in a recorded voice: a phrase whose pitch rises at its end (the voice's
// fundamental frequency, by autocorrelation) gets the tilt of someone asking. Synthesised texts
// use their "?" instead (animate/gestures.h).
#include <vector>

#include "animate/gestures.h"
#include "animate/motion_curves.h"

namespace dh::animate {

struct IntonationOptions {
  double windowSeconds = 0.04;  // analysis window of one pitch estimate
  double hopSeconds = 0.01;     // between estimates
  double minHz = 75.0;          // the pitch range searched
  double maxHz = 400.0;
  double voicing = 0.5;       // least normalised autocorrelation peak of a voiced window
  double tailSeconds = 0.12;  // the phrase's end, whose pitch is compared with ...
  double bodySeconds = 0.5;   // ... the lowest pitch in this much before it
  double minRise = 0.15;      // a rise of 15% or more from there is a question's
};

// The pitch in Hz of `count` samples at `rate`, or 0 when they are not voiced.
double pitchOf(const float* samples, size_t count, int rate, const IntonationOptions& options = {});

// Tilt cues (GestureKind::Tilt) for the phrases of `samples` (mono, `rate` Hz) whose pitch rises
// at the end: the tilt comes with the phrase's last 0.6 s and holds to its end.
std::vector<GestureCue> questionTilts(const std::vector<float>& samples, int rate,
                                      const std::vector<Phrase>& phrases,
                                      const IntonationOptions& options = {});

}  // namespace dh::animate
