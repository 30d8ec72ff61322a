#pragma once
// Weighted progress with cancellation. A Progress maps its own 0..1 range onto a slice of its
// parent's, so each stage reports 0..1 and the owner sees one monotone figure.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace dh::core {

class CancelFlag {
 public:
  void cancel() noexcept { cancelled_.store(true); }
  bool cancelled() const noexcept { return cancelled_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
};

class Progress {
 public:
  // callback(stage, fraction 0..1 of the whole job); may be empty.
  using Callback = std::function<void(const std::string& stage, double fraction)>;

  Progress() = default;
  Progress(Callback callback, std::shared_ptr<const CancelFlag> cancel);

  // A child covering [begin, end] of this progress's range, named `stage`.
  Progress stage(const std::string& name, double begin, double end) const;

  // Reports `fraction` (0..1) of this stage and throws Error(Cancelled) when cancelled.
  void update(double fraction) const;
  void checkCancelled() const;

 private:
  struct Shared {
    Callback callback;
    std::shared_ptr<const CancelFlag> cancel;
  };
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::string stage_;
  double begin_ = 0.0;
  double end_ = 1.0;
};

}  // namespace dh::core
