#pragma once
// Phones plus the acoustic path to a continuous articulation track: dominance-blended phone
// targets (coarticulation), amplitude from the loudness envelope, the mouth leading the sound at
// onsets, and long pauses relaxing to a closed, still mouth.
#include <vector>

#include "speech/acoustic_features.h"
#include "speech/articulation_track.h"
#include "speech/timed_phone.h"

namespace dh::speech {

// The defaults of the jaw's amplitude and timing (loudnessWeight, shapeFloor, closureDepth,
// phoneLeadSeconds, coarticulationScale, vowelFullSeconds, jawSmoothingSeconds, jawGain,
// visualLeadSeconds, phoneShapeWeight, mouthBandWeight, mouthBandLeadSeconds) are
// fitted to real speakers' measured lip motion: `bench/realism/realism.sh` then
// `build/bench/realism/articulation_fit --list build/realism/work/clips.tsv` (see
// docs/BENCHMARKS.md, "Realism").
struct ArticulationConfig {
  double onsetLeadSeconds = 0.07;    // the jaw starts opening this long before a voice onset
  double phoneLeadSeconds = 0.06;    // phone shapes are moved this much earlier than the sound
  double closureLeadSeconds = 0.02;  // p/b/m lips are half closed this long before the phone
  double closureRampSeconds = 0.03;  // time for the lips to seal (and to part again)
  double closureDepth = 0.35;        // how fully recognised p/b/m press the lips shut (0..1)
  double exactClosureDepth = 1.0;    // ... and p/b/m of synthesised speech (exact phones)
  double pauseSeconds = 0.3;         // pauses at least this long relax to a closed, still mouth
  double relaxSeconds = 0.04;        // ... closing over this long, ending as the voice stops
  double phoneShapeWeight = 0.65;    // jaw shape from phones vs formant cue (0..1)
  double loudnessWeight = 0.5;       // jaw amplitude = (1 - w) + w x loudness envelope
  double loudnessExponent = 1.0;     // ... with the envelope raised to this power
  // The jaw is scaled by exp(w x z), z: the 1.8-3.2 kHz band's level (AcousticFeatures::
  // mouthBandDb) in standard deviations from its mean over the voice, limited to +-mouthBandLimit
  // and taken mouthBandLeadSeconds early.
  double mouthBandWeight = 0.3;
  double mouthBandLimit = 2.5;
  double mouthBandLeadSeconds = 0.04;
  double shapeFloor = 0.0;            // shape = floor + (1 - floor) x phone/formant openness
  double jawGain = 1.2;               // overall scale of the jaw opening
  double coarticulationScale = 1.6;   // scales how far phones reach into their neighbours
  double vowelFullSeconds = 0.12;     // vowels shorter than this open less (x sqrt(d / this))
  double jawSmoothingSeconds = 0.03;  // the jaw's inertia: Gaussian sigma over time (±3 sigma)
  double visualLeadSeconds = 0.04;    // the jaw track runs this much ahead of the sound
  double quietLevel = 0.12;           // loudness (0..1) below which a rise counts as an onset
  double minStressGapSeconds = 0.6;   // nods are at least this far apart
};

// `phones` may be empty (then shapes come from the acoustic cues alone). `phonesExact`: they
// come from the synthesiser (not recognition), so their lip closures are certain. The track has
// frameCountFor(features.seconds(), fps) frames.
ArticulationTrack buildArticulationTrack(const std::vector<TimedPhone>& phones,
                                         const AcousticFeatures& features, double fps,
                                         const ArticulationConfig& config = {},
                                         bool phonesExact = false);

}  // namespace dh::speech
