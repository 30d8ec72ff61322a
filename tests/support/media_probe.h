#pragma once
// Reads an MP4 back with libavformat so tests check what a player would see.
#include <string>
#include <vector>

namespace dh::test {

struct StreamInfo {
  std::string type;   // "video" or "audio"
  std::string codec;  // "h264", "aac"
  int width = 0;
  int height = 0;
  double fps = 0.0;
  double seconds = 0.0;
  long long frames = 0;
  std::string pixelFormat;
  std::string colorSpace;  // "bt709"
  int sampleRate = 0;
};

struct ProbeResult {
  std::string container;  // demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::vector<StreamInfo> streams;
  bool moovBeforeMdat = false;  // +faststart

  const StreamInfo* find(const std::string& type) const;
};

ProbeResult probeFile(const std::string& path);

// The timestamps of the first `frames` video frames ffprobe reads from `url` (a file, or an HLS
// playlist served over HTTP, as a player would read it); empty when it reads none.
std::vector<double> firstFrameTimes(const std::string& url, int frames);

}  // namespace dh::test
