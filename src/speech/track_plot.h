#pragma once
// A picture of the lip-sync plan: waveform with voice activity, the phones, and the
// articulation curves over time, so a person can check it by eye.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "speech/speech_analysis.h"

namespace dh::speech {

struct TrackPlotOptions {
  std::string title;               // printed at the top left
  double pixelsPerSecond = 110.0;  // horizontal scale
  int minWidth = 1200;             // px
  int maxWidth = 4200;             // px; longer clips are compressed to fit
};

// The plot as a BGR picture.
cv::Mat drawTrackPlot(const std::vector<float>& mono16k, const SpeechAnalysis& analysis,
                      const TrackPlotOptions& options = {});

// Phone names in ASCII (X-SAMPA-like) for labels: "ʃ" -> "S", "aɪ" -> "aI".
std::string asciiPhone(const std::string& phone);

}  // namespace dh::speech
