#pragma once
// The whole render as one call: decode and check inputs, analyse speech, build the frame source
// and stream its frames to the MP4 encoder. Used by `dh render` and by the service's workers.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/progress.h"
#include "pipeline/render_settings.h"
#include "speech/tts.h"

namespace dh::pipeline {

struct RenderRequest {
  std::vector<uint8_t> image;        // JPEG or PNG bytes
  std::vector<uint8_t> audio;        // MP3, WAV, M4A or AAC bytes
  std::string imageField = "image";  // field names used in error messages
  std::string audioField = "sound_file";
  RenderOptions options;
  // Phone timing of the audio when it is known (text-to-speech output); empty = recognise the
  // phones from the audio.
  std::vector<speech::TimedPhone> phones;
  // The spoken words of a synthesised text (head gestures follow them); empty for a recording.
  std::vector<speech::TimedWord> words;
};

// A request whose voice is synthesised from `text` (espeak-ng): the audio is stored as WAV in
// `request.audio`, the synthesiser's exact phone timing in `request.phones` and its words in
// `request.words`. Throws core::Error(InvalidInput) with the field ("text", "voice_id",
// "voice_language", "voice_speed").
void setSpeechFromText(RenderRequest& request, const std::string& text,
                       const std::string& voiceId = {}, const std::string& language = {},
                       double speed = 1.0);

struct RenderResult {
  double audioSeconds = 0.0;  // decoded length of the voice
  double videoSeconds = 0.0;  // frames / fps
  int64_t frames = 0;
  cv::Size size;
  int fps = 0;
};

// Writes the MP4 to `outputPath` atomically: a partial file never appears under that name.
// With `streamDirectory`, the same frames and sound also go out as they are encoded as a live HLS
// stream in that directory (media::HlsWriter: index.m3u8, init.mp4, seg*.m4s), which ends with
// #EXT-X-ENDLIST whether the render succeeds or fails.
// Throws core::Error (kinds InvalidInput, ContentRejected, Cancelled, Internal) with context.
RenderResult render(const RenderRequest& request, const std::string& outputPath,
                    const core::Progress& progress = {}, const std::string& streamDirectory = {});

}  // namespace dh::pipeline
