#include "media/audio_decoder.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "media/ffmpeg_error.h"
#include "media/ffmpeg_handles.h"
#include "media/memory_io.h"

namespace dh::media {
namespace {

const char* demuxerFor(ContentType type) {
  switch (type) {
    case ContentType::Mp3:
      return "mp3";
    case ContentType::Wav:
      return "wav";
    case ContentType::Mp4Audio:
      return "mov";
    case ContentType::Aac:
      return "aac";
    default:
      return nullptr;
  }
}

// Decodes packets into interleaved float at the source rate, mono or stereo.
class Decoder {
 public:
  Decoder(AVFormatContext& format, int streamIndex, const std::string& field)
      : format_(format), streamIndex_(streamIndex), field_(field) {
    const AVStream* stream = format.streams[streamIndex];
    const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
    if (!codec) {
      core::throwInvalid(field, fmt::format("{} uses an audio codec that is not supported ({})",
                                            field, avcodec_get_name(stream->codecpar->codec_id)));
    }
    ctx_.reset(avcodec_alloc_context3(codec));
    checkFfmpeg(avcodec_parameters_to_context(ctx_.get(), stream->codecpar), "audio parameters");
    checkFfmpeg(avcodec_open2(ctx_.get(), codec, nullptr), "opening the audio decoder");
  }

  ~Decoder() { av_channel_layout_uninit(&inputLayout_); }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  AudioClip run(size_t maxFrames) {
    PacketPtr packet = allocPacket();
    FramePtr frame = allocFrame();
    int lastError = 0;
    while (clip_.frameCount() <= maxFrames) {
      const int rc = av_read_frame(&format_, packet.get());
      if (rc < 0) break;
      if (packet->stream_index == streamIndex_) {
        // A damaged packet is skipped, as players do; total failure is reported below.
        const int sent = avcodec_send_packet(ctx_.get(), packet.get());
        if (sent < 0) lastError = sent;
        drain(*frame, lastError);
      }
      av_packet_unref(packet.get());
    }
    avcodec_send_packet(ctx_.get(), nullptr);
    drain(*frame, lastError);
    if (clip_.samples.empty()) {
      core::throwInvalid(field_, fmt::format("{} contains no decodable audio{}", field_,
                                             lastError < 0 ? ": " + ffmpegMessage(lastError) : ""));
    }
    return std::move(clip_);
  }

 private:
  void drain(AVFrame& frame, int& lastError) {
    for (;;) {
      const int rc = avcodec_receive_frame(ctx_.get(), &frame);
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
      if (rc < 0) {
        lastError = rc;
        return;
      }
      append(frame);
      av_frame_unref(&frame);
    }
  }

  void append(const AVFrame& frame) {
    if (frame.nb_samples <= 0 || !frame.extended_data || frame.ch_layout.nb_channels <= 0) return;
    if (swr_ && (frame.sample_rate != inputRate_ || frame.format != inputFormat_ ||
                 av_channel_layout_compare(&frame.ch_layout, &inputLayout_) != 0)) {
      // The converter was set up for the first frame; a stream that switches its rate, sample
      // format or channels mid-way would make it read planes that are not there.
      core::throwInvalid(field_, field_ +
                                     " changes its sample rate or channel layout part-way "
                                     "through; re-encode it as one continuous stream");
    }
    if (!swr_) {
      checkAudioSampleRate(frame.sample_rate, field_);
      inputRate_ = frame.sample_rate;
      inputFormat_ = frame.format;
      checkFfmpeg(av_channel_layout_copy(&inputLayout_, &frame.ch_layout), "channel layout");
      clip_.sampleRate = frame.sample_rate;
      clip_.channels = std::min(frame.ch_layout.nb_channels, 2);
      AVChannelLayout outLayout;
      av_channel_layout_default(&outLayout, clip_.channels);
      SwrContext* raw = nullptr;
      checkFfmpeg(swr_alloc_set_opts2(&raw, &outLayout, AV_SAMPLE_FMT_FLT, frame.sample_rate,
                                      const_cast<AVChannelLayout*>(&frame.ch_layout),
                                      static_cast<AVSampleFormat>(frame.format), frame.sample_rate,
                                      0, nullptr),
                  "configuring the audio converter");
      swr_.reset(raw);
      checkFfmpeg(swr_init(swr_.get()), "starting the audio converter");
    }
    const size_t offset = clip_.samples.size();
    clip_.samples.resize(offset + static_cast<size_t>(frame.nb_samples) * clip_.channels);
    auto* out = reinterpret_cast<uint8_t*>(clip_.samples.data() + offset);
    const int got = swr_convert(swr_.get(), &out, frame.nb_samples,
                                const_cast<const uint8_t**>(frame.extended_data), frame.nb_samples);
    checkFfmpeg(got, "converting audio samples");
    clip_.samples.resize(offset + static_cast<size_t>(got) * clip_.channels);
  }

  AVFormatContext& format_;
  int streamIndex_;
  const std::string& field_;
  CodecContextPtr ctx_;
  SwrPtr swr_;
  int inputRate_ = 0;
  int inputFormat_ = -1;
  AVChannelLayout inputLayout_{};
  AudioClip clip_;
};

// The duration the container's header promises, or -1 when it does not say.
double headerDuration(const AVFormatContext& format, int streamIndex) {
  if (format.duration_estimation_method == AVFMT_DURATION_FROM_BITRATE) return -1.0;
  const AVStream* stream = format.streams[streamIndex];
  if (stream->duration > 0) return stream->duration * av_q2d(stream->time_base);
  if (format.duration > 0) return static_cast<double>(format.duration) / AV_TIME_BASE;
  return -1.0;
}

}  // namespace

AudioClip decodeAudio(std::span<const uint8_t> bytes, const std::string& field,
                      const AudioLimits& limits) {
  if (bytes.empty()) core::throwInvalid(field, field + " is empty");
  checkAudioBytes(bytes.size(), field, limits);
  const ContentType type = sniffContent(bytes);
  const char* demuxer = demuxerFor(type);
  if (!demuxer) {
    core::throwInvalid(
        field, fmt::format("{} must be MP3, WAV, M4A or AAC audio; its content is {}", field,
                           describeContent(type)));
  }

  limitFfmpegAllocations();
  MemoryReader reader{bytes, 0};
  AvioPtr avio = makeMemoryAvio(reader);
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) throw core::Error(core::ErrorKind::Internal, "out of memory for a demuxer");
  raw->pb = avio.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  if (const int rc = avformat_open_input(&raw, nullptr, av_find_input_format(demuxer), nullptr);
      rc < 0) {
    core::throwInvalid(field, fmt::format("{} looks like {} but cannot be read: {}", field,
                                          describeContent(type), ffmpegMessage(rc)));
  }
  InputFormatPtr format(raw);
  if (avformat_find_stream_info(format.get(), nullptr) < 0) {
    core::throwInvalid(field, field + " looks like " + describeContent(type) +
                                  " but its stream information cannot be read");
  }
  const int streamIndex = av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (streamIndex < 0) core::throwInvalid(field, field + " contains no audio stream");

  // Decoding stops a little past the limit: enough to report the real length of slightly long
  // files without holding hours of samples in memory.
  // The rate sizes every buffer below: a forged header claiming GHz would cost gigabytes.
  const int rate = format->streams[streamIndex]->codecpar->sample_rate;
  checkAudioSampleRate(rate, field, limits);
  const auto maxFrames = static_cast<size_t>((limits.maxSeconds * 1.1 + 1.0) * rate);
  AudioClip clip = Decoder(*format, streamIndex, field).run(maxFrames);
  clip.sourceType = type;

  const double decoded = clip.durationSeconds();
  const double promised = headerDuration(*format, streamIndex);
  if (promised > 0 && decoded < promised - std::max(0.5, promised * 0.02) &&
      clip.frameCount() <= maxFrames) {
    core::throwInvalid(field, fmt::format("{} is truncated: its header says {:.2f} s but only "
                                          "{:.2f} s of audio could be decoded",
                                          field, promised, decoded));
  }
  if (clip.frameCount() > maxFrames) {
    core::throwInvalid(field, fmt::format("{} lasts more than {:.0f} s; it must last between {:g} "
                                          "and {:g} s",
                                          field, static_cast<double>(maxFrames) / rate,
                                          limits.minSeconds, limits.maxSeconds));
  }
  checkAudioDuration(decoded, field, limits);
  return clip;
}

std::vector<float> resampleMono(const AudioClip& clip, int sampleRate) {
  AVChannelLayout inLayout;
  AVChannelLayout outLayout;
  av_channel_layout_default(&inLayout, clip.channels);
  av_channel_layout_default(&outLayout, 1);
  SwrContext* raw = nullptr;
  checkFfmpeg(swr_alloc_set_opts2(&raw, &outLayout, AV_SAMPLE_FMT_FLT, sampleRate, &inLayout,
                                  AV_SAMPLE_FMT_FLT, clip.sampleRate, 0, nullptr),
              "configuring the resampler");
  SwrPtr swr(raw);
  checkFfmpeg(swr_init(swr.get()), "starting the resampler");
  const auto inFrames = static_cast<int>(clip.frameCount());
  std::vector<float> out(static_cast<size_t>(
      av_rescale_rnd(inFrames, sampleRate, clip.sampleRate, AV_ROUND_UP) + 256));
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  const auto* src = reinterpret_cast<const uint8_t*>(clip.samples.data());
  int total =
      checkFfmpeg(swr_convert(swr.get(), &dst, static_cast<int>(out.size()), &src, inFrames),
                  "resampling audio");
  dst = reinterpret_cast<uint8_t*>(out.data() + total);
  total +=
      checkFfmpeg(swr_convert(swr.get(), &dst, static_cast<int>(out.size()) - total, nullptr, 0),
                  "flushing the resampler");
  out.resize(total);
  return out;
}

}  // namespace dh::media
