#include "store/store.h"

#include <vector>

#include <openssl/rand.h>

#include <chrono>
#include <cstdint>

#include "core/error.h"

namespace dh::store {

Millis nowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

void randomBytes(unsigned char* out, size_t count) {
  if (RAND_bytes(out, static_cast<int>(count)) != 1)
    throw core::Error(core::ErrorKind::Internal, "store: the random generator failed (RAND_bytes)");
}

}  // namespace

std::string newId() {
  constexpr uint64_t kLow = 100000000000000000ULL, kSpan = 900000000000000000ULL;
  // Rejection sampling keeps the 18-digit ids uniform: draws at or above the largest multiple
  // of kSpan that fits in 64 bits are drawn again.
  constexpr uint64_t kLimit = UINT64_MAX - UINT64_MAX % kSpan;
  uint64_t draw = 0;
  do {
    randomBytes(reinterpret_cast<unsigned char*>(&draw), sizeof(draw));
  } while (draw >= kLimit);
  return std::to_string(kLow + draw % kSpan);
}

std::string randomHex(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randomBytes(raw.data(), raw.size());
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : raw) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

std::string newMediaName() {
  return randomHex(16);
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
