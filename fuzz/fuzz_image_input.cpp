// Fuzz target: the image field as a client sends it (raw Base64 or a data: URL) through Base64
// decoding, content sniffing, the limits and FFmpeg's image decoders.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "media/base64.h"
#include "media/image_decoder.h"
#include "media/sniff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dh;
  // The first byte chooses the path: Base64 text or raw image bytes.
  if (size == 0) return 0;
  const bool asBase64 = data[0] & 1;
  std::span<const uint8_t> rest(data + 1, size - 1);
  try {
    if (asBase64) {
      const auto bytes = media::decodeBase64(
          std::string_view(reinterpret_cast<const char*>(rest.data()), rest.size()), "image");
      media::decodeImage(bytes, "image");
    } else {
      media::sniffContent(rest);
      media::decodeImage(rest, "image");
    }
  } catch (const core::Error&) {
    // Refusals are the expected outcome for most inputs; crashes and leaks are what we look for.
  }
  return 0;
}
