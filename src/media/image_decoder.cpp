#include "media/image_decoder.h"

#include <fmt/format.h>

#include <utility>

#include "core/error.h"
#include "media/ffmpeg_error.h"
#include "media/ffmpeg_handles.h"
#include "media/sniff.h"

namespace dh::media {
namespace {

FramePtr decodeSingleFrame(AVCodecID codecId, std::span<const uint8_t> bytes,
                           const std::string& field, const ImageLimits& limits) {
  limitFfmpegAllocations();
  const AVCodec* codec = avcodec_find_decoder(codecId);
  if (!codec) throw core::Error(core::ErrorKind::Internal, "FFmpeg has no image decoder");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw core::Error(core::ErrorKind::Internal, "out of memory for an image decoder");
  ctx->max_pixels = limits.maxPixels;
  checkFfmpeg(avcodec_open2(ctx.get(), codec, nullptr), "opening the image decoder");

  // The decoder reads past the end of a packet, so the packet gets FFmpeg's padding.
  PacketPtr packet = allocPacket();
  checkFfmpeg(av_new_packet(packet.get(), static_cast<int>(bytes.size())), "allocating a packet");
  std::copy(bytes.begin(), bytes.end(), packet->data);

  FramePtr frame = allocFrame();
  int rc = avcodec_send_packet(ctx.get(), packet.get());
  if (rc >= 0) {
    avcodec_send_packet(ctx.get(), nullptr);
    rc = avcodec_receive_frame(ctx.get(), frame.get());
  }
  if (rc < 0 || frame->width <= 0 || frame->height <= 0) {
    core::throwInvalid(field,
                       fmt::format("{} could not be decoded as {}: {}", field,
                                   describeContent(codecId == AV_CODEC_ID_PNG ? ContentType::Png
                                                                              : ContentType::Jpeg),
                                   rc < 0 ? ffmpegMessage(rc) : "no picture inside"));
  }
  return frame;
}

cv::Mat toBgr(const AVFrame& frame) {
  // libswscale's vector code may write a little past the last pixel of a row and of the image,
  // so it draws into a padded buffer and the exact picture is copied out of it.
  constexpr int kPadPixels = 32;
  cv::Mat padded(frame.height + 2, frame.width + kPadPixels, CV_8UC3);
  // JPEG's full-range YUV comes as FFmpeg's deprecated "J" formats; libswscale takes the plain
  // format with full range set instead (the same conversion, without its warning).
  AVPixelFormat format = static_cast<AVPixelFormat>(frame.format);
  bool fullRange = false;
  for (const auto& [j, plain] : {std::pair{AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV420P},
                                 std::pair{AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUV422P},
                                 std::pair{AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUV444P},
                                 std::pair{AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUV440P},
                                 std::pair{AV_PIX_FMT_YUVJ411P, AV_PIX_FMT_YUV411P}}) {
    if (format == j) {
      format = plain;
      fullRange = true;
    }
  }
  SwsPtr sws(sws_getContext(frame.width, frame.height, format, frame.width, frame.height,
                            AV_PIX_FMT_BGR24, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) throw core::Error(core::ErrorKind::Internal, "cannot convert the image's pixel format");
  if (fullRange) {
    const int* bt601 = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(sws.get(), bt601, 1, bt601, 0, 0, 1 << 16, 1 << 16);
  }
  uint8_t* dst[4] = {padded.data, nullptr, nullptr, nullptr};
  int dstStride[4] = {static_cast<int>(padded.step), 0, 0, 0};
  sws_scale(sws.get(), frame.data, frame.linesize, 0, frame.height, dst, dstStride);
  return padded(cv::Rect(0, 0, frame.width, frame.height)).clone();
}

}  // namespace

cv::Mat decodeImage(std::span<const uint8_t> bytes, const std::string& field,
                    const ImageLimits& limits) {
  if (bytes.empty()) core::throwInvalid(field, field + " is empty");
  checkImageBytes(bytes.size(), field, limits);
  const ContentType type = sniffContent(bytes);
  if (type != ContentType::Jpeg && type != ContentType::Png) {
    core::throwInvalid(field, fmt::format("{} must be a JPEG or PNG image; its content is {}",
                                          field, describeContent(type)));
  }
  FramePtr frame = decodeSingleFrame(type == ContentType::Png ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG,
                                     bytes, field, limits);
  checkImageDimensions(frame->width, frame->height, field, limits);
  return toBgr(*frame);
}

}  // namespace dh::media
