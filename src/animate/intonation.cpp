#include "animate/intonation.h"

#include <algorithm>
#include <cmath>

namespace dh::animate {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

double pitchOf(const float* x, size_t n, int rate, const IntonationOptions& o) {
  const auto shortest = static_cast<size_t>(rate / o.maxHz);
  const auto longest = static_cast<size_t>(rate / o.minHz);
  if (n < 2 * longest) return 0.0;
  double mean = 0.0;
  for (size_t i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<double>(n);
  const size_t span = n - longest;
  double bestScore = 0.0;
  size_t bestLag = 0;
  std::vector<double> scores(longest + 2, 0.0);
  for (size_t lag = shortest; lag <= longest + 1; ++lag) {
    double xy = 0.0, xx = 0.0, yy = 0.0;
    for (size_t i = 0; i < span; ++i) {
      const double a = x[i] - mean, b = x[i + lag] - mean;
      xy += a * b;
      xx += a * a;
      yy += b * b;
    }
    scores[lag] = xx > 0.0 && yy > 0.0 ? xy / std::sqrt(xx * yy) : 0.0;
  }
  // The first strong peak (the shortest period, not one of its multiples).
  for (size_t lag = shortest + 1; lag <= longest; ++lag) {
    const bool peak = scores[lag] >= scores[lag - 1] && scores[lag] >= scores[lag + 1];
    if (peak && scores[lag] >= o.voicing && scores[lag] > bestScore * 1.1) {
      bestScore = scores[lag];
      bestLag = lag;
      if (bestScore > 0.8) break;
    }
  }
  if (bestLag == 0) return 0.0;
  // Parabolic refinement of the lag.
  const double l = scores[bestLag - 1], c = scores[bestLag], r = scores[bestLag + 1];
  const double denominator = l - 2.0 * c + r;
  const double shift = denominator != 0.0 ? 0.5 * (l - r) / denominator : 0.0;
  return rate / (static_cast<double>(bestLag) + std::clamp(shift, -0.5, 0.5));
}

std::vector<GestureCue> questionTilts(const std::vector<float>& samples, int rate,
                                      const std::vector<Phrase>& phrases,
                                      const IntonationOptions& o) {
  std::vector<GestureCue> cues;
  if (rate <= 0) return cues;
  const auto window = static_cast<size_t>(o.windowSeconds * rate);
  for (const Phrase& phrase : phrases) {
    if (phrase.end - phrase.start < o.tailSeconds + 0.2) continue;
    // The pitch over the phrase's last stretch, each estimate the median of three (octave slips
    // and single bad windows do not count).
    std::vector<double> times, pitch;
    const double from = std::max(phrase.start, phrase.end - o.tailSeconds - o.bodySeconds);
    for (double t = from; t + o.windowSeconds <= phrase.end; t += o.hopSeconds) {
      const auto first = static_cast<size_t>(t * rate);
      if (first + window > samples.size()) break;
      const double hz = pitchOf(samples.data() + first, window, rate, o);
      if (hz <= 0.0) continue;
      times.push_back(t + o.windowSeconds);
      pitch.push_back(hz);
    }
    std::vector<double> tail, body;
    for (size_t i = 1; i + 1 < pitch.size(); ++i) {
      const double smooth = median({pitch[i - 1], pitch[i], pitch[i + 1]});
      (times[i] > phrase.end - o.tailSeconds ? tail : body).push_back(smooth);
    }
    if (tail.size() < 3 || body.size() < 5) continue;
    if (median(tail) < (1.0 + o.minRise) * *std::min_element(body.begin(), body.end())) continue;
    const double start = std::max(phrase.start, phrase.end - 0.6);
    cues.push_back({GestureKind::Tilt, start, phrase.end - start});
  }
  return cues;
}

}  // namespace dh::animate
