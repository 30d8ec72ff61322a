#pragma once
// Content-based format detection from the first bytes (never from a file name).
#include <cstdint>
#include <span>
#include <string>

namespace dh::media {

enum class ContentType { Jpeg, Png, Mp3, Wav, Mp4Audio, Aac, Unknown };

ContentType sniffContent(std::span<const uint8_t> bytes);

// A readable name for messages: "JPEG image", "MP3 audio", "unrecognised data".
std::string describeContent(ContentType type);

}  // namespace dh::media
