#pragma once
// Phonetic decoding of recorded English speech with PocketSphinx's all-phone search: no words,
// just the phones and their times, which is what lip sync needs.
#include <string>
#include <vector>

#include "speech/timed_phone.h"

namespace dh::speech {

struct PhoneRecognizerConfig {
  std::string modelDir = "/usr/share/pocketsphinx/model/en-us";  // holds en-us/, the phone LM
  double beam = 1e-20;              // main search beam (smaller = wider, slower)
  double phoneBeam = 1e-10;         // all-phone search beam
  double languageWeight = 2.0;      // weight of the phone language model
  int topGaussians = 2;             // Gaussians scored per senone (fewer = faster)
  int frameSkip = 1;                // 1 = score every 10 ms frame, 2 = every other one (faster)
  int maxHmmsPerFrame = 30000;      // cap on active HMMs per frame (smaller = faster)
  bool contextIndependent = true;  // monophones only: ~8x faster than triphones, similar accuracy here
};

// ARPAbet phones ("AH", "P", "SIL", noise tokens like "+SPN+") with times in seconds.
// `mono16k` is mono float audio at 16 kHz. Thread-safe: decoders are pooled, one per
// concurrent call, and loaded once per process for each configuration.
std::vector<TimedPhone> recognizePhones(const std::vector<float>& mono16k,
                                        const PhoneRecognizerConfig& config = {});

}  // namespace dh::speech
