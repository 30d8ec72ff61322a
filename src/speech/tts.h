#pragma once
// Text to speech with espeak-ng: audio plus the synthesiser's own phone timing, so videos made
// from text need no recognition.
#include <cstdint>
#include <string>
#include <vector>

#include "speech/timed_phone.h"

namespace dh::speech {

struct Voice {
  std::string id;        // stable voice_id of the API ("en_us_female")
  std::string name;      // human-readable name
  std::string language;  // voice_language: "en", "zh", "fr", ...
  std::string gender;    // "female" or "male"
};

// The documented voices (docs/VOICES.md): English, Chinese and the other languages espeak-ng
// speaks.
const std::vector<Voice>& presetVoices();

// The voice with `id`, or nullptr.
const Voice* findVoice(const std::string& id);

struct SpeechAudio {
  std::vector<float> samples;      // mono, -1..1
  int sampleRate = 0;              // Hz
  std::vector<TimedPhone> phones;  // IPA phones with start/end in seconds; pauses are "_"
  std::vector<TimedWord> words;    // the text's words as spoken (gestures follow them)

  double durationSeconds() const {
    return sampleRate > 0 ? static_cast<double>(samples.size()) / sampleRate : 0.0;
  }
};

constexpr size_t kMaxTextChars = 1000;  // characters (Unicode code points) per request
constexpr double kMinSpeed = 0.8;       // voice_speed range, 1.0 = the voice's normal rate
constexpr double kMaxSpeed = 2.0;

// Throws core::Error(InvalidInput, field) for bad text ("text": empty or over 1000 characters),
// an unknown voice ("voice_id"), a language that is not the voice's ("voice_language"; empty
// means the voice's own) and a speed outside 0.8-2.0 ("voice_speed"). An empty voice id picks the
// first voice of `language` (English when that is empty too). Thread-safe (serialised: espeak-ng
// has global state).
SpeechAudio synthesize(const std::string& text, const std::string& voiceId,
                       const std::string& language, double speed);

// 16-bit PCM mono WAV bytes.
std::vector<uint8_t> encodeWav(const SpeechAudio& audio);

}  // namespace dh::speech
