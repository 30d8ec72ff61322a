#pragma once
// Phones and words with their time spans in the audio.
#include <string>

namespace dh::speech {

struct TimedPhone {
  std::string phone;   // ARPAbet ("AA", "P", "SIL") from recognition, IPA from the synthesiser
  double start = 0.0;  // seconds
  double end = 0.0;    // seconds
};

// A word of a synthesised text with its time span in the audio.
struct TimedWord {
  std::string text;      // the word as written in the text
  std::string trailing;  // punctuation that follows it before the next word ("," "?" ".")
  double start = 0.0;    // seconds
  double end = 0.0;      // seconds
};

}  // namespace dh::speech
