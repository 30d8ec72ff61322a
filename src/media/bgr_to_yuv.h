#pragma once
// BGR pictures into the planes of a YUV 4:2:0 frame, BT.709 matrix, limited range (the tags the
// encoder writes): luma per pixel, chroma as the mean of each 2x2 block. Built from OpenCV's
// vectorised colour transform, channel split and area resize; about twice as fast as
// libswscale's unscaled BGR24 path on the frame sizes rendered here (docs/BENCHMARKS.md).
#include <opencv2/core.hpp>

struct AVFrame;

namespace dh::media {

class Bt709Converter {
 public:
  // Converts `area` of `bgr` (CV_8UC3; even x, y, width and height) into the same area of
  // `yuv` (AV_PIX_FMT_YUV420P, the picture's size).
  void convert(const cv::Mat& bgr, const cv::Rect& area, AVFrame& yuv);

 private:
  cv::Mat ycc_, cb_, cr_;  // scratch, reused between frames
};

}  // namespace dh::media
