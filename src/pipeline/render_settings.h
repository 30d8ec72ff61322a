#pragma once
// Quality levels and the per-render options shared by `dh render` and the service's workers.
#include <cstdint>
#include <optional>
#include <string>

namespace dh::pipeline {

enum class Mode { Standard, Pro };

// Parses "std" / "pro"; throws core::Error(InvalidInput, "mode") otherwise.
Mode parseMode(const std::string& text);
std::string modeName(Mode mode);

struct ModeSettings {
  int shortSide;       // pixels of the output's short side
  int fps;             // frames per second
  int crf;             // x264 constant rate factor
  std::string preset;  // x264 preset
  // x264 options on top of the preset ("key=value:..."), as ffmpeg's -x264-params.
  std::string x264Params;
};

ModeSettings settingsFor(Mode mode);

struct RenderOptions {
  Mode mode = Mode::Standard;
  std::string prompt;  // style keywords ("stable", "excited", "smile"), ≤ 2500 chars
  uint64_t seed = 1;   // blinks and head motion derive from it: same inputs + seed = same video
};

}  // namespace dh::pipeline
