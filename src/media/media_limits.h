#pragma once
// The API's input limits as reusable checks. Each failure throws core::Error(InvalidInput)
// naming the field, the rule and the actual value.
#include <cstddef>
#include <string>

namespace dh::media {

struct ImageLimits {
  size_t maxBytes = 10 * 1024 * 1024;        // bytes of the encoded file (10 MB)
  int minSide = 300;                         // pixels, both width and height
  double maxAspect = 2.5;                    // long side / short side
  long long maxPixels = 64LL * 1024 * 1024;  // decode guard against pixel bombs
};

struct AudioLimits {
  size_t maxBytes = 5 * 1024 * 1024;  // bytes of the encoded file (5 MB)
  double minSeconds = 2.0;            // decoded duration
  double maxSeconds = 300.0;          // decoded duration
  int minSampleRate = 8000;           // Hz; telephone speech
  int maxSampleRate = 192000;         // Hz; studio masters (a forged header can claim GHz)
};

void checkImageBytes(size_t bytes, const std::string& field, const ImageLimits& limits = {});
void checkImageDimensions(int width, int height, const std::string& field,
                          const ImageLimits& limits = {});
void checkAudioBytes(size_t bytes, const std::string& field, const AudioLimits& limits = {});
void checkAudioDuration(double seconds, const std::string& field, const AudioLimits& limits = {});
void checkAudioSampleRate(int hertz, const std::string& field, const AudioLimits& limits = {});

// The largest single block FFmpeg may allocate in this process (512 MiB: the largest picture
// ImageLimits admits, 64 Mpx of 4-byte pixels, with room to spare). FFmpeg sizes some blocks
// from header fields, and a forged 272-byte WAV claiming a 1.9 GB INFO tag otherwise gets it.
// Idempotent; the decoders call it before reading untrusted bytes.
constexpr size_t kMaxFfmpegAllocation = 512ull * 1024 * 1024;
void limitFfmpegAllocations();

// "10 MB" style text for byte counts in messages.
std::string formatBytes(size_t bytes);

}  // namespace dh::media
