#include "media/hls_writer.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <regex>
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

// What an earlier writer left in the directory: the segment lines its playlist lists (from the
// first #EXTINF on, verbatim), their length, whether it ended, and the numbers already used.
struct EarlierStream {
  std::string header;  // up to the first #EXTINF
  std::string entries;
  double seconds = 0.0;
  bool ended = false;
  int nextSegment = 0;  // above every segment file present, listed or not
  int inits = 0;        // initialisation segments present
};

// Where the first fragment ('moof') starts among the top-level boxes of `data`, else `size`.
size_t firstFragmentAt(const uint8_t* data, size_t size) {
  size_t at = 0;
  while (at + 8 <= size) {
    const uint64_t box = (uint64_t{data[at]} << 24) | (uint64_t{data[at + 1]} << 16) |
                         (uint64_t{data[at + 2]} << 8) | data[at + 3];
    if (std::string(reinterpret_cast<const char*>(data + at + 4), 4) == "moof") return at;
    if (box < 8) break;
    at += box;
  }
  return size;
}

EarlierStream readEarlierStream(const std::filesystem::path& directory) {
  EarlierStream earlier;
  std::error_code ec;
  const std::regex segmentName(R"(seg([0-9]{5})\.m4s)"), initName(R"(init(-[0-9]+)?\.mp4)");
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::smatch m;
    if (std::regex_match(name, m, segmentName))
      earlier.nextSegment = std::max(earlier.nextSegment, std::stoi(m[1]) + 1);
    else if (std::regex_match(name, initName))
      ++earlier.inits;
  }
  const auto bytes = std::filesystem::exists(directory / "index.m3u8")
                         ? core::readFileBytes((directory / "index.m3u8").string())
                         : std::vector<uint8_t>();
  const std::string text(bytes.begin(), bytes.end());
  const size_t first = text.find("#EXTINF:");
  if (first == std::string::npos) return earlier;
  earlier.header = text.substr(0, first);
  earlier.entries = text.substr(first);
  const std::string endList = "#EXT-X-ENDLIST\n";
  if (earlier.entries.size() >= endList.size() &&
      earlier.entries.compare(earlier.entries.size() - endList.size(), endList.size(), endList) ==
          0) {
    earlier.ended = true;
    earlier.entries.resize(earlier.entries.size() - endList.size());
  }
  const std::regex extinf("#EXTINF:([0-9.]+),");
  for (std::sregex_iterator it(earlier.entries.begin(), earlier.entries.end(), extinf), end;
       it != end; ++it)
    earlier.seconds += std::stod((*it)[1]);
  return earlier;
}

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
  std::vector<std::string> names;  // of the segments this writer published
  std::vector<double> durations;   // of the segments this writer published
  bool finished = false;
  bool initWritten = false;  // the initialisation segment comes with the first fragment
  // Resuming an earlier writer's stream: its playlist lines, kept as they are, and where the
  // earlier segments end (video time, seconds); packets before it are not written again.
  EarlierStream earlier;
  bool resuming = false;
  bool started = true;  // resuming: the keyframe at the resume point has been written
  std::string initName = "init.mp4";
  double maxVideoPts = -1.0;  // seconds, the latest frame written so far in display order

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
      "#EXT-X-MAP:URI=\"{}\"\n",
      target, initName);
  if (resuming) {
    // The earlier lines stay as they were; this writer's segments follow a discontinuity with
    // their own initialisation segment.
    text = earlier.header + earlier.entries;
    if (!durations.empty())
      text += fmt::format("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"{}\"\n", initName);
  }
  for (size_t i = 0; i < durations.size(); ++i)
    text += fmt::format("#EXTINF:{:.3f},\n{}\n", durations[i], names[i]);
  if (ended) text += "#EXT-X-ENDLIST\n";
  core::writeFileAtomically(pathOf("index.m3u8"), text.data(), text.size());
}

// Ends the fragment being collected at video time `end` and publishes it as the next segment.
void HlsWriter::State::publishSegment(double end) {
  checkFfmpeg(av_write_frame(format.get(), nullptr), "cutting a stream segment");
  // With delay_moov the first cut writes the header alone; a second one writes the fragment.
  if (!initWritten) checkFfmpeg(av_write_frame(format.get(), nullptr), "cutting a stream segment");
  DynBytes bytes;
  closeBuffer(&bytes);
  openBuffer();
  if (bytes.size <= 0) return;
  const uint8_t* data = bytes.data;
  size_t size = static_cast<size_t>(bytes.size);
  if (!initWritten) {
    // The muxer writes its header (with the edit lists that line sound and picture up as in the
    // MP4) just before the first fragment: that part is the initialisation segment.
    const size_t initSize = firstFragmentAt(data, size);
    core::writeFileAtomically(pathOf(initName), data, initSize);
    initWritten = true;
    data += initSize;
    size -= initSize;
  }
  if (size == 0) throw core::Error(core::ErrorKind::Internal, "the muxer wrote no fragment");
  const std::string name = fmt::format("seg{:05d}.m4s", segment);
  core::writeFileAtomically(pathOf(name), data, size);
  names.push_back(name);
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
    s.earlier = readEarlierStream(settings.directory);
    s.segment = s.earlier.nextSegment;
    if (s.earlier.inits > 0) s.initName = fmt::format("init-{}.mp4", s.earlier.inits);
    if (s.earlier.ended) {
      s.finished = true;  // a whole stream is there already: leave it as it is
      return;
    }
    if (s.earlier.seconds > 0.0) {
      s.resuming = true;
      s.started = false;
      s.segmentStart = s.earlier.seconds;
      s.nextCut = s.earlier.seconds + settings.segmentSeconds;
    }
    AVFormatContext* raw = nullptr;
    checkFfmpeg(avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr),
                "creating the stream muxer");
    s.format.reset(raw);
    // The times are made non-negative here (the lead-in shift below), the same for every stream
    // and every render of the video; the muxer must not move them again by its first packet.
    s.format->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
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
    // Resuming, the fragments keep the time they have in the whole video (frag_discont: their
    // decode times are not moved to start at zero).
    av_dict_set(
        &options, "movflags",
        s.resuming
            ? "+frag_custom+empty_moov+delay_moov+default_base_moof+skip_trailer+frag_discont"
            : "+frag_custom+empty_moov+delay_moov+default_base_moof+skip_trailer",
        0);
    const int rc = avformat_write_header(s.format.get(), &options);
    av_dict_free(&options);
    checkFfmpeg(rc, "writing the stream header");
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
      const double pts =
          (packet.pts != AV_NOPTS_VALUE ? packet.pts : packet.dts) * av_q2d(s.timeBases[0]);
      const double tolerance = s.videoStep / 2;
      if (!s.started) {
        // Resuming: nothing before the keyframe the encoder was asked for at the resume point.
        if (!(packet.flags & AV_PKT_FLAG_KEY) || std::abs(pts - s.earlier.seconds) > tolerance)
          return;
        s.started = true;
      }
      // A cut only where every earlier frame in display order has been written and no later
      // one (B-frames come after the frame they precede), so each segment holds a run of frames.
      const bool wholeRun = s.maxVideoPts + s.videoStep <= time + tolerance;
      if (s.segmentHasVideo && wholeRun && time >= s.nextCut - 1e-6) {
        s.publishSegment(time);
        s.nextCut = time + s.settings.segmentSeconds;
      }
      s.maxVideoPts = std::max(s.maxVideoPts, pts);
      s.lastVideoTime = time;
      s.segmentHasVideo = true;
      ++s.videoPackets;
    } else if (s.resuming) {
      // Sound from the resume point on.
      const double pts = packet.pts * av_q2d(s.timeBases[index]);
      if (pts < s.earlier.seconds - 1e-6) return;
    }
    checkFfmpeg(av_packet_ref(s.copy.get(), &packet), "copying a packet");
    // Its own bytes: the muxer may rewrite a packet in place (the MP4 file gets the original).
    checkFfmpeg(av_packet_make_writable(s.copy.get()), "copying a packet");
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

void HlsWriter::leaveOpen() {
  State& s = *state_;
  s.finished = true;  // the published segments stay listed; no #EXT-X-ENDLIST
}

double HlsWriter::resumeSeconds() const {
  return state_->resuming ? state_->earlier.seconds : 0.0;
}

bool HlsWriter::active() const {
  return !state_->finished;
}

bool HlsWriter::endStream(const std::string& directory) {
  const EarlierStream earlier = readEarlierStream(directory);
  if (earlier.ended || earlier.entries.empty()) return false;
  const std::string text = earlier.header + earlier.entries + "#EXT-X-ENDLIST\n";
  const std::string path = (std::filesystem::path(directory) / "index.m3u8").string();
  core::writeFileAtomically(path, text.data(), text.size());
  return true;
}

int HlsWriter::segmentsWritten() const {
  return static_cast<int>(state_->durations.size());
}

int64_t HlsWriter::videoPacketsWritten() const {
  return state_->videoPackets;
}

}  // namespace dh::media
