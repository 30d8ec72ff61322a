#include "media/video_encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "core/error.h"
#include "media/bgr_to_yuv.h"
#include "media/ffmpeg_error.h"
#include "media/ffmpeg_handles.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace dh::media {

struct VideoEncoder::State {
  VideoSettings settings;
  const AudioClip* audio = nullptr;
  OutputFormatPtr format;
  CodecContextPtr video;
  CodecContextPtr aac;
  AVStream* videoStream = nullptr;
  AVStream* audioStream = nullptr;
  Bt709Converter converter;
  FramePtr yuv;
  FramePtr audioFrame;
  PacketPtr packet;
  std::unique_ptr<HlsWriter> live;  // the same packets as a live stream, when asked for
  int64_t keyframeAt = -1;          // a frame forced to be a keyframe (where a live stream resumes)
  int64_t frames = 0;
  int64_t audioSamplesSent = 0;  // per channel
  bool finished = false;

  void openVideo();
  void openAudio();
  void openLive();
  void convert(const cv::Mat& bgr, const std::optional<cv::Rect>& changed);
  void sendVideo(const AVFrame* frame);
  void sendAudioUntil(int64_t samplePosition);
  void sendAudio(const AVFrame* frame);
  void drain(AVCodecContext& ctx, AVStream& stream);
};

void VideoEncoder::State::openVideo() {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) throw core::Error(core::ErrorKind::Internal, "FFmpeg was built without libx264");
  videoStream = avformat_new_stream(format.get(), nullptr);
  video.reset(avcodec_alloc_context3(codec));
  if (!videoStream || !video) throw core::Error(core::ErrorKind::Internal, "out of memory");
  video->width = settings.size.width;
  video->height = settings.size.height;
  video->time_base = AVRational{1, settings.fps};
  video->framerate = AVRational{settings.fps, 1};
  video->pix_fmt = AV_PIX_FMT_YUV420P;
  video->gop_size = settings.fps * settings.keyframeSeconds;
  video->color_primaries = AVCOL_PRI_BT709;
  video->color_trc = AVCOL_TRC_BT709;
  video->colorspace = AVCOL_SPC_BT709;
  video->color_range = AVCOL_RANGE_MPEG;
  if (format->oformat->flags & AVFMT_GLOBALHEADER) video->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  // x264's frame threads wait on each other's rows; beside the frame drawing and the phone
  // recognition, two per core keep the cores busier than its default of one and a half
  // (measured on 2 cores: 4 threads 2-4% faster than 3, 6 threads no better than 3).
  video->thread_count =
      static_cast<int>(std::min(16u, 2 * std::max(1u, std::thread::hardware_concurrency())));
  av_opt_set(video->priv_data, "preset", settings.preset.c_str(), 0);
  av_opt_set(video->priv_data, "crf", std::to_string(settings.crf).c_str(), 0);
  if (!settings.x264Params.empty()) {
    av_opt_set(video->priv_data, "x264-params", settings.x264Params.c_str(), 0);
  }
  checkFfmpeg(avcodec_open2(video.get(), codec, nullptr), "opening the H.264 encoder");
  checkFfmpeg(avcodec_parameters_from_context(videoStream->codecpar, video.get()),
              "H.264 stream parameters");
  videoStream->time_base = video->time_base;
  videoStream->avg_frame_rate = video->framerate;

  yuv = allocFrame();
  yuv->format = AV_PIX_FMT_YUV420P;
  yuv->width = video->width;
  yuv->height = video->height;
  checkFfmpeg(av_frame_get_buffer(yuv.get(), 0), "allocating a video frame");
}

// The YUV frame persists between frames, so only the changed region needs converting.
void VideoEncoder::State::convert(const cv::Mat& bgr, const std::optional<cv::Rect>& changed) {
  const cv::Rect frame(0, 0, bgr.cols, bgr.rows);
  if (frames == 0 || !changed) {
    converter.convert(bgr, frame, *yuv);
    return;
  }
  // Only the changed region, widened to even edges (each chroma sample is one 2x2 block).
  const cv::Rect inside = *changed & frame;
  if (inside.area() == 0) return;  // the same picture again
  const int x0 = inside.x / 2 * 2, y0 = inside.y / 2 * 2;
  const int x1 = std::min(frame.width, (inside.br().x + 1) / 2 * 2);
  const int y1 = std::min(frame.height, (inside.br().y + 1) / 2 * 2);
  converter.convert(bgr, cv::Rect(x0, y0, x1 - x0, y1 - y0), *yuv);
}

void VideoEncoder::State::openAudio() {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) throw core::Error(core::ErrorKind::Internal, "FFmpeg has no AAC encoder");
  audioStream = avformat_new_stream(format.get(), nullptr);
  aac.reset(avcodec_alloc_context3(codec));
  if (!audioStream || !aac) throw core::Error(core::ErrorKind::Internal, "out of memory");
  aac->sample_fmt = AV_SAMPLE_FMT_FLTP;
  aac->sample_rate = audio->sampleRate;
  av_channel_layout_default(&aac->ch_layout, audio->channels);
  // AAC carries at most 6144 bits per channel per 1024 samples; stay well under it.
  aac->bit_rate =
      std::min<int64_t>(settings.audioBitrate, 4LL * audio->sampleRate * audio->channels);
  aac->time_base = AVRational{1, audio->sampleRate};
  if (format->oformat->flags & AVFMT_GLOBALHEADER) aac->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  checkFfmpeg(avcodec_open2(aac.get(), codec, nullptr), "opening the AAC encoder");
  checkFfmpeg(avcodec_parameters_from_context(audioStream->codecpar, aac.get()),
              "AAC stream parameters");
  audioStream->time_base = aac->time_base;

  audioFrame = allocFrame();
  audioFrame->format = AV_SAMPLE_FMT_FLTP;
  audioFrame->nb_samples = aac->frame_size;
  audioFrame->sample_rate = aac->sample_rate;
  checkFfmpeg(av_channel_layout_copy(&audioFrame->ch_layout, &aac->ch_layout), "channel layout");
  checkFfmpeg(av_frame_get_buffer(audioFrame.get(), 0), "allocating an audio frame");
}

void VideoEncoder::State::drain(AVCodecContext& ctx, AVStream& stream) {
  for (;;) {
    const int rc = avcodec_receive_packet(&ctx, packet.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    checkFfmpeg(rc, "encoding");
    if (live) {
      // The stream's packets are copies in the encoder's time base (video 0, audio 1).
      packet->stream_index = &stream == videoStream ? 0 : 1;
      live->writePacket(*packet);
    }
    av_packet_rescale_ts(packet.get(), ctx.time_base, stream.time_base);
    packet->stream_index = stream.index;
    checkFfmpeg(av_interleaved_write_frame(format.get(), packet.get()), "writing to the MP4 file");
  }
}

void VideoEncoder::State::openLive() {
  std::vector<HlsStreamInfo> streams{
      {videoStream->codecpar, video->time_base, 1, video->has_b_frames}};
  if (aac) {
    streams.push_back(
        {audioStream->codecpar, aac->time_base, aac->frame_size, aac->initial_padding});
  }
  live = std::make_unique<HlsWriter>(settings.live, streams);
  if (!live->active()) {
    live.reset();
  } else if (const double resume = live->resumeSeconds(); resume > 0.0) {
    keyframeAt = std::llround(resume * settings.fps);
  }
}

void VideoEncoder::State::sendVideo(const AVFrame* frame) {
  checkFfmpeg(avcodec_send_frame(video.get(), frame), "encoding video");
  drain(*video, *videoStream);
}

void VideoEncoder::State::sendAudio(const AVFrame* frame) {
  checkFfmpeg(avcodec_send_frame(aac.get(), frame), "encoding audio");
  drain(*aac, *audioStream);
}

// Encodes whole AAC frames of the clip up to `samplePosition` (per channel).
void VideoEncoder::State::sendAudioUntil(int64_t samplePosition) {
  if (!audio) return;
  const auto total = static_cast<int64_t>(audio->frameCount());
  samplePosition = std::min(samplePosition, total);
  const int channels = audio->channels;
  while (audioSamplesSent < samplePosition) {
    const int count =
        static_cast<int>(std::min<int64_t>(aac->frame_size, total - audioSamplesSent));
    if (count < aac->frame_size && audioSamplesSent + count < total) break;
    checkFfmpeg(av_frame_make_writable(audioFrame.get()), "audio frame");
    audioFrame->nb_samples = count;
    for (int c = 0; c < channels; ++c) {
      auto* plane = reinterpret_cast<float*>(audioFrame->data[c]);
      const float* src = audio->samples.data() + audioSamplesSent * channels + c;
      for (int i = 0; i < count; ++i) plane[i] = src[static_cast<size_t>(i) * channels];
    }
    audioFrame->pts = audioSamplesSent;
    sendAudio(audioFrame.get());
    audioSamplesSent += count;
  }
}

VideoEncoder::VideoEncoder(const std::string& path, const VideoSettings& settings,
                           const AudioClip* audio)
    : state_(std::make_unique<State>()) {
  if (settings.size.width % 2 || settings.size.height % 2 || settings.size.width <= 0) {
    throw core::Error(
        core::ErrorKind::Internal,
        fmt::format("video size {}x{} must be even", settings.size.width, settings.size.height));
  }
  State& s = *state_;
  s.settings = settings;
  s.audio = audio && audio->frameCount() > 0 ? audio : nullptr;
  s.packet = allocPacket();
  AVFormatContext* raw = nullptr;
  checkFfmpeg(avformat_alloc_output_context2(&raw, nullptr, "mp4", path.c_str()),
              "creating the MP4 muxer");
  s.format.reset(raw);
  s.openVideo();
  if (s.audio) s.openAudio();
  if (!settings.live.directory.empty()) s.openLive();
  checkFfmpeg(avio_open(&s.format->pb, path.c_str(), AVIO_FLAG_WRITE), "opening " + path);
  AVDictionary* options = nullptr;
  av_dict_set(&options, "movflags", "+faststart", 0);
  const int rc = avformat_write_header(s.format.get(), &options);
  av_dict_free(&options);
  checkFfmpeg(rc, "writing the MP4 header");
}

VideoEncoder::~VideoEncoder() = default;

void VideoEncoder::writeFrame(const cv::Mat& bgr, const std::optional<cv::Rect>& changed) {
  State& s = *state_;
  if (bgr.type() != CV_8UC3 || bgr.size() != s.settings.size) {
    throw core::Error(
        core::ErrorKind::Internal,
        fmt::format("frame is {}x{} type {}; the encoder needs {}x{} BGR", bgr.cols, bgr.rows,
                    bgr.type(), s.settings.size.width, s.settings.size.height));
  }
  if (s.audio) {
    s.sendAudioUntil(av_rescale(s.frames + 1, s.audio->sampleRate, s.settings.fps));
  }
  // Keeps the previous frame's pixels: a copy is made only if the encoder still holds them.
  checkFfmpeg(av_frame_make_writable(s.yuv.get()), "video frame");
  s.convert(bgr, changed);
  s.yuv->pict_type = s.frames == s.keyframeAt ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  s.yuv->pts = s.frames++;
  s.sendVideo(s.yuv.get());
}

void VideoEncoder::finish() {
  State& s = *state_;
  if (s.finished) return;
  s.finished = true;
  if (s.audio) {
    s.sendAudioUntil(static_cast<int64_t>(s.audio->frameCount()));
    s.sendAudio(nullptr);
  }
  s.sendVideo(nullptr);
  checkFfmpeg(av_write_trailer(s.format.get()), "finishing the MP4 file");
  checkFfmpeg(avio_closep(&s.format->pb), "closing the MP4 file");
  if (s.live) s.live->finish();
}

void VideoEncoder::leaveStreamOpen() {
  if (state_->live) state_->live->leaveOpen();
}

int64_t VideoEncoder::framesWritten() const {
  return state_->frames;
}

}  // namespace dh::media
