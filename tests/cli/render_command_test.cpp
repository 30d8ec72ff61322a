// Drives the `dh render` program as a user would and probes the MP4 it writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "media/audio_decoder.h"
#include "support/generated_media.h"
#include "support/media_probe.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh {
namespace {

using test::dataPath;

struct RenderCase {
  std::string face;
  std::string voice;
};

void PrintTo(const RenderCase& c, std::ostream* os) {
  *os << c.face << " + " << c.voice;
}

std::string caseName(const ::testing::TestParamInfo<RenderCase>& info) {
  auto stem = [](const std::string& p) {
    std::string s = std::filesystem::path(p).stem().string();
    for (char& c : s) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return s;
  };
  return stem(info.param.face) + "__" + stem(info.param.voice);
}

std::vector<RenderCase> allCombinations() {
  std::vector<RenderCase> cases;
  for (const auto& face : test::sharedFaces()) {
    for (const auto& voice : test::validVoices()) cases.push_back({face, voice});
  }
  return cases;
}

void expectPlayableMp4(const std::string& path, const std::string& voice, int shortSide, int fps,
                       double aspect) {
  const double voiceSeconds = media::decodeAudio(test::readData(voice)).durationSeconds();
  const test::ProbeResult probe = test::probeFile(path);
  ASSERT_EQ(probe.streams.size(), 2u);
  const auto* video = probe.find("video");
  const auto* audio = probe.find("audio");
  ASSERT_NE(video, nullptr);
  ASSERT_NE(audio, nullptr);
  EXPECT_NE(probe.container.find("mp4"), std::string::npos);
  EXPECT_EQ(video->codec, "h264");
  EXPECT_EQ(video->pixelFormat, "yuv420p");
  EXPECT_EQ(video->colorSpace, "bt709");
  EXPECT_EQ(std::min(video->width, video->height), shortSide);
  EXPECT_EQ(video->width % 2, 0);
  EXPECT_EQ(video->height % 2, 0);
  EXPECT_NEAR(static_cast<double>(video->width) / video->height, aspect, 0.01);
  EXPECT_DOUBLE_EQ(video->fps, fps);
  EXPECT_EQ(audio->codec, "aac");
  EXPECT_NEAR(audio->seconds, voiceSeconds, 0.05);
  EXPECT_LE(std::abs(video->seconds - voiceSeconds), 1.0 / fps + 1e-6)
      << "video " << video->seconds << " s, voice " << voiceSeconds << " s";
  EXPECT_TRUE(probe.moovBeforeMdat);
}

double aspectOf(const std::string& face) {
  if (face.find("grace_hopper") != std::string::npos) return 512.0 / 600.0;
  return 1.0;
}

class RenderEveryFaceAndVoice : public ::testing::TestWithParam<RenderCase> {};

TEST_P(RenderEveryFaceAndVoice, ProducesAStdMp4MatchingTheVoice) {
  const std::string out = test::scratchDir() + "/out.mp4";
  const auto run =
      test::runProcess({test::dhBinary(), "render", "--image", dataPath(GetParam().face), "--audio",
                        dataPath(GetParam().voice), "-o", out});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  expectPlayableMp4(out, GetParam().voice, 720, 25, aspectOf(GetParam().face));
}

INSTANTIATE_TEST_SUITE_P(SharedMedia, RenderEveryFaceAndVoice,
                         ::testing::ValuesIn(allCombinations()), caseName);

TEST(RenderCommand, ProModeIs1080At30Fps) {
  const std::string out = test::scratchDir() + "/pro.mp4";
  const auto run = test::runProcess(
      {test::dhBinary(), "render", "--image", dataPath("faces/02_grace_hopper.jpg"), "--audio",
       dataPath("speech/en_m_librivox_0870.wav"), "--mode", "pro", "-o", out});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  expectPlayableMp4(out, "speech/en_m_librivox_0870.wav", 1080, 30, 512.0 / 600.0);
}

TEST(RenderCommand, JsonProgressIsOneObjectPerLineEndingWithDone) {
  const std::string out = test::scratchDir() + "/out.mp4";
  const auto run = test::runProcess(
      {test::dhBinary(), "render", "--image", dataPath("faces/03_faceapi_sample3_crop_c.jpg"),
       "--audio", dataPath("speech/en_m_librivox_0870.wav"), "--progress", "json", "-o", out});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  std::istringstream lines(run.out);
  std::string line;
  double last = -1.0;
  int progressLines = 0;
  nlohmann::json done;
  while (std::getline(lines, line)) {
    const auto event = nlohmann::json::parse(line);
    if (event["event"] == "progress") {
      const double p = event["progress"];
      EXPECT_GE(p, last);
      last = p;
      ++progressLines;
    } else {
      done = event;
    }
  }
  EXPECT_GT(progressLines, 10);
  EXPECT_DOUBLE_EQ(last, 1.0);
  EXPECT_EQ(done["event"], "done");
  EXPECT_EQ(done["width"], 720);
  EXPECT_EQ(done["fps"], 25);
  EXPECT_NEAR(done["video_seconds"].get<double>(), 7.1, 0.05);
}

TEST(RenderCommand, HelpDocumentsEveryFlag) {
  const auto run = test::runProcess({test::dhBinary(), "render", "--help"});
  EXPECT_EQ(run.exitCode, 0);
  for (const char* flag :
       {"--image", "--audio", "--mode", "--prompt", "--seed", "--output", "--progress"}) {
    EXPECT_NE(run.out.find(flag), std::string::npos) << flag;
  }
}

struct BadInputCase {
  std::string name;
  std::vector<std::string> args;
  std::string message;
};

void PrintTo(const BadInputCase& c, std::ostream* os) {
  *os << c.name;
}

class RenderRefuses : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(RenderRefuses, WithOneLineReasonAndNoOutput) {
  const std::string dir = test::scratchDir();
  std::vector<std::string> argv = {test::dhBinary(), "render"};
  for (auto arg : GetParam().args) {
    if (arg.rfind("data:", 0) == 0) arg = dataPath(arg.substr(5));
    if (arg.rfind("dir:", 0) == 0) arg = dir + "/" + arg.substr(4);
    argv.push_back(arg);
  }
  argv.insert(argv.end(), {"-o", dir + "/out.mp4"});
  const auto run = test::runProcess(argv);
  EXPECT_NE(run.exitCode, 0);
  std::string expected = GetParam().message;
  if (const auto at = expected.find("dir:"); at != std::string::npos) {
    expected.replace(at, 4, dir + "/");
  }
  EXPECT_EQ(run.err, expected + "\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.mp4"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.mp4.part"));
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, RenderRefuses,
    ::testing::Values(
        BadInputCase{"ShortVoice",
                     {"--image", "data:faces/02_grace_hopper.jpg", "--audio",
                      "data:speech/en_f_alsa_Front_Center_short.wav"},
                     "dh render: error: audio lasts 1.43 s; it must last between 2 and 300 s"},
        BadInputCase{"ImageAsVoice",
                     {"--image", "data:faces/02_grace_hopper.jpg", "--audio",
                      "data:faces/01_astronaut_eileen_collins.png"},
                     "dh render: error: audio must be MP3, WAV, M4A or AAC audio; its content is "
                     "a PNG image"},
        BadInputCase{
            "MissingImage",
            {"--image", "dir:nothing.png", "--audio", "data:speech/en_m_jfk.wav"},
            "dh render: error: image: cannot read dir:nothing.png: No such file or directory"},
        BadInputCase{"BadMode",
                     {"--image", "data:faces/02_grace_hopper.jpg", "--audio",
                      "data:speech/en_m_jfk.wav", "--mode", "ultra"},
                     "dh: --mode: ultra not in {std,pro} (see dh --help)"}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace dh
