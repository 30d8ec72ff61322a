#include "live/fragment_encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/error.h"
#include "media/bgr_to_yuv.h"
#include "media/ffmpeg_error.h"
#include "media/ffmpeg_handles.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace dh::live {
namespace {

constexpr int kVideoTimescale = 90000;  // the video track's clock, ticks per second

// The bytes of a dynamic buffer, freed with it.
struct DynBytes {
  uint8_t* data = nullptr;
  int size = 0;
  ~DynBytes() { av_free(data); }
};

}  // namespace

struct FragmentEncoder::State {
  FragmentSettings settings;
  media::OutputFormatPtr format;
  media::CodecContextPtr video;
  media::CodecContextPtr aac;
  media::FramePtr yuv;
  media::FramePtr audioFrame;
  media::PacketPtr packet;
  media::Bt709Converter converter;
  std::vector<uint8_t> init;
  std::vector<float> pendingSamples;  // not yet a whole AAC frame
  int64_t samplesSent = 0;            // to the AAC encoder
  int64_t frames = 0;
  int64_t videoShift = 0;  // added to video times, kVideoTimescale ticks
  int64_t audioShift = 0;  // added to audio times, samples
  double leadInSeconds = 0.0;
  int64_t packetsSinceCut = 0;

  ~State() {
    if (format && format->pb) {
      DynBytes ignored;
      ignored.size = avio_close_dyn_buf(format->pb, &ignored.data);
      format->pb = nullptr;
    }
  }

  void openVideo();
  void openAudio();
  void writeHeader();
  void drain(AVCodecContext& ctx, int streamIndex);
  void encodeAudio();
  std::vector<uint8_t> takeBuffer();
};

void FragmentEncoder::State::openVideo() {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) throw core::Error(core::ErrorKind::Internal, "FFmpeg was built without libx264");
  AVStream* stream = avformat_new_stream(format.get(), nullptr);
  video.reset(avcodec_alloc_context3(codec));
  if (!stream || !video) throw core::Error(core::ErrorKind::Internal, "out of memory");
  video->width = settings.size.width;
  video->height = settings.size.height;
  video->time_base = AVRational{1, settings.fps};
  video->framerate = AVRational{settings.fps, 1};
  video->pix_fmt = AV_PIX_FMT_YUV420P;
  video->gop_size =
      std::max(1, static_cast<int>(std::lround(settings.fps * settings.keyframeSeconds)));
  video->max_b_frames = 0;
  video->color_primaries = AVCOL_PRI_BT709;
  video->color_trc = AVCOL_TRC_BT709;
  video->colorspace = AVCOL_SPC_BT709;
  video->color_range = AVCOL_RANGE_MPEG;
  video->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // SPS/PPS in the initialisation segment
  video->thread_count = settings.threads > 0
                            ? settings.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  av_opt_set(video->priv_data, "preset", settings.preset.c_str(), 0);
  // No look-ahead and no frame reordering: each frame leaves the encoder as it goes in.
  av_opt_set(video->priv_data, "tune", "zerolatency", 0);
  av_opt_set(video->priv_data, "crf", std::to_string(settings.crf).c_str(), 0);
  media::checkFfmpeg(avcodec_open2(video.get(), codec, nullptr), "opening the H.264 encoder");
  media::checkFfmpeg(avcodec_parameters_from_context(stream->codecpar, video.get()),
                     "H.264 stream parameters");
  stream->time_base = AVRational{1, kVideoTimescale};
  stream->avg_frame_rate = video->framerate;

  yuv = media::allocFrame();
  yuv->format = AV_PIX_FMT_YUV420P;
  yuv->width = video->width;
  yuv->height = video->height;
  media::checkFfmpeg(av_frame_get_buffer(yuv.get(), 0), "allocating a video frame");
}

void FragmentEncoder::State::openAudio() {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) throw core::Error(core::ErrorKind::Internal, "FFmpeg has no AAC encoder");
  AVStream* stream = avformat_new_stream(format.get(), nullptr);
  aac.reset(avcodec_alloc_context3(codec));
  if (!stream || !aac) throw core::Error(core::ErrorKind::Internal, "out of memory");
  aac->sample_fmt = AV_SAMPLE_FMT_FLTP;
  aac->sample_rate = settings.sampleRate;
  av_channel_layout_default(&aac->ch_layout, 1);
  aac->bit_rate = std::min<int64_t>(settings.audioBitrate, 4LL * settings.sampleRate);
  aac->time_base = AVRational{1, settings.sampleRate};
  aac->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  media::checkFfmpeg(avcodec_open2(aac.get(), codec, nullptr), "opening the AAC encoder");
  media::checkFfmpeg(avcodec_parameters_from_context(stream->codecpar, aac.get()),
                     "AAC stream parameters");
  stream->time_base = aac->time_base;

  audioFrame = media::allocFrame();
  audioFrame->format = AV_SAMPLE_FMT_FLTP;
  audioFrame->nb_samples = aac->frame_size;
  audioFrame->sample_rate = aac->sample_rate;
  media::checkFfmpeg(av_channel_layout_copy(&audioFrame->ch_layout, &aac->ch_layout),
                     "channel layout");
  media::checkFfmpeg(av_frame_get_buffer(audioFrame.get(), 0), "allocating an audio frame");
}

std::vector<uint8_t> FragmentEncoder::State::takeBuffer() {
  DynBytes bytes;
  bytes.size = avio_close_dyn_buf(format->pb, &bytes.data);
  format->pb = nullptr;
  media::checkFfmpeg(avio_open_dyn_buf(&format->pb), "opening a fragment buffer");
  if (bytes.size <= 0) return {};
  return std::vector<uint8_t>(bytes.data, bytes.data + bytes.size);
}

void FragmentEncoder::State::writeHeader() {
  // The sound's priming samples come before its first real sample; both streams start that much
  // later so that nothing is negative and they stay in step.
  leadInSeconds = static_cast<double>(aac->initial_padding) / settings.sampleRate;
  audioShift = aac->initial_padding;
  videoShift = std::llround(leadInSeconds * kVideoTimescale);
  format->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
  media::checkFfmpeg(avio_open_dyn_buf(&format->pb), "opening a fragment buffer");
  AVDictionary* options = nullptr;
  // An empty 'moov' at once (the initialisation segment), fragments only where cutFragment()
  // asks, each with its own base offset (as Media Source Extensions expect).
  av_dict_set(&options, "movflags", "+frag_custom+empty_moov+default_base_moof+skip_trailer", 0);
  const int rc = avformat_write_header(format.get(), &options);
  av_dict_free(&options);
  media::checkFfmpeg(rc, "writing the stream header");
  init = takeBuffer();
  if (init.empty()) throw core::Error(core::ErrorKind::Internal, "the muxer wrote no header");
}

void FragmentEncoder::State::drain(AVCodecContext& ctx, int streamIndex) {
  AVStream* stream = format->streams[streamIndex];
  for (;;) {
    const int rc = avcodec_receive_packet(&ctx, packet.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    media::checkFfmpeg(rc, "encoding");
    if (packet->duration == 0 && streamIndex == 0) packet->duration = 1;
    av_packet_rescale_ts(packet.get(), ctx.time_base, stream->time_base);
    const int64_t shift = streamIndex == 0 ? videoShift : audioShift;
    if (packet->pts != AV_NOPTS_VALUE) packet->pts += shift;
    if (packet->dts != AV_NOPTS_VALUE) packet->dts += shift;
    packet->stream_index = streamIndex;
    const int written = av_write_frame(format.get(), packet.get());
    av_packet_unref(packet.get());
    media::checkFfmpeg(written, "writing a fragment");
    ++packetsSinceCut;
  }
}

void FragmentEncoder::State::encodeAudio() {
  const auto frameSize = static_cast<size_t>(aac->frame_size);
  size_t used = 0;
  while (pendingSamples.size() - used >= frameSize) {
    media::checkFfmpeg(av_frame_make_writable(audioFrame.get()), "audio frame");
    std::copy_n(pendingSamples.data() + used, frameSize,
                reinterpret_cast<float*>(audioFrame->data[0]));
    audioFrame->pts = samplesSent;
    media::checkFfmpeg(avcodec_send_frame(aac.get(), audioFrame.get()), "encoding audio");
    drain(*aac, 1);
    samplesSent += aac->frame_size;
    used += frameSize;
  }
  pendingSamples.erase(pendingSamples.begin(), pendingSamples.begin() + static_cast<long>(used));
}

FragmentEncoder::FragmentEncoder(const FragmentSettings& settings)
    : state_(std::make_unique<State>()) {
  if (settings.size.width % 2 || settings.size.height % 2 || settings.size.width <= 0 ||
      settings.size.height <= 0)
    throw core::Error(core::ErrorKind::Internal,
                      fmt::format("live video size {}x{} must be even and positive",
                                  settings.size.width, settings.size.height));
  if (settings.fps <= 0 || settings.sampleRate <= 0 || settings.sampleRate % settings.fps != 0)
    throw core::Error(core::ErrorKind::Internal,
                      fmt::format("live audio rate {} Hz is not a whole number of samples per "
                                  "frame at {} fps",
                                  settings.sampleRate, settings.fps));
  State& s = *state_;
  s.settings = settings;
  s.packet = media::allocPacket();
  try {
    AVFormatContext* raw = nullptr;
    media::checkFfmpeg(avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr),
                       "creating the fragment muxer");
    s.format.reset(raw);
    s.openVideo();
    s.openAudio();
    s.writeHeader();
  } catch (...) {
    core::rethrowWithContext("live encoder");
  }
}

FragmentEncoder::~FragmentEncoder() = default;

const std::vector<uint8_t>& FragmentEncoder::initSegment() const {
  return state_->init;
}

int FragmentEncoder::samplesPerFrame() const {
  return state_->settings.sampleRate / state_->settings.fps;
}

void FragmentEncoder::addFrame(const cv::Mat& bgr, std::span<const float> samples,
                               const std::optional<cv::Rect>& changed, bool keyframe) {
  State& s = *state_;
  if (bgr.type() != CV_8UC3 || bgr.size() != s.settings.size)
    throw core::Error(
        core::ErrorKind::Internal,
        fmt::format("live frame is {}x{} type {}; the encoder needs {}x{} BGR", bgr.cols, bgr.rows,
                    bgr.type(), s.settings.size.width, s.settings.size.height));
  if (samples.size() != static_cast<size_t>(samplesPerFrame()))
    throw core::Error(
        core::ErrorKind::Internal,
        fmt::format("live frame came with {} samples, not {}", samples.size(), samplesPerFrame()));
  s.pendingSamples.insert(s.pendingSamples.end(), samples.begin(), samples.end());
  s.encodeAudio();

  media::checkFfmpeg(av_frame_make_writable(s.yuv.get()), "video frame");
  const cv::Rect whole(0, 0, bgr.cols, bgr.rows);
  if (s.frames == 0 || !changed) {
    s.converter.convert(bgr, whole, *s.yuv);
  } else {
    const cv::Rect inside = *changed & whole;
    if (inside.area() > 0) {
      // Widened to even edges: each chroma sample covers a 2x2 block.
      const int x0 = inside.x / 2 * 2, y0 = inside.y / 2 * 2;
      const int x1 = std::min(whole.width, (inside.br().x + 1) / 2 * 2);
      const int y1 = std::min(whole.height, (inside.br().y + 1) / 2 * 2);
      s.converter.convert(bgr, cv::Rect(x0, y0, x1 - x0, y1 - y0), *s.yuv);
    }
  }
  s.yuv->pict_type = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  s.yuv->pts = s.frames++;
  media::checkFfmpeg(avcodec_send_frame(s.video.get(), s.yuv.get()), "encoding video");
  s.drain(*s.video, 0);
}

std::vector<uint8_t> FragmentEncoder::cutFragment() {
  State& s = *state_;
  if (s.packetsSinceCut == 0) return {};
  media::checkFfmpeg(av_write_frame(s.format.get(), nullptr), "cutting a fragment");
  s.packetsSinceCut = 0;
  return s.takeBuffer();
}

int64_t FragmentEncoder::framesAdded() const {
  return state_->frames;
}

double FragmentEncoder::frameTime(int64_t index) const {
  return state_->leadInSeconds + static_cast<double>(index) / state_->settings.fps;
}

}  // namespace dh::live
