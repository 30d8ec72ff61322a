#include "speech/pause_split.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dh::speech {
namespace {

// Energy of every `window`-sample window starting at a multiple of `hop`, via a prefix sum.
class WindowEnergy {
 public:
  WindowEnergy(const std::vector<float>& mono, size_t window) : window_(window) {
    prefix_.resize(mono.size() + 1, 0.0);
    for (size_t i = 0; i < mono.size(); ++i)
      prefix_[i + 1] = prefix_[i] + static_cast<double>(mono[i]) * mono[i];
  }
  double at(size_t start) const {
    const size_t end = std::min(start + window_, prefix_.size() - 1);
    return prefix_[end] - prefix_[start];
  }

 private:
  size_t window_;
  std::vector<double> prefix_;
};

}  // namespace

std::vector<SampleSpan> splitAtPauses(const std::vector<float>& mono, int sampleRate,
                                      const PauseSplitConfig& config) {
  const double seconds = static_cast<double>(mono.size()) / sampleRate;
  const int pieces = std::max(1, static_cast<int>(std::floor(seconds / config.pieceSeconds)));
  if (pieces == 1) return {{0, mono.size()}};

  const auto window = static_cast<size_t>(config.windowSeconds * sampleRate);
  const size_t hop = std::max<size_t>(1, window / 4);
  const auto search = static_cast<size_t>(config.searchSeconds * sampleRate);
  const WindowEnergy energy(mono, window);

  std::vector<SampleSpan> spans;
  size_t begin = 0;
  for (int i = 1; i < pieces; ++i) {
    const auto ideal = static_cast<size_t>(static_cast<double>(mono.size()) * i / pieces);
    // Windows that start within the search range and leave the previous piece non-empty.
    const size_t from = std::max(begin + window, ideal > search ? ideal - search : 0);
    const size_t to = std::min(ideal + search, mono.size() - window);
    size_t bestStart = ideal;
    double best = std::numeric_limits<double>::max();
    for (size_t start = from; start <= to; start += hop) {
      const double e = energy.at(start);
      // Ties go to the window nearest the ideal cut, so silence of digital zeros splits evenly.
      const auto distance = [&](size_t s) { return s > ideal ? s - ideal : ideal - s; };
      if (e < best || (e == best && distance(start) < distance(bestStart))) {
        best = e;
        bestStart = start;
      }
    }
    const size_t cut = std::clamp(bestStart + window / 2, begin + 1, mono.size() - 1);
    spans.push_back({begin, cut});
    begin = cut;
  }
  spans.push_back({begin, mono.size()});
  return spans;
}

std::vector<SampleSpan> innerSilences(const std::vector<uint8_t>& active, double hopSeconds,
                                      int sampleRate, double minSeconds, double marginSeconds) {
  std::vector<SampleSpan> spans;
  const auto toSample = [&](double seconds) {
    return static_cast<size_t>(std::llround(seconds * sampleRate));
  };
  size_t i = 0;
  while (i < active.size()) {
    if (active[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < active.size() && !active[j]) ++j;
    if ((j - i) * hopSeconds >= minSeconds) {
      spans.push_back(
          {toSample(i * hopSeconds + marginSeconds), toSample(j * hopSeconds - marginSeconds)});
    }
    i = j;
  }
  return spans;
}

}  // namespace dh::speech
