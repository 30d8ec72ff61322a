#pragma once
// The lip-sync plan: per video frame, the mouth's articulation targets and the acoustic cues
// that drive the rest of the face (loudness, voicing, stress).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dh::speech {

// Mouth articulation, each value in 0..1 unless noted.
struct MouthPose {
  float jawOpen = 0.0f;     // 0 closed .. 1 widest speech opening
  float lipSpread = 0.0f;   // corners pulled sideways (ee, s)
  float lipRound = 0.0f;    // lips pursed forward (oo, w)
  float lipPress = 0.0f;    // lips pressed shut (p, b, m)
  float lipTuck = 0.0f;     // lower lip under upper teeth (f, v)
  float tongueShow = 0.0f;  // tongue tip visible (th, l)
};

struct ArticulationTrack {
  double fps = 25.0;
  std::vector<MouthPose> frames;  // one per video frame
  std::vector<float> loudness;    // 0..1 per frame, normalised to the clip's speech level
  std::vector<uint8_t> voiced;    // 1 where the frame is speech, 0 in silence
  std::vector<uint8_t> stressed;  // 1 on frames that start a stressed syllable (nod cues)

  size_t size() const { return frames.size(); }
};

// Number of video frames for `seconds` of audio at `fps`: the video ends within one frame of
// the audio.
int64_t frameCountFor(double seconds, double fps);

}  // namespace dh::speech
