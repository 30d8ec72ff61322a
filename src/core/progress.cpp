#include "core/progress.h"

#include <algorithm>

#include "core/error.h"

namespace dh::core {

Progress::Progress(Callback callback, std::shared_ptr<const CancelFlag> cancel)
    : shared_(std::make_shared<Shared>(Shared{std::move(callback), std::move(cancel)})) {}

Progress Progress::stage(const std::string& name, double begin, double end) const {
  Progress child = *this;
  child.stage_ = name;
  child.begin_ = begin_ + (end_ - begin_) * begin;
  child.end_ = begin_ + (end_ - begin_) * end;
  return child;
}

void Progress::update(double fraction) const {
  checkCancelled();
  if (shared_->callback) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    shared_->callback(stage_, begin_ + (end_ - begin_) * fraction);
  }
}

void Progress::checkCancelled() const {
  if (shared_->cancel && shared_->cancel->cancelled()) {
    throw Error(ErrorKind::Cancelled, "the task was cancelled");
  }
}

}  // namespace dh::core
