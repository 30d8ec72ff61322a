#pragma once
// Colour measurements of an analysed face: skin, lips, teeth and fine grain.
#include <opencv2/core.hpp>

#include "face/face_analysis.h"

namespace dh::face {

// Fills skinColor, lipColor, teethColor, teethVisible and grainSigma of `analysis` from `bgr`
// (the image the landmarks were found in).
void measureColors(const cv::Mat& bgr, FaceAnalysis& analysis);

// The photo's softness around the features: the Gaussian sigma (px) its sharpest edges (lashes,
// brows, lip line, glasses' rims) show, from their contrast against their steepest gradient.
// About 0.5 for a sharp photo, 1.5-2.5 for an upscaled or heavily compressed one.
float measureBlur(const cv::Mat& bgr, const FaceAnalysis& analysis);

// Median BGR colour of the pixels under `mask` (8-bit); `fallback` when the mask is empty.
cv::Vec3f medianColor(const cv::Mat& bgr, const cv::Mat& mask, cv::Vec3f fallback);

}  // namespace dh::face
