#include "speech/loudness_track.h"

#include <algorithm>
#include <cmath>

namespace dh::speech {

ArticulationTrack loudnessTrack(const std::vector<float>& mono, double fps,
                                const LoudnessTrackOptions& options) {
  ArticulationTrack track;
  track.fps = fps;
  const double seconds = static_cast<double>(mono.size()) / options.sampleRate;
  const auto count = static_cast<size_t>(frameCountFor(seconds, fps));
  std::vector<float> db(count, -120.0f);
  const double hop = options.sampleRate / fps;
  for (size_t f = 0; f < count; ++f) {
    const auto begin = static_cast<size_t>(f * hop);
    const auto end = std::min(mono.size(), static_cast<size_t>((f + 1) * hop));
    double energy = 0.0;
    for (size_t i = begin; i < end; ++i) energy += static_cast<double>(mono[i]) * mono[i];
    if (end > begin) db[f] = static_cast<float>(10.0 * std::log10(energy / (end - begin) + 1e-12));
  }
  // The clip's "loud" level: the 95th percentile of frame energy.
  std::vector<float> sorted = db;
  std::sort(sorted.begin(), sorted.end());
  const float loud =
      sorted.empty() ? 0.0f : sorted[static_cast<size_t>(0.95 * (sorted.size() - 1))];
  const double alpha = 1.0 - std::exp(-1.0 / (options.smoothingSeconds * fps));
  double smooth = 0.0;
  track.frames.resize(count);
  track.loudness.resize(count);
  track.voiced.resize(count);
  track.stressed.assign(count, 0);
  for (size_t f = 0; f < count; ++f) {
    const double rel = db[f] - loud;  // <= ~0
    const double level = std::clamp((rel - options.silenceDb) / -options.silenceDb, 0.0, 1.0);
    smooth += alpha * (level - smooth);
    track.loudness[f] = static_cast<float>(smooth);
    track.voiced[f] = rel > options.silenceDb ? 1 : 0;
    track.frames[f].jawOpen = static_cast<float>(std::pow(smooth, 1.5));
  }
  return track;
}

}  // namespace dh::speech
