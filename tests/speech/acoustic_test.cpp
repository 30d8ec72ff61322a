// The acoustic path and the "no speech" check on real and generated audio.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "core/error.h"
#include "speech/phone_targets.h"
#include "speech/signal_utils.h"
#include "speech/speech_analysis.h"
#include "speech_test_support.h"
#include "support/test_paths.h"

namespace dh::speech {
namespace {

void expectNoSpeech(const std::vector<float>& mono) {
  try {
    analyzeSpeech(mono, 25.0, {}, "sound_file");
    FAIL() << "accepted audio without speech";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::ContentRejected);
    EXPECT_STREQ(e.what(), "no speech found in the audio");
    EXPECT_EQ(e.field(), "sound_file");
  }
}

TEST(NoSpeech, DigitalSilenceIsRejected) {
  expectNoSpeech(test::silence16k(3.0));
}

TEST(NoSpeech, QuietHissIsRejected) {
  expectNoSpeech(test::whiteNoise16k(4.0, -60.0, 1));
}

TEST(NoSpeech, LoudWhiteNoiseIsRejected) {
  expectNoSpeech(test::whiteNoise16k(4.0, -15.0, 2));
}

// Noise switched on and off varies in level like speech does, but has no pitch.
TEST(NoSpeech, NoiseBurstsAreRejected) {
  std::vector<float> mono = test::whiteNoise16k(5.0, -20.0, 3);
  for (size_t i = 0; i < mono.size(); ++i) {
    if ((i / 4000) % 2 == 1) mono[i] *= 0.001f;  // 250 ms on, 250 ms off
  }
  expectNoSpeech(mono);
}

// Low rumble (noise through a 300 Hz low-pass) switched on and off: its autocorrelation has
// peaks in the pitch range, but they wander from frame to frame, unlike a voice's pitch.
TEST(NoSpeech, RumbleBurstsAreRejected) {
  std::vector<float> mono = test::whiteNoise16k(5.0, -10.0, 5);
  const double a = std::exp(-2.0 * 3.14159265 * 300.0 / 16000.0);
  double y1 = 0.0;
  double y2 = 0.0;
  for (size_t i = 0; i < mono.size(); ++i) {
    y1 = a * y1 + (1.0 - a) * mono[i];
    y2 = a * y2 + (1.0 - a) * y1;
    mono[i] = static_cast<float>(3.0 * y2 * ((i / 4000) % 2 == 1 ? 0.001 : 1.0));
  }
  expectNoSpeech(mono);
}

TEST(NoSpeech, EveryRealClipHasSpeech) {
  for (const auto& clip : test::validVoices()) {
    const AcousticFeatures f = analyzeAcoustics(test::monoClip(clip));
    std::string reason;
    EXPECT_TRUE(containsSpeech(f, &reason)) << clip << ": " << reason;
  }
}

// A real clip with a quiet noise bed under it is still speech.
TEST(NoSpeech, SpeechOverBackgroundNoiseIsAccepted) {
  std::vector<float> mono = test::monoClip("speech/en_m_librivox_0870.wav");
  const std::vector<float> noise = test::whiteNoise16k(mono.size() / 16000.0, -45.0, 4);
  for (size_t i = 0; i < mono.size() && i < noise.size(); ++i) mono[i] += noise[i];
  EXPECT_NO_THROW(analyzeSpeech(mono, 25.0));
}

// Formant and fricative cues agree with the recognised phones: vowels have a first formant in
// the speech range and more low-frequency energy than the hissing consonants.
TEST(AcousticFeatures, CuesAgreeWithRecognisedPhones) {
  const std::vector<float> mono = test::monoClip("speech/en_m_librivox_0870.wav");
  const SpeechAnalysis a = analyzeSpeech(mono, 25.0);
  const AcousticFeatures& f = a.features;
  std::vector<float> vowelF1;
  double vowelHiss = 0.0;
  double sibilantHiss = 0.0;
  size_t vowelFrames = 0;
  size_t sibilantFrames = 0;
  for (const auto& phone : a.phones) {
    const bool vowel = targetForPhone(phone.phone).phoneClass == PhoneClass::Vowel;
    const bool sibilant = phone.phone == "S" || phone.phone == "SH" || phone.phone == "Z";
    for (auto i = static_cast<size_t>(phone.start / f.hopSeconds);
         i < static_cast<size_t>(phone.end / f.hopSeconds) && i < f.size(); ++i) {
      if (vowel) {
        if (f.f1[i] > 0.0f) vowelF1.push_back(f.f1[i]);
        vowelHiss += f.fricative[i];
        ++vowelFrames;
      } else if (sibilant) {
        sibilantHiss += f.fricative[i];
        ++sibilantFrames;
      }
    }
  }
  ASSERT_GT(vowelF1.size(), 50u);
  ASSERT_GT(sibilantFrames, 5u);
  std::nth_element(vowelF1.begin(), vowelF1.begin() + vowelF1.size() / 2, vowelF1.end());
  const float medianF1 = vowelF1[vowelF1.size() / 2];
  EXPECT_GT(medianF1, 300.0f);
  EXPECT_LT(medianF1, 900.0f);
  EXPECT_GT(sibilantHiss / sibilantFrames, 2.0 * vowelHiss / vowelFrames);
}

// The 1.8-3.2 kHz band (the mouth band) is measured: stronger on vowels, where the mouth is
// open, than on the nasals and stops that close it.
TEST(AcousticFeatures, MouthBandIsStrongerOnVowelsThanOnLipClosures) {
  const std::vector<float> mono = test::monoClip("speech/en_m_librivox_0870.wav");
  const SpeechAnalysis a = analyzeSpeech(mono, 25.0);
  const AcousticFeatures& f = a.features;
  ASSERT_EQ(f.mouthBandDb.size(), f.size());
  double vowel = 0.0, closed = 0.0;
  size_t vowelFrames = 0, closedFrames = 0;
  for (const auto& phone : a.phones) {
    const PhoneClass c = targetForPhone(phone.phone).phoneClass;
    for (auto i = static_cast<size_t>(phone.start / f.hopSeconds);
         i < static_cast<size_t>(phone.end / f.hopSeconds) && i < f.size(); ++i) {
      if (!f.active[i]) continue;
      if (c == PhoneClass::Vowel) vowel += f.mouthBandDb[i], ++vowelFrames;
      if (c == PhoneClass::Bilabial) closed += f.mouthBandDb[i], ++closedFrames;
    }
  }
  ASSERT_GT(vowelFrames, 50u);
  ASSERT_GT(closedFrames, 5u);
  std::cout << "mouth band: vowels " << vowel / vowelFrames << " dB, p/b/m "
            << closed / closedFrames << " dB\n";
  EXPECT_GT(vowel / vowelFrames, closed / closedFrames + 3.0);
}

// The mouth band scales the jaw: where it is stronger the jaw opens wider, where it is weaker
// less, and pauses stay closed whatever the band does; with its weight at 0 it changes nothing.
TEST(ArticulationTrack, JawFollowsTheMouthBandsLevel) {
  const std::vector<float> mono = test::monoClip("speech/en_m_jfk.wav");
  const SpeechAnalysis base = analyzeSpeech(mono, 25.0);
  const size_t n = base.features.size();
  const size_t from = n / 4, to = n / 2;  // the band 10 dB stronger or weaker in the 2nd quarter
  AcousticFeatures stronger = base.features, weaker = base.features;
  for (size_t i = from; i < to; ++i) {
    stronger.mouthBandDb[i] += 10.0f;
    weaker.mouthBandDb[i] -= 10.0f;
  }
  const auto jawSum = [&](const AcousticFeatures& f, const ArticulationConfig& config) {
    const ArticulationTrack track = buildArticulationTrack(base.phones, f, 25.0, config);
    double sum = 0.0;
    for (size_t k = 0; k < track.size(); ++k) {
      const double t = k / 25.0;
      if (t >= (from + 10) * f.hopSeconds && t < (to - 10) * f.hopSeconds) {
        sum += track.frames[k].jawOpen;
      }
      if (base.track.frames[k].jawOpen == 0.0f) {
        EXPECT_EQ(track.frames[k].jawOpen, 0.0f) << k;
      }
    }
    return sum;
  };
  const double normal = jawSum(base.features, {});
  ASSERT_GT(normal, 1.0);
  EXPECT_GT(jawSum(stronger, {}), 1.02 * normal);
  EXPECT_LT(jawSum(weaker, {}), 0.95 * normal);

  ArticulationConfig off;
  off.mouthBandWeight = 0.0;
  EXPECT_EQ(jawSum(stronger, off), jawSum(base.features, off));
  EXPECT_EQ(jawSum(weaker, off), jawSum(base.features, off));
}

// The track comes out at any frame rate with the video's frame count, and the rates agree.
TEST(ArticulationTrack, AnyFrameRate) {
  const std::vector<float> mono = test::monoClip("speech/en_m_jfk.wav");
  const SpeechAnalysis base = analyzeSpeech(mono, 100.0);
  const double seconds = mono.size() / 16000.0;
  for (double fps : {24.0, 25.0, 30.0, 60.0}) {
    const ArticulationTrack track = buildArticulationTrack(base.phones, base.features, fps);
    ASSERT_EQ(static_cast<int64_t>(track.size()), frameCountFor(seconds, fps)) << fps;
    ASSERT_EQ(track.loudness.size(), track.size());
    ASSERT_EQ(track.voiced.size(), track.size());
    ASSERT_EQ(track.stressed.size(), track.size());
    double difference = 0.0;
    for (size_t k = 0; k < track.size(); ++k) {
      const size_t fine =
          std::min(base.track.size() - 1, static_cast<size_t>(std::lround(k / fps * 100.0)));
      difference += std::abs(track.frames[k].jawOpen - base.track.frames[fine].jawOpen);
    }
    EXPECT_LT(difference / track.size(), 0.08) << fps;
  }
}

// Nod cues: a few per clip, not on every frame, and only where there is voice.
TEST(ArticulationTrack, StressCuesSitOnSpeech) {
  const std::vector<float> mono = test::monoClip("speech/en_m_librivox_0870.wav");
  const ArticulationTrack track = analyzeSpeech(mono, 25.0).track;
  size_t count = 0;
  for (size_t k = 0; k < track.size(); ++k) {
    if (!track.stressed[k]) continue;
    ++count;
    const size_t end = std::min(track.size(), k + 6);
    EXPECT_TRUE(std::any_of(track.voiced.begin() + k, track.voiced.begin() + end,
                            [](uint8_t v) { return v; }))
        << "nod at frame " << k << " with no voice after it";
  }
  const double seconds = mono.size() / 16000.0;
  EXPECT_GE(count, static_cast<size_t>(seconds / 3));
  EXPECT_LE(count, static_cast<size_t>(seconds / 0.6) + 1);
}

}  // namespace
}  // namespace dh::speech
