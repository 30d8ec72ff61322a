#pragma once
// Audio input: MP3, WAV, M4A or AAC bytes (format decided by content) to float samples, with the
// API's limits checked (duration counted from decoded samples).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "media/audio_clip.h"
#include "media/media_limits.h"

namespace dh::media {

// Throws core::Error(InvalidInput, field) with the rule and the value when a check fails.
AudioClip decodeAudio(std::span<const uint8_t> bytes, const std::string& field = "sound_file",
                      const AudioLimits& limits = {});

// Mono float at `sampleRate` (default 16 kHz), for analysis.
std::vector<float> resampleMono(const AudioClip& clip, int sampleRate = 16000);

}  // namespace dh::media
