#pragma once
// Speech for a live session, ready to play: its sound at the session's sample rate and its face
// motion plan, one entry per video frame. Text is cut into sentences so that the first one is
// synthesised, analysed and on its way while the rest is still being prepared.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "animate/face_params.h"
#include "animate/style.h"

namespace dh::live {

struct PreparedSpeech {
  std::vector<float> samples;             // mono, -1..1, at the session's rate
  std::vector<animate::FaceParams> plan;  // one per frame; samples fill plan.size() frames
  double seconds = 0.0;                   // the sound's own length (synthesiser or caller)
};

struct SpeechStyle {
  animate::Style style;
  std::string voiceId;  // empty: the default voice
  int fps = 25;
  int sampleRate = 22050;  // of the session's sound
  uint64_t seed = 1;
};

// Splits `text` after sentence ends (. ! ? ; and their CJK forms, followed by a space or the
// end) and, in sentences longer than `maxChars` bytes, after commas. No piece is empty.
std::vector<std::string> splitSentences(const std::string& text, size_t maxChars = 160);

// Synthesises `text` in the session's voice and plans its motion. Throws core::Error with field
// "text" (or "voice_id") when the synthesiser refuses it.
PreparedSpeech prepareText(const std::string& text, const SpeechStyle& style);

// The caller's own voice: mono float samples at `sampleRate`. Phones are recognised from the
// sound. Throws core::Error(ContentRejected, field "audio") when it holds no speech.
PreparedSpeech prepareAudio(std::span<const float> samples, int sampleRate,
                            const SpeechStyle& style);

}  // namespace dh::live
