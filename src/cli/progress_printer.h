#pragma once
// Progress for people (a bar on a terminal) or for scripts (one JSON object per line).
#include <chrono>
#include <iosfwd>
#include <string>

#include "core/progress.h"

namespace dh::cli {

enum class ProgressStyle { Auto, Bar, Json, None };

ProgressStyle parseProgressStyle(const std::string& text);

class ProgressPrinter {
 public:
  explicit ProgressPrinter(ProgressStyle style);

  core::Progress::Callback callback();
  // Ends the bar line; a JSON stream gets nothing here (the command prints its own result).
  void finish();

 private:
  void print(const std::string& stage, double fraction);

  ProgressStyle style_;
  int lastPercent_ = -1;
  std::string lastStage_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace dh::cli
