#pragma once
#include <string>

namespace dh::media {

// FFmpeg's text for an error code.
std::string ffmpegMessage(int code);

// Throws core::Error(Internal) "context: <FFmpeg's message>" when code < 0; returns code otherwise.
int checkFfmpeg(int code, const std::string& context);

}  // namespace dh::media
