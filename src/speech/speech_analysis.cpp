#include "speech/speech_analysis.h"

#include "core/error.h"
#include "core/log.h"

namespace dh::speech {

std::vector<SampleSpan> silencesToSkip(const AcousticFeatures& features,
                                       const SpeechAnalysisConfig& config) {
  if (config.skipSilenceSeconds <= 0.0) return {};
  return innerSilences(features.active, features.hopSeconds, kAnalysisSampleRate,
                       config.skipSilenceSeconds);
}

AcousticFeatures measureSpeech(const std::vector<float>& mono16k, const std::string& audioField,
                               const SpeechAnalysisConfig& config) {
  AcousticConfig acoustic = config.acoustic;
  acoustic.sampleRate = kAnalysisSampleRate;
  AcousticFeatures features = analyzeAcoustics(mono16k, acoustic);
  std::string reason;
  if (!containsSpeech(features, &reason)) {
    core::logger("speech")->debug("no speech: {}", reason);
    throw core::Error(core::ErrorKind::ContentRejected, "no speech found in the audio", audioField);
  }
  return features;
}

SpeechAnalysis analyzeSpeech(const std::vector<float>& mono16k, double fps,
                             const std::vector<TimedPhone>& phones, const std::string& audioField,
                             const SpeechAnalysisConfig& config) {
  SpeechAnalysis analysis;
  analysis.features = measureSpeech(mono16k, audioField, config);
  if (!phones.empty()) {
    analysis.phones = phones;
  } else if (config.recognizePhones) {
    analysis.phones =
        recognizePhones(mono16k, config.recognizer, silencesToSkip(analysis.features, config));
    analysis.phonesRecognized = true;
  }
  analysis.track =
      buildArticulationTrack(analysis.phones, analysis.features, fps, config.articulation,
                             !analysis.phones.empty() && !analysis.phonesRecognized);
  return analysis;
}

}  // namespace dh::speech
