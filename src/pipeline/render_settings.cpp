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
  if (mode == Mode::Pro) return {1080, 30, 20, "faster"};
  return {720, 25, 23, "veryfast"};
}

}  // namespace dh::pipeline
