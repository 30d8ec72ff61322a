#pragma once
// Small helpers on sampled curves.
#include <vector>

namespace dh::speech {

// One-pole smoothing run forwards then backwards: no delay. `timeConstant` in samples.
void smoothZeroPhase(std::vector<float>& values, double timeConstant);

// Linear interpolation of `values` (sampled every `step` seconds) at time `t`.
float sampleAt(const std::vector<float>& values, double step, double t);

// Pearson correlation of two equally long series (0 when either is constant).
double pearson(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace dh::speech
