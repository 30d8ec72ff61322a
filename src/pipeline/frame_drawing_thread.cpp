#include "pipeline/frame_drawing_thread.h"

#include "core/thread_name.h"

namespace dh::pipeline {

FrameDrawingThread::FrameDrawingThread(FrameSource& source) : source_(source) {
  for (auto& slot : slots_) slot.create(source.frameSize(), CV_8UC3);
  thread_ = std::thread([this] { draw(); });
}

FrameDrawingThread::~FrameDrawingThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void FrameDrawingThread::draw() {
  core::nameThisThread("dh-draw");
  const int64_t total = source_.frameCount();
  for (int64_t index = 0; index < total; ++index) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || index - consumed_ < kSlots; });
      if (stopping_) return;
    }
    try {
      // Only this thread writes the slot of a frame not yet drawn; the consumer reads drawn ones.
      // After its first use a slot holds an earlier frame of the same source.
      if (index < kSlots) {
        source_.render(index, slots_[index % kSlots]);
      } else {
        source_.redraw(index, slots_[index % kSlots]);
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      failure_ = std::current_exception();
      changed_.notify_all();
      return;
    }
    {
      std::lock_guard lock(mutex_);
      drawn_ = index + 1;
    }
    changed_.notify_all();
  }
}

const cv::Mat& FrameDrawingThread::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return drawn_ > consumed_ || failure_; });
  if (drawn_ <= consumed_ && failure_) std::rethrow_exception(failure_);
  return slots_[consumed_ % kSlots];
}

void FrameDrawingThread::release() {
  {
    std::lock_guard lock(mutex_);
    ++consumed_;
  }
  changed_.notify_all();
}

}  // namespace dh::pipeline
