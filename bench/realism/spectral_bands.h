#pragma once
// The voice's spectrum in mel-spaced bands per video frame, for asking which band follows the
// real speakers' lip gap (articulation_fit --bands).
#include <cstddef>
#include <utility>
#include <vector>

namespace dh::bench {

struct BandLevels {
  std::vector<std::pair<double, double>> edgesHz;  // per band: lower and upper edge
  std::vector<std::vector<float>> level;           // [band][frame]: natural log of the power
};

// `bands` triangular mel bands from 100 Hz to 7.6 kHz over 25 ms Hann windows every 10 ms of
// `mono16k`, each video frame the mean over the windows of its time span.
BandLevels melBandLevels(const std::vector<float>& mono16k, double fps, size_t frames,
                         int bands = 20);

}  // namespace dh::bench
