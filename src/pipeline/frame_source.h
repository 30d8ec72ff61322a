#pragma once
// Where video frames come from. The pipeline asks a FrameSource for frames in order and streams
// them to the encoder, so a source never holds more than the frame it is drawing.
#include <opencv2/core.hpp>

#include <cstdint>
#include <optional>

namespace dh::pipeline {

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  virtual cv::Size frameSize() const = 0;
  virtual int64_t frameCount() const = 0;

  // Draws frame `index` (0-based, requested in increasing order) into `out`, an 8-bit BGR image
  // of frameSize() that the caller owns and reuses between calls.
  virtual void render(int64_t index, cv::Mat& out) = 0;

  // render() into a buffer that holds an earlier frame of this source, untouched since: a
  // source may skip what is the same in every frame.
  virtual void redraw(int64_t index, cv::Mat& out) { render(index, out); }

  // The part of a frame that can differ from the frame before it; none: anywhere.
  virtual std::optional<cv::Rect> changingRegion() const { return std::nullopt; }
};

}  // namespace dh::pipeline
