#include "cli/progress_printer.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace dh::cli {

ProgressStyle parseProgressStyle(const std::string& text) {
  if (text == "auto") return ProgressStyle::Auto;
  if (text == "bar") return ProgressStyle::Bar;
  if (text == "json") return ProgressStyle::Json;
  if (text == "none") return ProgressStyle::None;
  core::throwInvalid("progress", "--progress is \"" + text + "\"; use auto, bar, json or none");
}

ProgressPrinter::ProgressPrinter(ProgressStyle style) : style_(style) {
  if (style_ == ProgressStyle::Auto) {
    style_ = isatty(STDERR_FILENO) ? ProgressStyle::Bar : ProgressStyle::None;
  }
}

core::Progress::Callback ProgressPrinter::callback() {
  if (style_ == ProgressStyle::None) return {};
  return [this](const std::string& stage, double fraction) { print(stage, fraction); };
}

void ProgressPrinter::print(const std::string& stage, double fraction) {
  const int percent = static_cast<int>(std::floor(fraction * 100.0));
  if (percent == lastPercent_ && stage == lastStage_) return;
  lastPercent_ = percent;
  lastStage_ = stage;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (style_ == ProgressStyle::Json) {
    nlohmann::json line = {{"event", "progress"},
                           {"stage", stage},
                           {"progress", std::round(fraction * 1000.0) / 1000.0},
                           {"elapsed_seconds", std::round(elapsed * 100.0) / 100.0}};
    std::cout << line.dump() << std::endl;
    return;
  }
  constexpr int kWidth = 30;
  const int filled = std::min(kWidth, percent * kWidth / 100);
  std::fprintf(stderr, "\r%-8s [%s%s] %3d%% %6.1fs", stage.c_str(),
               std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(), percent,
               elapsed);
  std::fflush(stderr);
}

void ProgressPrinter::finish() {
  if (style_ == ProgressStyle::Bar && lastPercent_ >= 0) std::fprintf(stderr, "\n");
}

}  // namespace dh::cli
