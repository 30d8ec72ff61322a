#include "media/ffmpeg_error.h"

#include "core/error.h"
#include "media/ffmpeg_handles.h"

namespace dh::media {

std::string ffmpegMessage(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

int checkFfmpeg(int code, const std::string& context) {
  if (code < 0) {
    throw core::Error(core::ErrorKind::Internal, context + ": " + ffmpegMessage(code));
  }
  return code;
}

FramePtr allocFrame() {
  FramePtr frame(av_frame_alloc());
  if (!frame) throw core::Error(core::ErrorKind::Internal, "out of memory allocating a frame");
  return frame;
}

PacketPtr allocPacket() {
  PacketPtr packet(av_packet_alloc());
  if (!packet) throw core::Error(core::ErrorKind::Internal, "out of memory allocating a packet");
  return packet;
}

}  // namespace dh::media
