// PocketSphinx phone recognition on real speech, checked against espeak-ng's own timing where
// the truth is known.
#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "media/audio_decoder.h"
#include "speech/phone_recognizer.h"
#include "speech/phone_targets.h"
#include "speech/tts.h"
#include "speech_test_support.h"

namespace dh::speech {
namespace {

TEST(PhoneRecognizer, GivesTimedPhonesCoveringTheClip) {
  const std::vector<float> mono = test::monoClip("speech/en_m_librivox_0870.wav");
  const std::vector<TimedPhone> phones = recognizePhones(mono);
  const double seconds = mono.size() / 16000.0;
  ASSERT_GT(phones.size(), 40u);  // 7 s of read speech
  double covered = 0.0;
  double previousEnd = 0.0;
  size_t vowels = 0;
  for (const auto& p : phones) {
    EXPECT_LT(p.start, p.end) << p.phone;
    EXPECT_GE(p.start, previousEnd - 1e-9) << p.phone;
    EXPECT_LE(p.end, seconds + 0.02) << p.phone;
    covered += p.end - p.start;
    previousEnd = p.end;
    if (targetForPhone(p.phone).phoneClass == PhoneClass::Vowel) ++vowels;
  }
  EXPECT_GT(covered / seconds, 0.95);
  EXPECT_GT(vowels, phones.size() / 5);
}

// The JFK clip's pauses (about 2.1-3.2, 4.3-5.4 and 7.7-8.2 s) are recognised as silence for
// most of their length, and the times are not shifted: silence removal is off, so the phones
// line up with the samples.
TEST(PhoneRecognizer, PausesLineUpWithTheAudio) {
  const std::vector<float> mono = test::monoClip("speech/en_m_jfk.wav");
  const std::vector<TimedPhone> phones = recognizePhones(mono);
  const auto levels = test::frameLevelsDb(mono, 100.0);
  const auto pauses = test::silentRuns(levels, 100.0, 0.5);
  ASSERT_GE(pauses.size(), 2u);
  double pauseTime = 0.0;
  double silentTime = 0.0;
  for (const auto& [first, last] : pauses) {
    const double a = first / 100.0;
    const double b = last / 100.0;
    double silent = 0.0;
    for (const auto& p : phones) {
      if (targetForPhone(p.phone).phoneClass != PhoneClass::Silence) continue;
      silent += std::max(0.0, std::min(b, p.end) - std::max(a, p.start));
    }
    std::cout << "pause " << a << "-" << b << " s: " << silent / (b - a)
              << " recognised as silence\n";
    pauseTime += b - a;
    silentTime += silent;
  }
  EXPECT_GT(silentTime / pauseTime, 0.7);
}

// On synthesised English, where espeak-ng tells us the truth, the recognised phones find the
// vowels far better than chance (the share of time the recogniser calls anything a vowel).
TEST(PhoneRecognizer, AgreesWithSynthesiserTiming) {
  const SpeechAudio tts = synthesize(
      "Speech recognition finds the vowels and consonants in a voice, one after another.",
      "en_us_male", "en", 1.0);
  const std::vector<float> mono = media::resampleMono(
      media::decodeAudio(encodeWav(tts), "audio", {size_t{1} << 30, 0.0, 1e9}), 16000);
  const std::vector<TimedPhone> recognised = recognizePhones(mono);
  auto classAt = [](const std::vector<TimedPhone>& phones, double t) {
    for (const auto& p : phones) {
      if (t >= p.start && t < p.end) return targetForPhone(p.phone).phoneClass;
    }
    return PhoneClass::Silence;
  };
  size_t vowelTime = 0;
  size_t agreed = 0;
  size_t recognisedVowel = 0;
  size_t total = 0;
  for (double t = 0.0; t < tts.durationSeconds(); t += 0.01) {
    ++total;
    if (classAt(recognised, t) == PhoneClass::Vowel) ++recognisedVowel;
    if (classAt(tts.phones, t) != PhoneClass::Vowel) continue;
    ++vowelTime;
    if (classAt(recognised, t) == PhoneClass::Vowel) ++agreed;
  }
  ASSERT_GT(vowelTime, 50u);
  const double share = static_cast<double>(agreed) / vowelTime;
  const double chance = static_cast<double>(recognisedVowel) / total;
  std::cout << "vowel agreement " << share << ", chance " << chance << "\n";
  EXPECT_GT(share, 0.45);
  EXPECT_GT(share, 1.3 * chance);
}

// Several threads decode at once (one pooled decoder each) and get the single-thread result.
TEST(PhoneRecognizer, SafeFromSeveralThreads) {
  const std::vector<float> mono = test::monoClip("speech/en_m_librivox_0870.wav");
  const std::vector<TimedPhone> reference = recognizePhones(mono);
  std::vector<std::vector<TimedPhone>> results(3);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = recognizePhones(mono); });
  }
  for (auto& t : threads) t.join();
  for (const auto& result : results) {
    ASSERT_EQ(result.size(), reference.size());
    for (size_t k = 0; k < result.size(); ++k) {
      EXPECT_EQ(result[k].phone, reference[k].phone);
      EXPECT_DOUBLE_EQ(result[k].start, reference[k].start);
    }
  }
}

TEST(PhoneRecognizer, MissingModelIsAnInternalError) {
  PhoneRecognizerConfig config;
  config.modelDir = "no/such/model/dir";
  EXPECT_THROW(recognizePhones(test::silence16k(1.0), config), core::Error);
}

// Skipping the inside of long silences (what the speech analysis does): the phones still tile
// the clip in order, the skipped stretches are silence, and the speech around them is
// recognised much as without skipping.
TEST(PhoneRecognizer, SkippedSilencesBecomeSilAndTheRestIsRecognised) {
  const std::vector<float> mono = test::monoClip("speech/en_m_jfk.wav");
  const double seconds = mono.size() / 16000.0;
  // The JFK clip's two long pauses, less 0.15 s at each end.
  const auto at = [](double t) { return static_cast<size_t>(t * 16000); };
  const std::vector<SampleSpan> skip = {{at(2.28), at(3.13)}, {at(4.46), at(5.26)}};
  const std::vector<TimedPhone> skipped = recognizePhones(mono, {}, skip);
  const std::vector<TimedPhone> whole = recognizePhones(mono);
  ASSERT_FALSE(skipped.empty());
  EXPECT_NEAR(skipped.front().start, 0.0, 1e-9);
  EXPECT_NEAR(skipped.back().end, seconds, 0.02);
  for (size_t i = 1; i < skipped.size(); ++i) {
    EXPECT_NEAR(skipped[i].start, skipped[i - 1].end, 1e-6) << skipped[i].phone << " at " << i;
    EXPECT_LT(skipped[i].start, skipped[i].end);
  }
  const auto labelAt = [](const std::vector<TimedPhone>& phones, double t) {
    for (const TimedPhone& p : phones) {
      if (t >= p.start && t < p.end) return p.phone;
    }
    return std::string();
  };
  for (const SampleSpan& gap : skip) {
    for (size_t s = gap.begin; s < gap.end; s += 800)
      EXPECT_EQ(labelAt(skipped, s / 16000.0), "SIL");
  }
  size_t same = 0, frames = 0;
  for (double t = 0.005; t < seconds; t += 0.01, ++frames) {
    same += labelAt(skipped, t) == labelAt(whole, t) ? 1 : 0;
  }
  EXPECT_GT(static_cast<double>(same) / frames, 0.6);
}

TEST(PhoneRecognizer, AllSkippedNeedsNoDecoder) {
  // Not even a model: a clip skipped end to end is silence without running the recogniser.
  PhoneRecognizerConfig noModel;
  noModel.modelDir = "/nonexistent/model";
  const std::vector<float> mono = test::silence16k(3.0);
  const std::vector<TimedPhone> phones = recognizePhones(mono, noModel, {{0, mono.size()}});
  ASSERT_EQ(phones.size(), 1u);
  EXPECT_EQ(phones[0].phone, "SIL");
  EXPECT_DOUBLE_EQ(phones[0].end, 3.0);
}

}  // namespace
}  // namespace dh::speech
