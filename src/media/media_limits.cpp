#include "media/media_limits.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

extern "C" {
#include <libavutil/mem.h>
}

#include "core/error.h"

namespace dh::media {

void limitFfmpegAllocations() {
  static std::once_flag once;
  std::call_once(once, [] { av_max_alloc(kMaxFfmpegAllocation); });
}

std::string formatBytes(size_t bytes) {
  if (bytes >= 1024 * 1024) return fmt::format("{:.2f} MB", bytes / (1024.0 * 1024.0));
  if (bytes >= 1024) return fmt::format("{:.1f} KB", bytes / 1024.0);
  return fmt::format("{} bytes", bytes);
}

void checkImageBytes(size_t bytes, const std::string& field, const ImageLimits& limits) {
  if (bytes > limits.maxBytes) {
    core::throwInvalid(field, fmt::format("{} is {}; it must be at most {}", field,
                                          formatBytes(bytes), formatBytes(limits.maxBytes)));
  }
}

void checkImageDimensions(int width, int height, const std::string& field,
                          const ImageLimits& limits) {
  if (static_cast<long long>(width) * height > limits.maxPixels) {
    core::throwInvalid(field, fmt::format("{} is {}x{} px; it must have at most {} pixels", field,
                                          width, height, limits.maxPixels));
  }
  if (width < limits.minSide || height < limits.minSide) {
    core::throwInvalid(field, fmt::format("{} is {}x{} px; both sides must be at least {} px",
                                          field, width, height, limits.minSide));
  }
  const double aspect = static_cast<double>(std::max(width, height)) / std::min(width, height);
  if (aspect > limits.maxAspect + 1e-9) {
    core::throwInvalid(
        field, fmt::format("{} is {}x{} px (aspect ratio {:.2f}:1); the aspect ratio must "
                           "be between 1:{} and {}:1",
                           field, width, height, aspect, limits.maxAspect, limits.maxAspect));
  }
}

void checkAudioBytes(size_t bytes, const std::string& field, const AudioLimits& limits) {
  if (bytes > limits.maxBytes) {
    core::throwInvalid(field, fmt::format("{} is {}; it must be at most {}", field,
                                          formatBytes(bytes), formatBytes(limits.maxBytes)));
  }
}

void checkAudioDuration(double seconds, const std::string& field, const AudioLimits& limits) {
  if (seconds < limits.minSeconds || seconds > limits.maxSeconds) {
    core::throwInvalid(field, fmt::format("{} lasts {:.2f} s; it must last between {:g} and {:g} s",
                                          field, seconds, limits.minSeconds, limits.maxSeconds));
  }
}

void checkAudioSampleRate(int hertz, const std::string& field, const AudioLimits& limits) {
  if (hertz < limits.minSampleRate || hertz > limits.maxSampleRate) {
    core::throwInvalid(field,
                       fmt::format("{} has a sample rate of {} Hz; it must be between {} and "
                                   "{} Hz",
                                   field, hertz, limits.minSampleRate, limits.maxSampleRate));
  }
}

}  // namespace dh::media
