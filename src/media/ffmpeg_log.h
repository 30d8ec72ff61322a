#pragma once

namespace dh::media {

// Routes FFmpeg's own log lines through the "ffmpeg" logger; `verbose` keeps its warnings.
void routeFfmpegLogs(bool verbose = false);

}  // namespace dh::media
