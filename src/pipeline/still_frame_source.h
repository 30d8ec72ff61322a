#pragma once
#include "pipeline/frame_source.h"

namespace dh::pipeline {

// Every frame is the photo, resized once to the output size.
class StillFrameSource : public FrameSource {
 public:
  StillFrameSource(const cv::Mat& photo, cv::Size size, int64_t frames);

  cv::Size frameSize() const override { return still_.size(); }
  int64_t frameCount() const override { return frames_; }
  void render(int64_t index, cv::Mat& out) override;
  std::optional<cv::Rect> changingRegion() const override { return cv::Rect(); }

 private:
  cv::Mat still_;
  int64_t frames_;
};

}  // namespace dh::pipeline
