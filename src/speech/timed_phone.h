#pragma once
// A phone with its time span in the audio.
#include <string>

namespace dh::speech {

struct TimedPhone {
  std::string phone;   // ARPAbet ("AA", "P", "SIL") from recognition, IPA from the synthesiser
  double start = 0.0;  // seconds
  double end = 0.0;    // seconds
};

}  // namespace dh::speech
