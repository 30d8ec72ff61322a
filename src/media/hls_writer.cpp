#include "media/hls_writer.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/file_io.h"
#include "core/log.h"
#include "media/ffmpeg_error.h"
#include "media/ffmpeg_handles.h"

namespace dh::media {
namespace {

// The bytes a dynamic buffer collected, freed with it.
struct DynBytes {
  uint8_t* data = nullptr;
  int size = 0;
  ~DynBytes() { av_free(data); }
};

}  // namespace

struct HlsWriter::State {
  HlsSettings settings;
  std::vector<AVRational> timeBases;  // of the packets handed in, per stream
  std::vector<int64_t> packetDurations;
  std::vector<int64_t> shifts;  // added to each stream's timestamps (its timeBase)
  OutputFormatPtr format;
  PacketPtr copy;
  int segment = 0;               // number of the segment being collected
  bool segmentHasVideo = false;  // a segment is cut only after it holds video
  double segmentStart = 0.0;     // seconds, video time
  double nextCut = 0.0;          // seconds: the first video packet at or after it starts anew
  double videoOffset = 0.0;      // seconds added to video decode times (B-frame delay)
  bool sawVideo = false;
  double lastVideoTime = 0.0;  // decode time of the last video packet, with the offset
  double videoStep = 0.0;      // seconds between the last two video packets
  int64_t videoPackets = 0;
  std::vector<double> durations;  // of the published segments
  bool finished = false;

  ~State() { closeBuffer(); }

  std::string pathOf(const std::string& file) const {
    return (std::filesystem::path(settings.directory) / file).string();
  }
  void openBuffer() { checkFfmpeg(avio_open_dyn_buf(&format->pb), "opening a stream buffer"); }
  // Takes what the muxer wrote since openBuffer().
  void closeBuffer(DynBytes* into = nullptr) {
    if (!format || !format->pb) return;
    DynBytes bytes;
    bytes.size = avio_close_dyn_buf(format->pb, &bytes.data);
    format->pb = nullptr;
    if (into) std::swap(into->data, bytes.data), std::swap(into->size, bytes.size);
  }
  void publishSegment(double end);
  void writePlaylist(bool ended) const;
};

void HlsWriter::State::writePlaylist(bool ended) const {
  const int target = std::max(
      1,
      static_cast<int>(std::ceil(std::max(settings.segmentSeconds, settings.firstSegmentSeconds))));
  std::string text = fmt::format(
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:0\n"
      "#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-START:TIME-OFFSET=0,PRECISE=YES\n"
      "#EXT-X-MAP:URI=\"init.mp4\"\n",
      target);
  for (size_t i = 0; i < durations.size(); ++i)
    text += fmt::format("#EXTINF:{:.3f},\nseg{:05d}.m4s\n", durations[i], i);
  if (ended) text += "#EXT-X-ENDLIST\n";
  core::writeFileAtomically(pathOf("index.m3u8"), text.data(), text.size());
}

// Ends the fragment being collected at video time `end` and publishes it as the next segment.
void HlsWriter::State::publishSegment(double end) {
  checkFfmpeg(av_write_frame(format.get(), nullptr), "cutting a stream segment");
  DynBytes bytes;
  closeBuffer(&bytes);
  openBuffer();
  if (bytes.size <= 0) return;
  core::writeFileAtomically(pathOf(fmt::format("seg{:05d}.m4s", segment)), bytes.data,
                            static_cast<size_t>(bytes.size));
  durations.push_back(std::max(0.0, end - segmentStart));
  writePlaylist(false);
  ++segment;
  segmentStart = end;
  segmentHasVideo = false;
}

HlsWriter::HlsWriter(const HlsSettings& settings, const std::vector<HlsStreamInfo>& streams)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.settings = settings;
  s.nextCut = settings.firstSegmentSeconds;
  s.copy = allocPacket();
  try {
    std::filesystem::create_directories(settings.directory);
    AVFormatContext* raw = nullptr;
    checkFfmpeg(avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr),
                "creating the stream muxer");
    s.format.reset(raw);
    for (const HlsStreamInfo& info : streams) {
      AVStream* stream = avformat_new_stream(s.format.get(), nullptr);
      if (!stream) throw core::Error(core::ErrorKind::Internal, "out of memory");
      checkFfmpeg(avcodec_parameters_copy(stream->codecpar, info.codec), "stream parameters");
      stream->codecpar->codec_tag = 0;
      stream->time_base = info.timeBase;
      s.timeBases.push_back(info.timeBase);
      s.packetDurations.push_back(info.packetDuration);
    }
    double leadIn = 0.0;
    for (const HlsStreamInfo& info : streams)
      leadIn = std::max(leadIn, info.leadIn * av_q2d(info.timeBase));
    for (const HlsStreamInfo& info : streams)
      s.shifts.push_back(std::llround(leadIn / av_q2d(info.timeBase)));
    s.openBuffer();
    // Fragments only where publishSegment() cuts them; the header is the initialisation segment.
    AVDictionary* options = nullptr;
    av_dict_set(&options, "movflags", "+frag_custom+empty_moov+default_base_moof+skip_trailer", 0);
    const int rc = avformat_write_header(s.format.get(), &options);
    av_dict_free(&options);
    checkFfmpeg(rc, "writing the stream header");
    DynBytes init;
    s.closeBuffer(&init);
    s.openBuffer();
    core::writeFileAtomically(s.pathOf("init.mp4"), init.data, static_cast<size_t>(init.size));
  } catch (...) {
    core::rethrowWithContext("live stream in " + settings.directory);
  }
}

HlsWriter::~HlsWriter() {
  try {
    finish();
  } catch (const std::exception& e) {
    core::logger("media")->warn("ending the live stream in {}: {}", state_->settings.directory,
                                core::describe(e));
  }
}

void HlsWriter::writePacket(const AVPacket& packet) {
  State& s = *state_;
  if (s.finished) return;
  const int index = packet.stream_index;
  if (index < 0 || index >= static_cast<int>(s.timeBases.size()))
    throw core::Error(core::ErrorKind::Internal,
                      fmt::format("no stream {} in the live stream", index));
  try {
    if (index == 0) {
      const int64_t ts = packet.dts != AV_NOPTS_VALUE ? packet.dts : packet.pts;
      double time = ts * av_q2d(s.timeBases[0]);
      if (!s.sawVideo) {
        s.videoOffset = std::max(0.0, -time);  // the first frame shows at 0
        s.sawVideo = true;
      }
      time += s.videoOffset;
      const int64_t duration = packet.duration > 0 ? packet.duration : s.packetDurations[0];
      s.videoStep = duration * av_q2d(s.timeBases[0]);
      if (s.segmentHasVideo && time >= s.nextCut - 1e-6) {
        s.publishSegment(time);
        s.nextCut = time + s.settings.segmentSeconds;
      }
      s.lastVideoTime = time;
      s.segmentHasVideo = true;
      ++s.videoPackets;
    }
    checkFfmpeg(av_packet_ref(s.copy.get(), &packet), "copying a packet");
    if (s.copy->duration == 0) s.copy->duration = s.packetDurations[index];
    if (s.copy->pts != AV_NOPTS_VALUE) s.copy->pts += s.shifts[index];
    if (s.copy->dts != AV_NOPTS_VALUE) s.copy->dts += s.shifts[index];
    av_packet_rescale_ts(s.copy.get(), s.timeBases[index], s.format->streams[index]->time_base);
    const int rc = av_write_frame(s.format.get(), s.copy.get());
    av_packet_unref(s.copy.get());
    checkFfmpeg(rc, "writing to the live stream");
  } catch (...) {
    core::rethrowWithContext("live stream in " + s.settings.directory);
  }
}

void HlsWriter::finish() {
  State& s = *state_;
  if (s.finished) return;
  s.finished = true;
  try {
    if (s.videoPackets > 0) s.publishSegment(s.lastVideoTime + s.videoStep);
    checkFfmpeg(av_write_trailer(s.format.get()), "ending the stream muxer");
    s.closeBuffer();
    // A stream without a single segment (the render stopped first) gets no playlist at all.
    if (!s.durations.empty()) s.writePlaylist(true);
  } catch (...) {
    core::rethrowWithContext("live stream in " + s.settings.directory);
  }
}

int HlsWriter::segmentsWritten() const {
  return static_cast<int>(state_->durations.size());
}

int64_t HlsWriter::videoPacketsWritten() const {
  return state_->videoPackets;
}

}  // namespace dh::media
