#include "media/image_encoder.h"

#include <fmt/format.h>

#include <fstream>

#include "core/error.h"
#include "media/ffmpeg_error.h"
#include "media/ffmpeg_handles.h"

namespace dh::media {
namespace {

void checkPicture(const cv::Mat& bgr) {
  if (bgr.type() != CV_8UC3 || bgr.empty()) {
    throw core::Error(core::ErrorKind::Internal,
                      fmt::format("image encoder: needs a BGR picture, got {}x{} type {}", bgr.cols,
                                  bgr.rows, bgr.type()));
  }
}

// `bgr` converted into a new frame of `format` (the frame's own padded, aligned buffers). YUV is
// full range with the BT.601 matrix, as JPEG (JFIF) has it.
FramePtr convertedFrame(const cv::Mat& bgr, AVPixelFormat format) {
  FramePtr frame = allocFrame();
  frame->format = format;
  frame->color_range = AVCOL_RANGE_JPEG;
  frame->width = bgr.cols;
  frame->height = bgr.rows;
  checkFfmpeg(av_frame_get_buffer(frame.get(), 0), "allocating a picture to encode");
  // libswscale's vector code may read a little past the end of a source row: a padded copy.
  constexpr int kPadPixels = 32;
  cv::Mat padded(bgr.rows + 1, bgr.cols + kPadPixels, CV_8UC3, cv::Scalar::all(0));
  bgr.copyTo(padded(cv::Rect(0, 0, bgr.cols, bgr.rows)));
  SwsPtr sws(sws_getContext(bgr.cols, bgr.rows, AV_PIX_FMT_BGR24, bgr.cols, bgr.rows, format,
                            SWS_BICUBIC | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
  if (!sws) throw core::Error(core::ErrorKind::Internal, "image encoder: no pixel conversion");
  if (format != AV_PIX_FMT_RGB24) {
    const int* bt601 = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(sws.get(), bt601, 1, bt601, 1, 0, 1 << 16, 1 << 16);
  }
  const uint8_t* src[4] = {padded.data, nullptr, nullptr, nullptr};
  const int srcStride[4] = {static_cast<int>(padded.step), 0, 0, 0};
  sws_scale(sws.get(), src, srcStride, 0, bgr.rows, frame->data, frame->linesize);
  return frame;
}

std::vector<uint8_t> encodeStill(AVCodecID codecId, const AVFrame& frame, int qscale) {
  const AVCodec* codec = avcodec_find_encoder(codecId);
  if (!codec) throw core::Error(core::ErrorKind::Internal, "FFmpeg has no image encoder");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw core::Error(core::ErrorKind::Internal, "out of memory for an image encoder");
  ctx->width = frame.width;
  ctx->height = frame.height;
  ctx->pix_fmt = static_cast<AVPixelFormat>(frame.format);
  ctx->color_range = frame.color_range;
  ctx->time_base = AVRational{1, 1};
  if (qscale > 0) {
    ctx->flags |= AV_CODEC_FLAG_QSCALE;
    ctx->global_quality = FF_QP2LAMBDA * qscale;
    ctx->qmin = ctx->qmax = qscale;
  }
  checkFfmpeg(avcodec_open2(ctx.get(), codec, nullptr), "opening the image encoder");
  FramePtr input(av_frame_clone(&frame));
  if (!input) throw core::Error(core::ErrorKind::Internal, "out of memory for an image encoder");
  input->quality = ctx->global_quality;
  input->pts = 0;
  checkFfmpeg(avcodec_send_frame(ctx.get(), input.get()), "encoding an image");
  checkFfmpeg(avcodec_send_frame(ctx.get(), nullptr), "finishing an image");
  PacketPtr packet = allocPacket();
  checkFfmpeg(avcodec_receive_packet(ctx.get(), packet.get()), "encoding an image");
  return std::vector<uint8_t>(packet->data, packet->data + packet->size);
}

}  // namespace

std::vector<uint8_t> encodeJpeg(const cv::Mat& bgr, int qscale) {
  checkPicture(bgr);
  if (qscale < 2 || qscale > 31) {
    throw core::Error(core::ErrorKind::Internal,
                      fmt::format("JPEG qscale {} is outside 2..31", qscale));
  }
  // Plain YUV 4:2:0 marked full range: FFmpeg's "J" formats are deprecated.
  const FramePtr frame = convertedFrame(bgr, AV_PIX_FMT_YUV420P);
  return encodeStill(AV_CODEC_ID_MJPEG, *frame, qscale);
}

std::vector<uint8_t> encodePng(const cv::Mat& bgr) {
  checkPicture(bgr);
  const FramePtr frame = convertedFrame(bgr, AV_PIX_FMT_RGB24);
  return encodeStill(AV_CODEC_ID_PNG, *frame, 0);
}

void writePng(const std::string& path, const cv::Mat& bgr) {
  const std::vector<uint8_t> bytes = encodePng(bgr);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  if (!file.flush()) {
    throw core::Error(core::ErrorKind::Internal, "could not write the picture to " + path);
  }
}

}  // namespace dh::media
