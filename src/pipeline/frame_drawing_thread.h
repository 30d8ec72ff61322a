#pragma once
// Draws a FrameSource's frames on a thread of their own, a few frames ahead of the consumer, so
// drawing and encoding overlap. Frames come out in order; an exception thrown while drawing is
// rethrown to the consumer by next().
#include <opencv2/core.hpp>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>

#include "pipeline/frame_source.h"

namespace dh::pipeline {

class FrameDrawingThread {
 public:
  explicit FrameDrawingThread(FrameSource& source);
  ~FrameDrawingThread();  // stops drawing and joins, also when the consumer gave up early
  FrameDrawingThread(const FrameDrawingThread&) = delete;
  FrameDrawingThread& operator=(const FrameDrawingThread&) = delete;

  // The next frame in order; valid until release(). Call once per frame of the source.
  const cv::Mat& next();
  // Hands the frame returned by next() back for drawing.
  void release();

 private:
  // Frames drawn ahead of the consumer. x264's frame threads hold the consumer back in bursts;
  // with 12 rather than 4 the drawing goes on through them, and a 60 s std render on 2 cores
  // leaves about half as much CPU time idle (docs/BENCHMARKS.md, "Fewer idle cores and a quicker
  // start"). Costs 8 more frames of memory (15 MB std, 33 MB pro).
  static constexpr int kSlots = 12;

  void draw();

  FrameSource& source_;
  std::array<cv::Mat, kSlots> slots_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t drawn_ = 0;     // frames finished by the drawing thread
  int64_t consumed_ = 0;  // frames released by the consumer
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace dh::pipeline
