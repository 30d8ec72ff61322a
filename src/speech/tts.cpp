#include "speech/tts.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string_view>

#include "core/error.h"
#include "core/log.h"
#include "speech/phone_targets.h"

namespace dh::speech {
namespace {

struct VoiceEntry {
  Voice voice;
  const char* espeakName;  // espeak-ng voice name with an optional "+variant"
};

const std::vector<VoiceEntry>& voiceTable() {
  static const std::vector<VoiceEntry> table = {
      {{"en_us_female", "English (US), female", "en", "female"}, "en-us+f3"},
      {{"en_us_male", "English (US), male", "en", "male"}, "en-us+m3"},
      {{"en_gb_female", "English (UK), female", "en", "female"}, "en+f2"},
      {{"en_gb_male", "English (UK), male", "en", "male"}, "en+m1"},
      {{"zh_female", "Chinese (Mandarin), female", "zh", "female"}, "cmn-latn-pinyin+f3"},
      {{"zh_male", "Chinese (Mandarin), male", "zh", "male"}, "cmn-latn-pinyin+m3"},
      {{"yue_female", "Chinese (Cantonese), female", "yue", "female"}, "yue+f3"},
      {{"fr_female", "French, female", "fr", "female"}, "fr+f3"},
      {{"fr_male", "French, male", "fr", "male"}, "fr+m3"},
      {{"de_female", "German, female", "de", "female"}, "de+f3"},
      {{"de_male", "German, male", "de", "male"}, "de+m3"},
      {{"es_female", "Spanish, female", "es", "female"}, "es+f3"},
      {{"es_male", "Spanish, male", "es", "male"}, "es+m3"},
      {{"it_female", "Italian, female", "it", "female"}, "it+f3"},
      {{"pt_br_female", "Portuguese (Brazil), female", "pt", "female"}, "pt-br+f3"},
      {{"ru_male", "Russian, male", "ru", "male"}, "ru+m3"},
      {{"ja_female", "Japanese, female", "ja", "female"}, "ja+f3"},
      {{"ko_female", "Korean, female", "ko", "female"}, "ko+f3"},
      {{"hi_female", "Hindi, female", "hi", "female"}, "hi+f3"},
      {{"ar_male", "Arabic, male", "ar", "male"}, "ar+m3"},
      {{"nl_female", "Dutch, female", "nl", "female"}, "nl+f3"},
      {{"pl_male", "Polish, male", "pl", "male"}, "pl+m3"},
      {{"tr_female", "Turkish, female", "tr", "female"}, "tr+f3"},
      {{"vi_female", "Vietnamese, female", "vi", "female"}, "vi+f3"},
      {{"id_female", "Indonesian, female", "id", "female"}, "id+f3"},
      {{"sv_male", "Swedish, male", "sv", "male"}, "sv+m3"},
  };
  return table;
}

const VoiceEntry* findEntry(const std::string& id) {
  for (const auto& entry : voiceTable()) {
    if (entry.voice.id == id) return &entry;
  }
  return nullptr;
}

size_t countCodePoints(const std::string& utf8) {
  return static_cast<size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool isBlank(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string formatSpeed(double speed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", speed);
  return buffer;
}

// What the synthesis callback collects.
struct Collector {
  std::vector<int16_t> pcm;
  struct Event {
    std::string phone;
    int milliseconds;
  };
  std::vector<Event> phones;
  struct WordEvent {
    int position;  // characters from the start of the text (1-based)
    int length;    // characters
    int milliseconds;
  };
  std::vector<WordEvent> words;
};

int collect(short* wav, int count, espeak_EVENT* events) {
  if (events == nullptr) return 0;
  auto* collector = static_cast<Collector*>(events->user_data);
  if (collector == nullptr) return 0;
  if (wav != nullptr && count > 0) collector->pcm.insert(collector->pcm.end(), wav, wav + count);
  for (espeak_EVENT* e = events; e->type != espeakEVENT_LIST_TERMINATED; ++e) {
    if (e->type == espeakEVENT_WORD) {
      // Zero-length word events mark pauses, at earlier text positions: not words.
      if (e->length > 0)
        collector->words.push_back({e->text_position, e->length, e->audio_position});
      continue;
    }
    if (e->type != espeakEVENT_PHONEME) continue;
    const size_t length = strnlen(e->id.string, sizeof e->id.string);
    // "(en)"-style names mark a language switch, not a sound.
    if (length > 0 && e->id.string[0] == '(') continue;
    collector->phones.push_back({std::string(e->id.string, length), e->audio_position});
  }
  return 0;
}

// espeak-ng keeps global state: one synthesis at a time in the whole process.
std::mutex& espeakMutex() {
  static std::mutex mutex;
  return mutex;
}

int initialiseEspeak() {
  static int sampleRate = [] {
    const int rate =
        espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                          espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_PHONEME_IPA |
                              espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
      throw core::Error(core::ErrorKind::Internal,
                        "espeak-ng failed to initialise (is espeak-ng-data installed?)");
    }
    espeak_SetSynthCallback(collect);
    return rate;
  }();
  return sampleRate;
}

// espeak-ng's phone names may carry stress and length marks; pauses come as "_" variants.
std::vector<TimedPhone> timePhones(const std::vector<Collector::Event>& events, double seconds) {
  std::vector<TimedPhone> phones;
  for (size_t i = 0; i < events.size(); ++i) {
    TimedPhone phone;
    phone.phone = events[i].phone.empty() ? "_" : events[i].phone;
    phone.start = std::min(seconds, events[i].milliseconds / 1000.0);
    phone.end =
        i + 1 < events.size() ? std::min(seconds, events[i + 1].milliseconds / 1000.0) : seconds;
    if (phone.end <= phone.start) continue;
    // A consonant+vowel unit becomes two phones: the consonant takes the first part (at most
    // 70 ms), so a lip closure is not held through the vowel.
    const size_t split = leadingConsonantBytes(phone.phone);
    if (split > 0) {
      TimedPhone vowelPart;
      vowelPart.phone = phone.phone.substr(split);
      vowelPart.start = phone.start + std::min(0.07, 0.4 * (phone.end - phone.start));
      vowelPart.end = phone.end;
      phone.phone.resize(split);
      phone.end = vowelPart.start;
      phones.push_back(std::move(phone));
      phones.push_back(std::move(vowelPart));
    } else {
      phones.push_back(std::move(phone));
    }
  }
  return phones;
}

// Splits `text` into words and the punctuation after each ("，" and the like included).
std::vector<TimedWord> splitWords(std::string_view text) {
  static const std::string_view wide[] = {"，", "。", "？", "！", "、", "；", "："};
  std::vector<TimedWord> words;
  bool inWord = false;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t punct = 0;
    if (c >= 0x80) {
      for (std::string_view w : wide)
        if (text.substr(i, w.size()) == w) punct = w.size();
    } else if (std::isalnum(c) == 0 && c != '\'' && std::isspace(c) == 0) {
      punct = 1;
    }
    if (punct > 0 || std::isspace(c) != 0) {
      if (punct > 0 && !words.empty()) words.back().trailing += text.substr(i, punct);
      inWord = false;
      i += std::max<size_t>(punct, 1);
      continue;
    }
    if (!inWord) words.emplace_back();
    inWord = true;
    words.back().text += text[i];
    ++i;
  }
  return words;
}

// The words of the text timed by espeak-ng's word events (character positions in the UTF-8
// text): each event's stretch of text, up to the next event's, shares the event's time by
// characters (espeak-ng reports "do not" as one word), with the punctuation after each word.
std::vector<TimedWord> timeWords(const std::vector<Collector::WordEvent>& events,
                                 const std::string& text, double seconds) {
  std::vector<size_t> offsets;  // byte offset of each character
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(text.size());
  auto byteAt = [&](int character) {
    return offsets[std::clamp<size_t>(static_cast<size_t>(std::max(character, 0)), 0,
                                      offsets.size() - 1)];
  };
  std::vector<TimedWord> words;
  for (size_t i = 0; i < events.size(); ++i) {
    const size_t begin = byteAt(events[i].position - 1);
    const size_t next = i + 1 < events.size() ? byteAt(events[i + 1].position - 1) : text.size();
    const double start = std::min(seconds, events[i].milliseconds / 1000.0);
    const double end =
        i + 1 < events.size() ? std::min(seconds, events[i + 1].milliseconds / 1000.0) : seconds;
    const std::string_view stretch =
        std::string_view(text).substr(begin, std::max(begin, next) - begin);
    std::vector<TimedWord> parts = splitWords(stretch);
    if (parts.empty()) {
      // Punctuation alone: it follows the previous word.
      if (!words.empty()) {
        for (char c : stretch)
          if (std::isspace(static_cast<unsigned char>(c)) == 0) words.back().trailing += c;
      }
      continue;
    }
    size_t characters = 0;
    for (const TimedWord& w : parts) characters += w.text.size();
    double at = start;
    for (TimedWord& w : parts) {
      w.start = at;
      at += (end - start) * w.text.size() / characters;
      w.end = at;
      words.push_back(std::move(w));
    }
  }
  return words;
}

}  // namespace

const std::vector<Voice>& presetVoices() {
  static const std::vector<Voice> voices = [] {
    std::vector<Voice> list;
    for (const auto& entry : voiceTable()) list.push_back(entry.voice);
    return list;
  }();
  return voices;
}

const Voice* findVoice(const std::string& id) {
  for (const Voice& voice : presetVoices()) {
    if (voice.id == id) return &voice;
  }
  return nullptr;
}

SpeechAudio synthesize(const std::string& text, const std::string& voiceId,
                       const std::string& language, double speed) {
  if (text.empty() || isBlank(text)) {
    throw core::Error(core::ErrorKind::InvalidInput, "text must not be empty", "text");
  }
  const size_t chars = countCodePoints(text);
  if (chars > kMaxTextChars) {
    throw core::Error(core::ErrorKind::InvalidInput,
                      "text must be at most " + std::to_string(kMaxTextChars) +
                          " characters, got " + std::to_string(chars),
                      "text");
  }
  const VoiceEntry* entry = nullptr;
  if (voiceId.empty()) {
    const std::string wanted = language.empty() ? "en" : language;
    for (const auto& candidate : voiceTable()) {
      if (candidate.voice.language == wanted) {
        entry = &candidate;
        break;
      }
    }
    if (entry == nullptr) {
      throw core::Error(
          core::ErrorKind::InvalidInput,
          "voice_language must be one of the preset voices' languages, got \"" + language + "\"",
          "voice_language");
    }
  } else {
    entry = findEntry(voiceId);
    if (entry == nullptr) {
      throw core::Error(core::ErrorKind::InvalidInput,
                        "voice_id must be one of the preset voices, got \"" + voiceId + "\"",
                        "voice_id");
    }
  }
  if (!language.empty() && language != entry->voice.language) {
    throw core::Error(core::ErrorKind::InvalidInput,
                      "voice_language must match the voice " + entry->voice.id + " (" +
                          entry->voice.language + "), got \"" + language + "\"",
                      "voice_language");
  }
  if (!(speed >= kMinSpeed && speed <= kMaxSpeed)) {
    throw core::Error(core::ErrorKind::InvalidInput,
                      "voice_speed must be between 0.8 and 2.0, got " + formatSpeed(speed),
                      "voice_speed");
  }

  Collector collector;
  int sampleRate = 0;
  {
    std::lock_guard lock(espeakMutex());
    sampleRate = initialiseEspeak();
    if (espeak_SetVoiceByName(entry->espeakName) != EE_OK) {
      throw core::Error(core::ErrorKind::Internal,
                        std::string("espeak-ng has no voice ") + entry->espeakName);
    }
    // espeak-ng's normal rate is 175 words per minute.
    espeak_SetParameter(espeakRATE, static_cast<int>(std::lround(175.0 * speed)), 0);
    const espeak_ERROR status = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                             espeakCHARS_UTF8, nullptr, &collector);
    if (status != EE_OK || espeak_Synchronize() != EE_OK) {
      throw core::Error(core::ErrorKind::Internal, "espeak-ng failed to synthesise the text");
    }
  }

  SpeechAudio audio;
  audio.sampleRate = sampleRate;
  audio.samples.resize(collector.pcm.size());
  std::transform(collector.pcm.begin(), collector.pcm.end(), audio.samples.begin(),
                 [](int16_t s) { return static_cast<float>(s) / 32768.0f; });
  audio.phones = timePhones(collector.phones, audio.durationSeconds());
  audio.words = timeWords(collector.words, text, audio.durationSeconds());
  core::logger("speech")->debug("synthesised {:.2f} s with {} phones, voice {}",
                                audio.durationSeconds(), audio.phones.size(), entry->voice.id);
  return audio;
}

std::vector<uint8_t> encodeWav(const SpeechAudio& audio) {
  const uint32_t dataBytes = static_cast<uint32_t>(audio.samples.size() * 2);
  std::vector<uint8_t> out;
  out.reserve(44 + dataBytes);
  auto put = [&out](const char* tag) { out.insert(out.end(), tag, tag + 4); };
  auto put32 = [&out](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  auto put16 = [&out](uint16_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  };
  const auto rate = static_cast<uint32_t>(audio.sampleRate);
  put("RIFF");
  put32(36 + dataBytes);
  put("WAVE");
  put("fmt ");
  put32(16);        // fmt chunk size
  put16(1);         // PCM
  put16(1);         // mono
  put32(rate);      // sample rate
  put32(rate * 2);  // bytes per second
  put16(2);         // block align
  put16(16);        // bits per sample
  put("data");
  put32(dataBytes);
  for (float s : audio.samples) {
    const auto v = static_cast<int16_t>(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f));
    put16(static_cast<uint16_t>(v));
  }
  return out;
}

}  // namespace dh::speech
