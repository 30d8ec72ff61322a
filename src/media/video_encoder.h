#pragma once
// MP4 writer: H.264 (libx264) video fed one BGR frame at a time, plus AAC audio from a decoded
// clip, interleaved as frames arrive so memory does not grow with duration.
#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "media/audio_clip.h"
#include "media/hls_writer.h"

namespace dh::media {

struct VideoSettings {
  cv::Size size{720, 720};          // pixels, both even
  int fps = 25;                     // frames per second
  int crf = 23;                     // x264 constant rate factor (lower is better quality)
  std::string preset = "veryfast";  // x264 preset
  std::string x264Params;           // x264 options on top of the preset ("key=value:...")
  int audioBitrate = 128000;        // bits per second for AAC
  int keyframeSeconds = 5;          // maximum distance between keyframes, seconds
  // Also a live HLS stream of the same packets while the file is written (directory empty: none).
  // It does not change the MP4.
  HlsSettings live;
};

class VideoEncoder {
 public:
  // Opens `path` for writing. `audio` (may be null) must outlive the encoder.
  VideoEncoder(const std::string& path, const VideoSettings& settings, const AudioClip* audio);
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  // Appends one frame: 8-bit BGR of exactly settings.size. `changed`: the only part that may
  // differ from the previous frame, which alone is converted to YUV again (an empty rectangle:
  // the same picture; none: anything may differ).
  void writeFrame(const cv::Mat& bgr, const std::optional<cv::Rect>& changed = std::nullopt);

  // Flushes both encoders, writes the index at the front (faststart) and closes the file; the
  // live stream, if any, ends with #EXT-X-ENDLIST. An encoder destroyed unfinished (a failed
  // render) leaves no MP4 behind it to use, but ends the live stream cleanly where it got to.
  void finish();

  // The render stops here but goes on elsewhere (handed back to the queue): the live stream stays
  // open, without #EXT-X-ENDLIST, for the next render of the same task to resume (see
  // HlsWriter::resumeSeconds(); that render's MP4 then has one more keyframe, where it resumes).
  void leaveStreamOpen();

  int64_t framesWritten() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dh::media
