#pragma once
// The speech stage as one call: acoustic analysis, the "is there speech" check, phones (given by
// the synthesiser or recognised) and the articulation track at the video's frame rate.
#include <string>
#include <vector>

#include "speech/acoustic_features.h"
#include "speech/articulation_model.h"
#include "speech/articulation_track.h"
#include "speech/phone_recognizer.h"
#include "speech/timed_phone.h"

namespace dh::speech {

struct SpeechAnalysisConfig {
  AcousticConfig acoustic;
  PhoneRecognizerConfig recognizer;
  ArticulationConfig articulation;
  bool recognizePhones = true;  // false: shapes from the acoustic cues only
  // Silences at least this long are not recognised inside (only their first and last 0.15 s):
  // the activity detector already knows them, and recognition costs the same per second of
  // silence as of speech. 0: recognise everything.
  double skipSilenceSeconds = 0.6;
};

// The acoustic features of `mono16k` under `config`. Throws core::Error(ContentRejected,
// "no speech found in the audio", audioField) when they show only silence or noise.
AcousticFeatures measureSpeech(const std::vector<float>& mono16k, const std::string& audioField,
                               const SpeechAnalysisConfig& config);

// The stretches recognition may skip under `config` (see innerSilences).
std::vector<SampleSpan> silencesToSkip(const AcousticFeatures& features,
                                       const SpeechAnalysisConfig& config);

struct SpeechAnalysis {
  AcousticFeatures features;
  std::vector<TimedPhone> phones;  // given or recognised
  bool phonesRecognized = false;   // true when they came from PocketSphinx
  ArticulationTrack track;
};

constexpr int kAnalysisSampleRate = 16000;  // Hz expected of `mono16k`

// Throws core::Error(ContentRejected, "no speech found in the audio", audioField) when the audio
// holds only silence or noise. `phones` empty = recognise them from the audio.
SpeechAnalysis analyzeSpeech(const std::vector<float>& mono16k, double fps,
                             const std::vector<TimedPhone>& phones = {},
                             const std::string& audioField = "sound_file",
                             const SpeechAnalysisConfig& config = {});

}  // namespace dh::speech
