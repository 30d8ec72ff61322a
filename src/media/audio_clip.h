#pragma once
#include <cstddef>
#include <vector>

#include "media/sniff.h"

namespace dh::media {

// Decoded audio: interleaved float samples in [-1, 1] at the source's own rate, mono or stereo.
struct AudioClip {
  int sampleRate = 0;
  int channels = 0;
  std::vector<float> samples;  // interleaved, frames * channels
  ContentType sourceType = ContentType::Unknown;

  size_t frameCount() const { return channels > 0 ? samples.size() / channels : 0; }
  double durationSeconds() const {
    return sampleRate > 0 ? static_cast<double>(frameCount()) / sampleRate : 0.0;
  }
};

}  // namespace dh::media
