// Fuzz target: the sound_file field's bytes through sniffing, the demuxers, the decoders, the
// truncation and duration checks and the 16 kHz resampler.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "media/audio_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dh;
  media::AudioLimits limits;
  limits.minSeconds = 0.0;  // let short inputs reach the resampler too
  try {
    const auto clip = media::decodeAudio({data, size}, "sound_file", limits);
    media::resampleMono(clip, 16000);
  } catch (const core::Error&) {
  }
  return 0;
}
