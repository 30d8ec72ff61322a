#pragma once
// A language-independent articulation track from loudness alone: the mouth opens with the
// voice and rests closed in silence.
#include <vector>

#include "speech/articulation_track.h"

namespace dh::speech {

struct LoudnessTrackOptions {
  int sampleRate = 16000;          // Hz of the mono input
  double silenceDb = -40.0;        // frames this far below the clip's loud level count as silence
  double smoothingSeconds = 0.04;  // envelope smoothing time constant
};

ArticulationTrack loudnessTrack(const std::vector<float>& mono, double fps,
                                const LoudnessTrackOptions& options = {});

}  // namespace dh::speech
