#include "animate/motion_curves.h"

#include <algorithm>
#include <cmath>

namespace dh::animate {

double Random::normal() {
  // Four uniforms have variance 4/12: scaled to unit variance.
  double sum = 0.0;
  for (int i = 0; i < 4; ++i) sum += uniform();
  return (sum - 2.0) * std::sqrt(3.0);
}

std::vector<float> smoothDrift(Random& rng, size_t count, double fps, double seconds) {
  const double alpha = 1.0 - std::exp(-1.0 / (seconds * fps));
  const double a = 1.0 - alpha;
  // Stationary standard deviation of two identical one-pole stages fed unit white noise.
  const double sd = alpha * alpha * std::sqrt((1.0 + a * a) / std::pow(1.0 - a * a, 3.0));
  // Start both stages from their stationary distribution so the first second is not calmer.
  double first = rng.normal() * alpha / std::sqrt(1.0 - a * a);
  double second = rng.normal() * sd;
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) {
    first += alpha * (rng.normal() - first);
    second += alpha * (first - second);
    out[i] = static_cast<float>(second / sd);
  }
  return out;
}

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

double bump(double dt, double rise, double fall) {
  if (dt < 0.0) return 0.0;
  if (dt < rise) return smoothstep(dt / rise);
  if (dt < rise + fall) return 1.0 - smoothstep((dt - rise) / fall);
  return 0.0;
}

std::vector<Phrase> findPhrases(const speech::ArticulationTrack& track, double fps,
                                double pauseSeconds) {
  std::vector<Phrase> phrases;
  const auto minPause = static_cast<size_t>(std::lround(pauseSeconds * fps));
  size_t i = 0;
  const size_t n = track.voiced.size();
  while (i < n) {
    if (!track.voiced[i]) {
      ++i;
      continue;
    }
    size_t end = i;
    size_t quiet = 0;
    size_t j = i;
    while (j < n && quiet < minPause) {
      if (track.voiced[j]) {
        end = j;
        quiet = 0;
      } else {
        ++quiet;
      }
      ++j;
    }
    phrases.push_back({i / fps, (end + 1) / fps});
    i = end + 1;
  }
  return phrases;
}

}  // namespace dh::animate
