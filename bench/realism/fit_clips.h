#pragma once
// What the articulation fits read from the realism benchmark's clips: each real speaker's
// tracked lip gap, its sound's acoustic features and the phones the recogniser finds in it, and
// the lip gap the articulation model predicts from them.
#include <string>
#include <vector>

#include "speech/acoustic_features.h"
#include "speech/articulation_model.h"
#include "speech/timed_phone.h"

namespace dh::bench {

struct FitClip {
  std::string name;
  double fps = 25.0;
  std::vector<float> realMouth;  // inner-lip gap per frame, inter-ocular distances
  std::vector<bool> speech;      // frame is speech
  speech::AcousticFeatures features;
  std::vector<float> mono;  // 16 kHz
  std::vector<speech::TimedPhone> phones;
};

// Tracks and analyses every clip of the list written by bench/realism/realism.sh.
std::vector<FitClip> loadFitClips(const std::string& listPath);

// The lip gap (inter-ocular distances) of the articulation model's jaw track for the clip.
std::vector<float> predictedGap(const FitClip& clip, const speech::ArticulationConfig& config);

double meanOver(const std::vector<float>& v, const std::vector<bool>& use);
double median(std::vector<double> v);

}  // namespace dh::bench
