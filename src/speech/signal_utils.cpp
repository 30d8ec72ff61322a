#include "speech/signal_utils.h"

#include <algorithm>
#include <cmath>

namespace dh::speech {

void smoothZeroPhase(std::vector<float>& values, double timeConstant) {
  if (values.empty() || timeConstant <= 0.0) return;
  const double alpha = 1.0 - std::exp(-1.0 / timeConstant);
  double state = values.front();
  for (float& v : values) {
    state += alpha * (v - state);
    v = static_cast<float>(state);
  }
  state = values.back();
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    state += alpha * (*it - state);
    *it = static_cast<float>(state);
  }
}

float sampleAt(const std::vector<float>& values, double step, double t) {
  if (values.empty()) return 0.0f;
  const double x = std::clamp(t / step, 0.0, static_cast<double>(values.size() - 1));
  const auto i = static_cast<size_t>(x);
  if (i + 1 >= values.size()) return values.back();
  const double frac = x - i;
  return static_cast<float>(values[i] * (1.0 - frac) + values[i + 1] * frac);
}

double pearson(const std::vector<float>& a, const std::vector<float>& b) {
  const size_t n = std::min(a.size(), b.size());
  if (n < 2) return 0.0;
  double ma = 0.0;
  double mb = 0.0;
  for (size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  double sab = 0.0;
  double saa = 0.0;
  double sbb = 0.0;
  for (size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa <= 0.0 || sbb <= 0.0) return 0.0;
  return sab / std::sqrt(saa * sbb);
}

size_t prominentPeaks(const std::vector<float>& values, float prominence) {
  if (values.empty()) return 0;
  size_t peaks = 0;
  float low = values[0];
  float candidate = -1.0f;  // < 0: no rise of `prominence` yet since the last peak
  for (float v : values) {
    if (candidate < 0.0f) {
      low = std::min(low, v);
      if (v >= low + prominence) candidate = v;
    } else if (v > candidate) {
      candidate = v;
    } else if (v <= candidate - prominence) {
      ++peaks;
      candidate = -1.0f;
      low = v;
    }
  }
  return peaks;
}

}  // namespace dh::speech
