#include "pipeline/still_frame_source.h"

#include <opencv2/imgproc.hpp>

namespace dh::pipeline {

StillFrameSource::StillFrameSource(const cv::Mat& photo, cv::Size size, int64_t frames)
    : frames_(frames) {
  cv::resize(photo, still_, size, 0, 0, cv::INTER_AREA);
}

void StillFrameSource::render(int64_t /*index*/, cv::Mat& out) {
  still_.copyTo(out);
}

}  // namespace dh::pipeline
