#include "pipeline/render_settings.h"

#include "core/error.h"

namespace dh::pipeline {

Mode parseMode(const std::string& text) {
  if (text == "std") return Mode::Standard;
  if (text == "pro") return Mode::Pro;
  core::throwInvalid("mode", "mode is \"" + text + "\"; it must be \"std\" or \"pro\"");
}

std::string modeName(Mode mode) {
  return mode == Mode::Pro ? "pro" : "std";
}

ModeSettings settingsFor(Mode mode) {
  if (mode == Mode::Pro) return {1080, 30, 20, "faster", ""};
  // subme=1 (one step below the preset's sub-pixel refinement) makes coding a moving head about
  // 30% cheaper at the same size and nearly the same SSIM (docs/BENCHMARKS.md, "Render").
  return {720, 25, 23, "veryfast", "subme=1:me=dia"};
}

}  // namespace dh::pipeline
