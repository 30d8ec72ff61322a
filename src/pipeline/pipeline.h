#pragma once
// The whole render as one call: decode and check inputs, analyse speech, build the frame source
// and stream its frames to the MP4 encoder. Used by `dh render` and by the service's workers.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.h"
#include "pipeline/render_settings.h"

namespace dh::pipeline {

struct RenderRequest {
  std::vector<uint8_t> image;  // JPEG or PNG bytes
  std::vector<uint8_t> audio;  // MP3, WAV, M4A or AAC bytes
  std::string imageField = "image";       // field names used in error messages
  std::string audioField = "sound_file";
  RenderOptions options;
};

struct RenderResult {
  double audioSeconds = 0.0;  // decoded length of the voice
  double videoSeconds = 0.0;  // frames / fps
  int64_t frames = 0;
  cv::Size size;
  int fps = 0;
};

// Writes the MP4 to `outputPath` atomically: a partial file never appears under that name.
// Throws core::Error (kinds InvalidInput, ContentRejected, Cancelled, Internal) with context.
RenderResult render(const RenderRequest& request, const std::string& outputPath,
                    const core::Progress& progress = {});

}  // namespace dh::pipeline
