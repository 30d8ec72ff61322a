#include "spectral_bands.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>

namespace dh::bench {
namespace {

constexpr int kRate = 16000, kHop = 160, kWindow = 400, kFft = 512;

double toMel(double hz) {
  return 2595.0 * std::log10(1.0 + hz / 700.0);
}
double fromMel(double mel) {
  return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
}

}  // namespace

BandLevels melBandLevels(const std::vector<float>& mono16k, double fps, size_t frames, int bands) {
  BandLevels out;
  std::vector<double> edges(bands + 2);
  for (int i = 0; i < bands + 2; ++i) {
    edges[i] = fromMel(toMel(100.0) + (toMel(7600.0) - toMel(100.0)) * i / (bands + 1));
  }
  for (int b = 0; b < bands; ++b) out.edgesHz.push_back({edges[b], edges[b + 2]});

  // Per 10 ms window: the power in each triangular band.
  const size_t windows = mono16k.size() > kWindow ? (mono16k.size() - kWindow) / kHop + 1 : 0;
  std::vector<std::vector<double>> power(windows, std::vector<double>(bands, 0.0));
  cv::Mat row(1, kFft, CV_32F), spectrum;
  for (size_t w = 0; w < windows; ++w) {
    row.setTo(0.0f);
    for (int n = 0; n < kWindow; ++n) {
      const double hann = 0.5 - 0.5 * std::cos(2.0 * M_PI * n / kWindow);
      row.at<float>(n) = static_cast<float>(mono16k[w * kHop + n] * hann);
    }
    cv::dft(row, spectrum, cv::DFT_COMPLEX_OUTPUT);
    for (int k = 0; k <= kFft / 2; ++k) {
      const cv::Vec2f c = spectrum.at<cv::Vec2f>(k);
      const double p = static_cast<double>(c[0]) * c[0] + static_cast<double>(c[1]) * c[1];
      const double hz = static_cast<double>(k) * kRate / kFft;
      for (int b = 0; b < bands; ++b) {
        const double lo = edges[b], mid = edges[b + 1], hi = edges[b + 2];
        if (hz <= lo || hz >= hi) continue;
        power[w][b] += p * (hz <= mid ? (hz - lo) / (mid - lo) : (hi - hz) / (hi - mid));
      }
    }
  }
  out.level.assign(bands, std::vector<float>(frames, 0.0f));
  for (size_t k = 0; k < frames && windows > 0; ++k) {
    const double hop = static_cast<double>(kHop) / kRate;
    const auto lo = static_cast<size_t>(std::max(0.0, std::floor((k - 0.5) / fps / hop)));
    const size_t hi = std::min(
        windows - 1, static_cast<size_t>(std::max(0.0, std::ceil((k + 0.5) / fps / hop) - 1)));
    for (int b = 0; b < bands; ++b) {
      double sum = 0.0;
      for (size_t w = std::min(lo, hi); w <= hi; ++w) sum += std::log(power[w][b] + 1e-9);
      out.level[b][k] = static_cast<float>(sum / (hi - std::min(lo, hi) + 1));
    }
  }
  return out;
}

}  // namespace dh::bench
