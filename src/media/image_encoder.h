#pragma once
// A BGR picture as JPEG or PNG bytes, encoded with FFmpeg (the same library that decodes them).
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dh::media {

// JPEG, 4:2:0, full range. `qscale` is FFmpeg's quantiser scale: 2 (finest) to 31.
std::vector<uint8_t> encodeJpeg(const cv::Mat& bgr, int qscale = 2);

// PNG, 8-bit RGB, lossless.
std::vector<uint8_t> encodePng(const cv::Mat& bgr);

// encodePng into a file. Throws core::Error(Internal) naming the path when it cannot be written.
void writePng(const std::string& path, const cv::Mat& bgr);

}  // namespace dh::media
