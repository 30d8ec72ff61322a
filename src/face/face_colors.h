#pragma once
// Colour measurements of an analysed face: skin, lips, teeth and fine grain.
#include <opencv2/core.hpp>

#include "face/face_analysis.h"

namespace dh::face {

// Fills skinColor, lipColor, teethColor, teethVisible and grainSigma of `analysis` from `bgr`
// (the image the landmarks were found in).
void measureColors(const cv::Mat& bgr, FaceAnalysis& analysis);

// Median BGR colour of the pixels under `mask` (8-bit); `fallback` when the mask is empty.
cv::Vec3f medianColor(const cv::Mat& bgr, const cv::Mat& mask, cv::Vec3f fallback);

}  // namespace dh::face
