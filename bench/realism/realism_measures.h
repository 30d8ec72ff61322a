#pragma once
// What the realism benchmark measures on a tracked video: per-frame mouth opening, head pose and
// position, brow height and eye opening, and the clip-level statistics compared between a real
// speaker and our render of the same sound.
#include <vector>

#include "landmark_tracker.h"

namespace dh::bench {

struct FaceCurves {
  std::vector<float> mouth;     // inner-lip gap / the clip's median inter-ocular distance (IOD)
  std::vector<float> roll;      // degrees (eye line)
  std::vector<float> yaw;       // degrees (solvePnP on a generic rigid head)
  std::vector<float> pitch;     // degrees
  std::vector<cv::Point2f> at;  // eye midpoint / median IOD
  std::vector<float> brow;      // brow height above the eye line / this frame's IOD
  std::vector<float> eye;       // eye aspect ratio
};

FaceCurves measureCurves(const TrackedVideo& video);

// The sound of the clip on the video's frame grid.
struct SoundCurves {
  std::vector<float> loudness;  // 0..1, the speech analysis' loudness averaged per frame
  std::vector<bool> speech;     // frame is speech (voice activity)
};

SoundCurves measureSound(const std::vector<float>& mono16k, double fps, size_t frames);

struct ClipStats {
  double meanOpenSpeech = 0;                     // mean mouth opening over speech frames, IOD
  double rollStd = 0, yawStd = 0, pitchStd = 0;  // degrees
  double shiftStd = 0;  // RMS distance of the eye midpoint from its mean, IOD
  double browStd = 0;   // IOD
  double blinksPerMinute = 0;
  double loudnessCorr = 0;  // mouth vs loudness, lag 0
};

ClipStats clipStats(const FaceCurves& face, const SoundCurves& sound, double fps);

double pearson(const std::vector<float>& a, const std::vector<float>& b, int lagOfA = 0);

struct LagCorrelation {
  double atZero = 0;
  double best = 0;
  double bestLagSeconds = 0;  // > 0: ours lags the real speaker
};

// Correlation of our mouth curve with the real one at lag 0 and the best lag within
// ±maxLagSeconds.
LagCorrelation mouthCorrelation(const std::vector<float>& ours, const std::vector<float>& real,
                                double fps, double maxLagSeconds = 0.2);

// Blinks: dips of the eye aspect ratio below 75% of the clip's typical opening, 1..12 frames long.
int countBlinks(const std::vector<float>& eye);

}  // namespace dh::bench
