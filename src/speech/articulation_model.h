#pragma once
// Phones plus the acoustic path to a continuous articulation track: dominance-blended phone
// targets (coarticulation), amplitude from the loudness envelope, the mouth leading the sound at
// onsets, and long pauses relaxing to a closed, still mouth.
#include <vector>

#include "speech/acoustic_features.h"
#include "speech/articulation_track.h"
#include "speech/timed_phone.h"

namespace dh::speech {

struct ArticulationConfig {
  double onsetLeadSeconds = 0.07;    // the jaw starts opening this long before a voice onset
  double phoneLeadSeconds = 0.02;    // phone shapes are moved this much earlier than the sound
  double closureLeadSeconds = 0.02;  // p/b/m lips are half closed this long before the phone
  double closureRampSeconds = 0.03;  // time for the lips to seal (and to part again)
  double pauseSeconds = 0.3;         // pauses at least this long relax to a closed, still mouth
  double relaxSeconds = 0.04;        // ... closing over this long, ending as the voice stops
  double phoneShapeWeight = 0.65;    // jaw shape from phones vs formant cue (0..1)
  double loudnessExponent = 1.0;     // jaw amplitude = loudness^exponent x shape
  double shapeFloor = 0.55;          // shape = floor + (1 - floor) x phone/formant openness
  double quietLevel = 0.12;          // loudness (0..1) below which a rise counts as an onset
  double minStressGapSeconds = 0.6;  // nods are at least this far apart
};

// `phones` may be empty (then shapes come from the acoustic cues alone). The track has
// frameCountFor(features.seconds(), fps) frames.
ArticulationTrack buildArticulationTrack(const std::vector<TimedPhone>& phones,
                                         const AcousticFeatures& features, double fps,
                                         const ArticulationConfig& config = {});

}  // namespace dh::speech
