#pragma once
// The live session's encoder: H.264 (libx264, tuned for latency: no B-frames, no look-ahead) and
// AAC into fragmented MP4 held in memory. The initialisation segment ('ftyp' + 'moov') exists
// from construction; every cutFragment() returns one 'moof' + 'mdat' pair holding the frames and
// the sound added since the previous cut, ready for Media Source Extensions or a file.
//
// Sound and picture share one clock: each frame comes with exactly its own share of samples
// (sampleRate / fps of them). The AAC encoder's priming samples would start the sound before the
// picture; both streams are moved later by that lead-in, so they stay in sync and every
// timestamp is non-negative.
#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dh::live {

struct FragmentSettings {
  cv::Size size{720, 720};          // pixels, both even
  int fps = 25;                     // frames per second
  int sampleRate = 22050;           // Hz, mono; sampleRate must be a multiple of fps
  int crf = 23;                     // x264 constant rate factor
  std::string preset = "veryfast";  // x264 preset
  double keyframeSeconds = 2.0;     // keyframe spacing: how long a player joining late waits
  int audioBitrate = 64000;         // bits per second
  int threads = 0;                  // x264 threads; 0 = one per core
};

class FragmentEncoder {
 public:
  explicit FragmentEncoder(const FragmentSettings& settings);
  ~FragmentEncoder();
  FragmentEncoder(const FragmentEncoder&) = delete;
  FragmentEncoder& operator=(const FragmentEncoder&) = delete;

  // 'ftyp' + 'moov': what a player needs before the first fragment.
  const std::vector<uint8_t>& initSegment() const;

  // Samples per frame (sampleRate / fps).
  int samplesPerFrame() const;

  // Adds one frame (8-bit BGR of settings.size) and its samples (exactly samplesPerFrame(),
  // mono, -1..1). `changed`: the only part that may differ from the previous frame (none:
  // anything may). The next fragment starts with a keyframe when `keyframe` is set.
  void addFrame(const cv::Mat& bgr, std::span<const float> samples,
                const std::optional<cv::Rect>& changed = std::nullopt, bool keyframe = false);

  // One 'moof' + 'mdat' of everything encoded since the last cut (empty when nothing was).
  std::vector<uint8_t> cutFragment();

  int64_t framesAdded() const;
  // Seconds of media time where frame `index` shows (the lead-in included).
  double frameTime(int64_t index) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dh::live
