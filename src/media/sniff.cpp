#include "media/sniff.h"

#include <cstring>

namespace dh::media {
namespace {

bool startsWith(std::span<const uint8_t> bytes, size_t offset, const char* magic, size_t n) {
  return bytes.size() >= offset + n && std::memcmp(bytes.data() + offset, magic, n) == 0;
}

// An MPEG audio frame header: 11 sync bits, a valid layer, bitrate and sample-rate index.
bool isMpegAudioFrame(std::span<const uint8_t> b) {
  if (b.size() < 4 || b[0] != 0xFF || (b[1] & 0xE0) != 0xE0) return false;
  const int version = (b[1] >> 3) & 0x3;
  const int layer = (b[1] >> 1) & 0x3;
  const int bitrate = (b[2] >> 4) & 0xF;
  const int rate = (b[2] >> 2) & 0x3;
  return version != 1 && layer != 0 && bitrate != 0xF && rate != 3;
}

// An ADTS (raw AAC) header: 12 sync bits and layer 00.
bool isAdtsFrame(std::span<const uint8_t> b) {
  return b.size() >= 7 && b[0] == 0xFF && (b[1] & 0xF6) == 0xF0;
}

}  // namespace

ContentType sniffContent(std::span<const uint8_t> bytes) {
  if (startsWith(bytes, 0, "\xFF\xD8\xFF", 3)) return ContentType::Jpeg;
  if (startsWith(bytes, 0, "\x89PNG\r\n\x1A\n", 8)) return ContentType::Png;
  if (startsWith(bytes, 0, "RIFF", 4) && startsWith(bytes, 8, "WAVE", 4)) return ContentType::Wav;
  if (startsWith(bytes, 4, "ftyp", 4)) return ContentType::Mp4Audio;
  if (startsWith(bytes, 0, "ID3", 3)) return ContentType::Mp3;
  if (isAdtsFrame(bytes)) return ContentType::Aac;
  if (isMpegAudioFrame(bytes)) return ContentType::Mp3;
  return ContentType::Unknown;
}

std::string describeContent(ContentType type) {
  switch (type) {
    case ContentType::Jpeg:
      return "a JPEG image";
    case ContentType::Png:
      return "a PNG image";
    case ContentType::Mp3:
      return "MP3 audio";
    case ContentType::Wav:
      return "WAV audio";
    case ContentType::Mp4Audio:
      return "an MP4/M4A file";
    case ContentType::Aac:
      return "AAC (ADTS) audio";
    case ContentType::Unknown:
      break;
  }
  return "unrecognised data";
}

}  // namespace dh::media
