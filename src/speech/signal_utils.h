#pragma once
// Small helpers on sampled curves.
#include <cstddef>
#include <vector>

namespace dh::speech {

// One-pole smoothing run forwards then backwards: no delay. `timeConstant` in samples.
void smoothZeroPhase(std::vector<float>& values, double timeConstant);

// Linear interpolation of `values` (sampled every `step` seconds) at time `t`.
float sampleAt(const std::vector<float>& values, double step, double t);

// Peaks of `values` that stand at least `prominence` above the lowest value on both sides since
// the previous such peak: how many times a curve (a mouth opening) rises and falls again.
size_t prominentPeaks(const std::vector<float>& values, float prominence);

// Pearson correlation of two equally long series (0 when either is constant).
double pearson(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace dh::speech
