#include "media/memory_io.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace dh::media {
namespace {

int readPacket(void* opaque, uint8_t* buffer, int size) {
  auto* reader = static_cast<MemoryReader*>(opaque);
  const int64_t left = static_cast<int64_t>(reader->bytes.size()) - reader->position;
  if (left <= 0) return AVERROR_EOF;
  const int count = static_cast<int>(std::min<int64_t>(left, size));
  std::memcpy(buffer, reader->bytes.data() + reader->position, count);
  reader->position += count;
  return count;
}

int64_t seek(void* opaque, int64_t offset, int whence) {
  auto* reader = static_cast<MemoryReader*>(opaque);
  const auto size = static_cast<int64_t>(reader->bytes.size());
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return size;
    case SEEK_SET:
      break;
    case SEEK_CUR:
      offset += reader->position;
      break;
    case SEEK_END:
      offset += size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  // Past the end is allowed, as for a file (reads there give end-of-file): a demuxer skipping a
  // chunk whose header claims more bytes than there are must find itself at the end, not stay
  // where it was and read the same header again (a forged WAV looped to 1.6 GB that way).
  if (offset < 0) return AVERROR(EINVAL);
  reader->position = offset;
  return offset;
}

}  // namespace

AvioPtr makeMemoryAvio(MemoryReader& reader) {
  constexpr int kBufferSize = 64 * 1024;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferSize));
  if (!buffer) throw core::Error(core::ErrorKind::Internal, "out of memory for an I/O buffer");
  AVIOContext* ctx = avio_alloc_context(buffer, kBufferSize, 0, &reader, readPacket, nullptr, seek);
  if (!ctx) {
    av_free(buffer);
    throw core::Error(core::ErrorKind::Internal, "out of memory for an I/O context");
  }
  return AvioPtr(ctx);
}

}  // namespace dh::media
