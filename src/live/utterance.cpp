#include "live/utterance.h"

#include <algorithm>
#include <cmath>

#include "animate/motion_planner.h"
#include "core/error.h"
#include "live/motion_timeline.h"
#include "media/audio_clip.h"
#include "media/audio_decoder.h"
#include "speech/speech_analysis.h"
#include "speech/tts.h"

namespace dh::live {
namespace {

bool endsSentence(const std::string& text, size_t at, size_t& length) {
  static const char* const wide[] = {"\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F",
                                     "\xEF\xBC\x9B"};  // 。！？；
  for (const char* mark : wide) {
    const size_t n = std::char_traits<char>::length(mark);
    if (text.compare(at, n, mark) == 0) {
      length = n;
      return true;
    }
  }
  const char c = text[at];
  if (c != '.' && c != '!' && c != '?' && c != ';') return false;
  length = 1;
  // Latin marks end a sentence only before a space or the end ("3.5" does not).
  return at + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[at + 1]));
}

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Cuts a long sentence after commas, keeping pieces of at least a few words together.
void splitLong(const std::string& sentence, size_t maxChars, std::vector<std::string>& out) {
  if (sentence.size() <= maxChars) {
    out.push_back(sentence);
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i < sentence.size(); ++i) {
    const bool comma = sentence[i] == ',' || sentence.compare(i, 3, "\xEF\xBC\x8C") == 0;  // ，
    if (!comma || i - start < maxChars / 4) continue;
    const size_t end = sentence[i] == ',' ? i + 1 : i + 3;
    if (std::string piece = trimmed(sentence.substr(start, end - start)); !piece.empty())
      out.push_back(piece);
    start = end;
  }
  if (std::string piece = trimmed(sentence.substr(start)); !piece.empty()) out.push_back(piece);
}

PreparedSpeech plan(std::vector<float> samples, int sourceRate, double seconds,
                    const std::vector<speech::TimedPhone>& phones, const std::string& field,
                    const SpeechStyle& style) {
  media::AudioClip clip;
  clip.sampleRate = sourceRate;
  clip.channels = 1;
  clip.samples = std::move(samples);
  const std::vector<float> mono16k = media::resampleMono(clip, speech::kAnalysisSampleRate);
  const speech::SpeechAnalysis analysis = speech::analyzeSpeech(mono16k, style.fps, phones, field);
  PreparedSpeech prepared;
  prepared.seconds = seconds;
  prepared.plan = animate::planMotion(analysis.track, style.style, style.seed, liveMotionOptions());
  prepared.samples = sourceRate == style.sampleRate ? std::move(clip.samples)
                                                    : media::resampleMono(clip, style.sampleRate);
  // Exactly the frames the sound fills: the last one may be partly silent.
  const auto perFrame = static_cast<size_t>(style.sampleRate / style.fps);
  const size_t frames = (prepared.samples.size() + perFrame - 1) / perFrame;
  prepared.plan.resize(std::max<size_t>(1, frames),
                       prepared.plan.empty() ? animate::FaceParams{} : prepared.plan.back());
  return prepared;
}

}  // namespace

std::vector<std::string> splitSentences(const std::string& text, size_t maxChars) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size();) {
    size_t length = 0;
    if (endsSentence(text, i, length)) {
      if (std::string piece = trimmed(text.substr(start, i + length - start)); !piece.empty())
        splitLong(piece, maxChars, out);
      i += length;
      start = i;
    } else {
      ++i;
    }
  }
  if (std::string piece = trimmed(text.substr(start)); !piece.empty())
    splitLong(piece, maxChars, out);
  return out;
}

PreparedSpeech prepareText(const std::string& text, const SpeechStyle& style) {
  speech::SpeechAudio audio = speech::synthesize(text, style.voiceId, {}, 1.0);
  const double seconds = audio.durationSeconds();
  const int rate = audio.sampleRate;
  return plan(std::move(audio.samples), rate, seconds, audio.phones, "text", style);
}

PreparedSpeech prepareAudio(std::span<const float> samples, int sampleRate,
                            const SpeechStyle& style) {
  if (samples.empty())
    core::throwInvalid("audio", "audio: no samples between audio_start and audio_end");
  const double seconds = static_cast<double>(samples.size()) / sampleRate;
  return plan(std::vector<float>(samples.begin(), samples.end()), sampleRate, seconds, {}, "audio",
              style);
}

}  // namespace dh::live
