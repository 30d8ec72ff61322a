#pragma once
// Image input: JPEG or PNG bytes (format decided by content) to a BGR cv::Mat, with the API's
// limits checked.
#include <opencv2/core.hpp>

#include <cstdint>
#include <span>
#include <string>

#include "media/media_limits.h"

namespace dh::media {

// Checks the byte size, sniffs the format, decodes with FFmpeg and checks the dimensions.
// Returns an 8-bit, 3-channel BGR image. Throws core::Error(InvalidInput, field) on failure.
cv::Mat decodeImage(std::span<const uint8_t> bytes, const std::string& field = "image",
                    const ImageLimits& limits = {});

}  // namespace dh::media
