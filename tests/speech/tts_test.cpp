// Text to speech with espeak-ng: voices, input rules, audio and phone timing.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/error.h"
#include "media/audio_decoder.h"
#include "speech/phone_targets.h"
#include "speech/tts.h"

namespace dh::speech {
namespace {

void expectInvalid(const std::function<void()>& call, const std::string& field) {
  try {
    call();
    FAIL() << "accepted a bad " << field;
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::InvalidInput);
    EXPECT_EQ(e.field(), field) << e.what();
  }
}

TEST(Voices, CoverEnglishChineseAndOtherLanguages) {
  std::set<std::string> ids;
  std::set<std::string> languages;
  for (const Voice& v : presetVoices()) {
    EXPECT_TRUE(ids.insert(v.id).second) << "duplicate " << v.id;
    languages.insert(v.language);
    EXPECT_TRUE(v.gender == "female" || v.gender == "male") << v.id;
    EXPECT_FALSE(v.name.empty()) << v.id;
    EXPECT_EQ(findVoice(v.id), &v);
  }
  EXPECT_TRUE(languages.count("en"));
  EXPECT_TRUE(languages.count("zh"));
  EXPECT_GE(languages.size(), 10u);
  EXPECT_EQ(findVoice("no_such_voice"), nullptr);
}

// Each preset voice loads in espeak-ng and speaks (digits exist in every language).
TEST(Voices, EveryPresetVoiceSpeaks) {
  for (const Voice& v : presetVoices()) {
    const SpeechAudio audio = synthesize("1 2 3", v.id, v.language, 1.0);
    EXPECT_GT(audio.durationSeconds(), 0.5) << v.id;
    EXPECT_GE(audio.phones.size(), 3u) << v.id;
    float peak = 0.0f;
    for (float s : audio.samples) peak = std::max(peak, std::abs(s));
    EXPECT_GT(peak, 0.05f) << v.id;
  }
}

TEST(Synthesize, RejectsBadInputNamingTheField) {
  expectInvalid([] { synthesize("", "en_us_female", "en", 1.0); }, "text");
  expectInvalid([] { synthesize("   ", "en_us_female", "en", 1.0); }, "text");
  expectInvalid([] { synthesize(std::string(1001, 'a'), "en_us_female", "en", 1.0); }, "text");
  expectInvalid([] { synthesize("hello", "robot_9", "en", 1.0); }, "voice_id");
  expectInvalid([] { synthesize("hello", "zh_female", "en", 1.0); }, "voice_language");
  expectInvalid([] { synthesize("hello", "", "xx", 1.0); }, "voice_language");
  expectInvalid([] { synthesize("hello", "en_us_female", "en", 0.79); }, "voice_speed");
  expectInvalid([] { synthesize("hello", "en_us_female", "en", 2.01); }, "voice_speed");
}

TEST(Synthesize, AcceptsTheLimits) {
  // 1000 characters counted as code points: 1000 Chinese characters are 3000 bytes.
  std::string chinese;
  for (int i = 0; i < 1000; ++i) chinese += "好";
  EXPECT_NO_THROW(synthesize(std::string(1000, 'a'), "en_us_male", "en", 2.0));
  EXPECT_NO_THROW(synthesize("hello there", "en_us_male", "", 0.8));
  EXPECT_NO_THROW(synthesize(chinese.substr(0, 60), "zh_male", "zh", 2.0));
  expectInvalid([&] { synthesize(chinese + "好", "zh_male", "zh", 1.0); }, "text");
}

TEST(Synthesize, DefaultVoiceFollowsTheLanguage) {
  const SpeechAudio zh = synthesize("你好", "", "zh", 1.0);
  EXPECT_GT(zh.durationSeconds(), 0.3);
}

TEST(Synthesize, SpeedScalesDuration) {
  const std::string text = "The quick brown fox jumps over the lazy dog near the river bank.";
  const double slow = synthesize(text, "en_us_female", "en", 0.8).durationSeconds();
  const double fast = synthesize(text, "en_us_female", "en", 2.0).durationSeconds();
  EXPECT_GT(slow / fast, 1.8);
}

TEST(Synthesize, PhonesAreOrderedAndSpanTheAudio) {
  const SpeechAudio audio =
      synthesize("Good morning. Welcome to the evening news.", "en_gb_male", "en", 1.0);
  ASSERT_GT(audio.phones.size(), 20u);
  double previousEnd = 0.0;
  for (const auto& p : audio.phones) {
    EXPECT_LT(p.start, p.end) << p.phone;
    EXPECT_GE(p.start, previousEnd - 1e-9) << p.phone;
    EXPECT_EQ(p.phone.find('('), std::string::npos) << "language switch marker " << p.phone;
    previousEnd = p.end;
  }
  EXPECT_NEAR(audio.phones.back().end, audio.durationSeconds(), 1e-6);
  EXPECT_LT(audio.phones.front().start, 0.1);
}

// Mandarin text is spoken as Mandarin: no English phones such as "θ" from reading tone numbers.
TEST(Synthesize, ChineseIsSpokenAsMandarin) {
  const SpeechAudio audio = synthesize("你好，我们今天买面包。", "zh_female", "zh", 1.0);
  ASSERT_GT(audio.phones.size(), 10u);
  size_t bilabials = 0;
  for (const auto& p : audio.phones) {
    EXPECT_EQ(p.phone.find("θ"), std::string::npos) << p.phone;
    if (targetForPhone(p.phone).phoneClass == PhoneClass::Bilabial) ++bilabials;
  }
  EXPECT_GE(bilabials, 3u);  // m (men), m (mai), m (mian), p (bao)
}

TEST(EncodeWav, DecodesBackToTheSameSamples) {
  const SpeechAudio audio = synthesize("Testing one two three.", "en_us_male", "en", 1.0);
  const auto wav = encodeWav(audio);
  ASSERT_EQ(wav.size(), 44 + audio.samples.size() * 2);
  const media::AudioClip clip = media::decodeAudio(wav, "audio", {size_t{1} << 30, 0.0, 1e9});
  EXPECT_EQ(clip.sampleRate, audio.sampleRate);
  EXPECT_EQ(clip.channels, 1);
  ASSERT_EQ(clip.frameCount(), audio.samples.size());
  for (size_t i = 0; i < clip.samples.size(); i += 997) {
    EXPECT_NEAR(clip.samples[i], audio.samples[i], 1.0 / 16384);
  }
}

// Calls from several threads are serialised and give the same result as one call alone (same
// length and phone timing; espeak-ng's noise sources make samples differ slightly run to run).
TEST(Synthesize, SafeFromSeveralThreads) {
  const std::string text = "Threads take turns with the synthesiser.";
  const SpeechAudio reference = synthesize(text, "en_us_female", "en", 1.0);
  std::vector<SpeechAudio> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = synthesize(text, i % 2 ? "en_us_female" : "fr_male", i % 2 ? "en" : "fr", 1.0);
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 1; i < results.size(); i += 2) {
    EXPECT_EQ(results[i].samples.size(), reference.samples.size());
    ASSERT_EQ(results[i].phones.size(), reference.phones.size());
    for (size_t k = 0; k < reference.phones.size(); ++k) {
      EXPECT_EQ(results[i].phones[k].phone, reference.phones[k].phone);
      EXPECT_NEAR(results[i].phones[k].start, reference.phones[k].start, 0.015);
    }
  }
}

}  // namespace
}  // namespace dh::speech
