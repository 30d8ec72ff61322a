#pragma once
#include <opencv2/core.hpp>

namespace dh::media {

// The output frame size for a source image: the short side becomes `shortSide`, the aspect
// ratio is kept and both dimensions are even (H.264 with 4:2:0 chroma needs even sizes).
cv::Size outputSizeFor(cv::Size source, int shortSide);

}  // namespace dh::media
