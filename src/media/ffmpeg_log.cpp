#include "media/ffmpeg_log.h"

#include <cstdarg>
#include <cstdio>
#include <string>

#include "core/log.h"
#include "media/ffmpeg_handles.h"

namespace dh::media {
namespace {

void logLine(void* avcl, int level, const char* format, va_list args) {
  if (level > av_log_get_level()) return;
  char line[1024];
  int prefix = 1;
  av_log_format_line2(avcl, level, format, args, line, sizeof(line), &prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return;
  static const auto log = core::logger("ffmpeg");
  if (level <= AV_LOG_ERROR) {
    log->error("{}", text);
  } else if (level <= AV_LOG_WARNING) {
    log->warn("{}", text);
  } else {
    log->debug("{}", text);
  }
}

}  // namespace

void routeFfmpegLogs(bool verbose) {
  av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_FATAL);
  av_log_set_callback(logLine);
}

}  // namespace dh::media
