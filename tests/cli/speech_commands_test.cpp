// Drives `dh tts`, `dh analyze` and `dh render --text` as a user would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/file_io.h"
#include "media/audio_decoder.h"
#include "media/image_decoder.h"
#include "speech/tts.h"
#include "support/media_probe.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh {
namespace {

using test::dataPath;
using test::runProcess;

std::string dh() {
  return test::dhBinary();
}

// A WAV of white noise made at run time (no speech in it).
std::string writeNoiseWav(const std::string& dir, double seconds) {
  speech::SpeechAudio noise;
  noise.sampleRate = 16000;
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 0.1f);
  noise.samples.resize(static_cast<size_t>(seconds * noise.sampleRate));
  for (float& s : noise.samples) s = dist(rng);
  const auto bytes = speech::encodeWav(noise);
  const std::string path = dir + "/noise.wav";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(TtsCommand, WritesAWavAndItsPhoneTiming) {
  const std::string dir = test::scratchDir();
  const auto r = runProcess({dh(), "tts", "--text", "Good morning, and welcome to the programme.",
                             "--voice", "en_gb_female", "--speed", "1.2", "-o", dir + "/v.wav",
                             "--phones", dir + "/v.json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const media::AudioClip clip =
      media::decodeAudio(core::readFileBytes(dir + "/v.wav"), "audio", {size_t{1} << 30, 0.0, 1e9});
  EXPECT_EQ(clip.channels, 1);
  EXPECT_GT(clip.durationSeconds(), 1.0);
  const auto phones = nlohmann::json::parse(std::ifstream(dir + "/v.json"));
  ASSERT_GT(phones.size(), 15u);
  EXPECT_NEAR(phones.back()["end"].get<double>(), clip.durationSeconds(), 0.01);
}

TEST(TtsCommand, ListsVoicesWithEnglishAndChinese) {
  const auto r = runProcess({dh(), "tts", "--list-voices"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto voices = nlohmann::json::parse(r.out);
  bool en = false;
  bool zh = false;
  for (const auto& v : voices) {
    en = en || v["voice_language"] == "en";
    zh = zh || v["voice_language"] == "zh";
    EXPECT_TRUE(v.contains("voice_id"));
  }
  EXPECT_TRUE(en);
  EXPECT_TRUE(zh);
}

TEST(TtsCommand, RejectsBadSpeedAndUnknownVoice) {
  const std::string dir = test::scratchDir();
  auto r = runProcess({dh(), "tts", "--text", "hello", "--speed", "2.5", "-o", dir + "/a.wav"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("voice_speed"), std::string::npos) << r.err;
  r = runProcess({dh(), "tts", "--text", "hello", "--voice", "nobody", "-o", dir + "/a.wav"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("voice_id"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/a.wav"));
}

TEST(AnalyzeCommand, RecognisesPhonesAndDrawsThePlot) {
  const std::string dir = test::scratchDir();
  const auto r = runProcess({dh(), "analyze", "--audio", dataPath("speech/en_m_jfk.wav"), "--plot",
                             dir + "/track.png", "--phones"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["phone_source"], "recognised");
  EXPECT_GT(out["phone_count"].get<int>(), 30);
  EXPECT_EQ(out["frames"].get<int>(), 275);  // 11.0 s at 25 fps
  EXPECT_NEAR(out["audio_seconds"].get<double>(), 11.0, 0.01);
  EXPECT_GT(out["speech_seconds"].get<double>(), 4.0);
  EXPECT_LT(out["speech_seconds"].get<double>(), 10.0);
  const cv::Mat plot = media::decodeImage(core::readFileBytes(dir + "/track.png"), "plot",
                                          {size_t{1} << 30, 1, 100.0, 1LL << 32});
  EXPECT_GE(plot.cols, 1200);
  EXPECT_GE(plot.rows, 400);
}

TEST(AnalyzeCommand, TextUsesTheSynthesiserTiming) {
  const auto r = runProcess({dh(), "analyze", "--text",
                             "Bring me the map, please, and put the box by the bed.", "--voice",
                             "en_us_male", "--fps", "30"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["phone_source"], "synthesiser");
  EXPECT_EQ(out["fps"].get<double>(), 30.0);
}

TEST(AnalyzeCommand, NoiseIsNoSpeech) {
  const std::string dir = test::scratchDir();
  const auto r = runProcess({dh(), "analyze", "--audio", writeNoiseWav(dir, 4.0)});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("no speech found in the audio"), std::string::npos) << r.err;
}

TEST(RenderCommand, RendersFromText) {
  const std::string dir = test::scratchDir();
  const std::string text =
      "Good evening. Here is the news. The market opened higher this morning, and most "
      "people expect a calm week ahead.";
  const auto r = runProcess({dh(), "render", "--image", dataPath("faces/02_grace_hopper.jpg"),
                             "--text", text, "--voice", "en_us_female", "--speed", "1.3",
                             "--progress", "json", "-o", dir + "/out.mp4"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const double speechSeconds =
      speech::synthesize(text, "en_us_female", "en", 1.3).durationSeconds();
  const test::ProbeResult probe = test::probeFile(dir + "/out.mp4");
  const auto* video = probe.find("video");
  const auto* audio = probe.find("audio");
  ASSERT_NE(video, nullptr);
  ASSERT_NE(audio, nullptr);
  EXPECT_NEAR(video->seconds, speechSeconds, 1.0 / 25 + 0.05);
}

TEST(RenderCommand, NeedsAudioOrText) {
  const std::string dir = test::scratchDir();
  const auto r = runProcess(
      {dh(), "render", "--image", dataPath("faces/02_grace_hopper.jpg"), "-o", dir + "/o.mp4"});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("--audio or --text"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dh
