#pragma once
// Reading an in-memory byte buffer through libavformat.
#include <cstdint>
#include <span>

#include "media/ffmpeg_handles.h"

namespace dh::media {

// Cursor over the bytes; must outlive the AVIOContext made from it.
struct MemoryReader {
  std::span<const uint8_t> bytes;
  int64_t position = 0;
};

// An AVIOContext that reads (and seeks) `reader`.
AvioPtr makeMemoryAvio(MemoryReader& reader);

}  // namespace dh::media
