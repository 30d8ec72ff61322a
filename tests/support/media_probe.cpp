#include "support/media_probe.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "media/ffmpeg_handles.h"
#include "support/process.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace dh::test {

const StreamInfo* ProbeResult::find(const std::string& type) const {
  for (const auto& s : streams) {
    if (s.type == type) return &s;
  }
  return nullptr;
}

namespace {

// Walks the top-level MP4 boxes and reports whether "moov" comes before "mdat".
bool moovFirst(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char header[16];
  while (in.read(reinterpret_cast<char*>(header), 8)) {
    unsigned long long size = (static_cast<unsigned long long>(header[0]) << 24) |
                              (header[1] << 16) | (header[2] << 8) | header[3];
    const std::string type(reinterpret_cast<char*>(header) + 4, 4);
    if (type == "moov") return true;
    if (type == "mdat") return false;
    long long skip = static_cast<long long>(size) - 8;
    if (size == 1) {
      in.read(reinterpret_cast<char*>(header + 8), 8);
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | header[i];
      skip = static_cast<long long>(size) - 16;
    }
    if (size < 8) return false;
    in.seekg(skip, std::ios::cur);
  }
  return false;
}

}  // namespace

ProbeResult probeFile(const std::string& path) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) {
    throw std::runtime_error("cannot open " + path);
  }
  media::InputFormatPtr format(raw);
  if (avformat_find_stream_info(format.get(), nullptr) < 0) {
    throw std::runtime_error("cannot read stream info of " + path);
  }
  ProbeResult result;
  result.container = format->iformat->name;
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    const AVStream* stream = format->streams[i];
    const AVCodecParameters* par = stream->codecpar;
    StreamInfo info;
    info.codec = avcodec_get_name(par->codec_id);
    info.seconds = stream->duration > 0 ? stream->duration * av_q2d(stream->time_base) : 0.0;
    info.frames = stream->nb_frames;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
      info.type = "video";
      info.width = par->width;
      info.height = par->height;
      info.fps = av_q2d(stream->avg_frame_rate);
      const char* pix = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format));
      info.pixelFormat = pix ? pix : "";
      const char* space = av_color_space_name(par->color_space);
      info.colorSpace = space ? space : "";
    } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
      info.type = "audio";
      info.sampleRate = par->sample_rate;
    } else {
      info.type = "other";
    }
    result.streams.push_back(info);
  }
  result.moovBeforeMdat = moovFirst(path);
  return result;
}

std::vector<double> firstFrameTimes(const std::string& url, int frames) {
  const auto r = runProcess({"/usr/bin/ffprobe", "-v", "error", "-select_streams", "v:0",
                             "-read_intervals", "%+#" + std::to_string(frames), "-show_entries",
                             "frame=best_effort_timestamp_time", "-of", "csv=p=0", url});
  std::vector<double> times;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line != "N/A") times.push_back(std::stod(line));
  }
  return times;
}

}  // namespace dh::test
