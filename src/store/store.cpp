#include "store/store.h"

#include <chrono>
#include <mutex>
#include <random>

#include "core/error.h"

namespace dh::store {

Millis nowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string newId() {
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard lock(mutex);
  std::uniform_int_distribution<uint64_t> digits(100000000000000000ULL, 999999999999999999ULL);
  return std::to_string(digits(engine));
}

std::string statusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::Submitted:
      return "submitted";
    case TaskStatus::Processing:
      return "processing";
    case TaskStatus::Succeeded:
      return "succeed";
    case TaskStatus::Failed:
      return "failed";
  }
  return "failed";
}

TaskStatus parseStatus(const std::string& name) {
  if (name == "submitted") return TaskStatus::Submitted;
  if (name == "processing") return TaskStatus::Processing;
  if (name == "succeed") return TaskStatus::Succeeded;
  if (name == "failed") return TaskStatus::Failed;
  throw core::Error(core::ErrorKind::Internal, "store: unknown task status \"" + name + "\"");
}

}  // namespace dh::store
