#pragma once
// Cutting a long recording into pieces at its quietest moments, so the pieces can be recognised
// independently (in parallel) without cutting through a phone.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dh::speech {

struct SampleSpan {
  size_t begin = 0;  // first sample
  size_t end = 0;    // one past the last sample
};

struct PauseSplitConfig {
  double pieceSeconds = 15.0;  // pieces are at least about this long; shorter audio stays whole
  double searchSeconds = 3.0;  // a cut may move this far either way to find a pause
  double windowSeconds = 0.2;  // loudness is measured over windows this long
};

// Splits `mono` (sampled at `sampleRate`) into floor(duration / pieceSeconds) pieces (at least
// one), cutting at the middle of the quietest window near each even division. Depends only on
// the audio, so the same clip always splits the same way.
std::vector<SampleSpan> splitAtPauses(const std::vector<float>& mono, int sampleRate,
                                      const PauseSplitConfig& config = {});

// The inner parts of the silent stretches of a recording, for the recogniser to skip: runs of
// inactive 10 ms frames (`active`, one per `hopSeconds`) at least `minSeconds` long, less
// `marginSeconds` at each end so the recogniser still hears the pause begin and end. In samples
// at `sampleRate`, in order.
std::vector<SampleSpan> innerSilences(const std::vector<uint8_t>& active, double hopSeconds,
                                      int sampleRate, double minSeconds = 0.6,
                                      double marginSeconds = 0.15);

}  // namespace dh::speech
