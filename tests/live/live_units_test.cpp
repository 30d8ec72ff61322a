// The live library's pieces without a server: sentence cutting, the motion timeline's seams and
// the fragment encoder's output.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include <cmath>
#include <fstream>
#include <regex>
#include <vector>

#include "live/fragment_encoder.h"
#include "live/motion_timeline.h"
#include "live/utterance.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::live {
namespace {

TEST(SplitSentences, CutsAfterSentenceEndsOnly) {
  EXPECT_EQ(splitSentences("Hello there. How are you? Fine!"),
            (std::vector<std::string>{"Hello there.", "How are you?", "Fine!"}));
  EXPECT_EQ(splitSentences("It costs 3.5 units; that is all"),
            (std::vector<std::string>{"It costs 3.5 units;", "that is all"}));
  EXPECT_EQ(splitSentences("你好。今天天气很好！"),
            (std::vector<std::string>{"你好。", "今天天气很好！"}));
  EXPECT_TRUE(splitSentences("  ...  ").size() <= 1);
  EXPECT_TRUE(splitSentences("   ").empty());
}

TEST(SplitSentences, CutsLongSentencesAtCommas) {
  std::string longSentence;
  for (int i = 0; i < 12; ++i) longSentence += "one clause of a long sentence, ";
  longSentence += "and the end.";
  const auto pieces = splitSentences(longSentence, 160);
  ASSERT_GT(pieces.size(), 1u);
  std::string joined;
  for (const auto& p : pieces) {
    EXPECT_LE(p.size(), 200u) << p;
    joined += (joined.empty() ? "" : " ") + p;
  }
  EXPECT_EQ(joined + " ", longSentence.substr(0, longSentence.size()) + " ");
}

// The largest change of the head between two frames, degrees (the eyes may jump: saccades).
float headStep(const animate::FaceParams& a, const animate::FaceParams& b) {
  return std::max({std::abs(a.headYaw - b.headYaw), std::abs(a.headPitch - b.headPitch),
                   std::abs(a.headRoll - b.headRoll)});
}

TEST(MotionTimeline, ListensWithoutSeamsAndPlaysSpeech) {
  MotionTimeline timeline(animate::Style{}, 7, TimelineSettings{25, 2.0, 0.8, 0.08});
  animate::FaceParams previous = timeline.next();
  float largest = 0.0f, blinkMax = 0.0f, yawMin = 1e9f, yawMax = -1e9f;
  // 30 s of listening: several plans of 2 s follow each other.
  for (int i = 1; i < 750; ++i) {
    const animate::FaceParams p = timeline.next();
    largest = std::max(largest, headStep(previous, p));
    blinkMax = std::max(blinkMax, p.blink);
    yawMin = std::min(yawMin, p.headYaw);
    yawMax = std::max(yawMax, p.headYaw);
    EXPECT_EQ(p.jawOpen, 0.0f);
    previous = p;
  }
  // A turn of the head, not a jump: joining two plans without the glide moves it by 5-15 degrees
  // from one frame to the next.
  EXPECT_LT(largest, 2.5f) << "a jump between frames";
  EXPECT_GT(blinkMax, 0.9f) << "no blink in 30 s";
  EXPECT_GT(yawMax - yawMin, 0.3f) << "a frozen head";

  // A speech plan plays from the next frame, the mouth at once, then listening again.
  std::vector<animate::FaceParams> speech(50);
  for (auto& p : speech) p.jawOpen = 0.6f;
  timeline.play(speech);
  EXPECT_EQ(timeline.speechFramesLeft(), 50u);
  std::vector<animate::FaceParams> played;
  for (int i = 0; i < 60; ++i) played.push_back(timeline.next());
  EXPECT_GT(played[3].jawOpen, 0.55f);
  EXPECT_EQ(timeline.speechFramesLeft(), 0u);
  EXPECT_LT(played[55].jawOpen, 0.1f);
  for (size_t i = 1; i < played.size(); ++i)
    EXPECT_LT(headStep(played[i - 1], played[i]), 2.5f) << "frame " << i;
}

TEST(FragmentEncoder, WritesAnInitSegmentAndFragmentsThatDecode) {
  FragmentSettings settings;
  settings.size = cv::Size(320, 240);
  FragmentEncoder encoder(settings);
  const std::vector<uint8_t>& init = encoder.initSegment();
  ASSERT_GT(init.size(), 16u);
  EXPECT_EQ(std::string(init.begin() + 4, init.begin() + 8), "ftyp");
  ASSERT_EQ(encoder.samplesPerFrame(), 882);

  const std::string path = test::scratchDir() + "/fragments.mp4";
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(init.data()), static_cast<std::streamsize>(init.size()));
  cv::Mat frame(settings.size, CV_8UC3);
  std::vector<float> samples(882);
  int fragments = 0;
  for (int i = 0; i < 50; ++i) {
    frame.setTo(cv::Scalar(40 + i, 90, 160));
    for (size_t k = 0; k < samples.size(); ++k)
      samples[k] = 0.3f * std::sin(2.0f * 3.14159f * 440.0f * (i * 882 + k) / 22050.0f);
    encoder.addFrame(frame, samples);
    if (i % 2 == 1) {
      const std::vector<uint8_t> bytes = encoder.cutFragment();
      ASSERT_FALSE(bytes.empty());
      EXPECT_EQ(std::string(bytes.begin() + 4, bytes.begin() + 8), "moof");
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      ++fragments;
    }
  }
  EXPECT_TRUE(encoder.cutFragment().empty()) << "nothing new since the last cut";
  out.close();
  EXPECT_EQ(fragments, 25);
  const test::ProcessResult probe =
      test::runProcess({"/usr/bin/ffprobe", "-v", "error", "-count_frames", "-show_entries",
                        "stream=codec_name,nb_read_frames", "-of", "compact", path});
  EXPECT_EQ(probe.exitCode, 0) << probe.err;
  EXPECT_TRUE(probe.err.empty()) << probe.err;
  EXPECT_NE(probe.out.find("codec_name=h264|nb_read_frames=50"), std::string::npos) << probe.out;
  EXPECT_NE(probe.out.find("codec_name=aac"), std::string::npos) << probe.out;
  EXPECT_NEAR(encoder.frameTime(0), 1024.0 / 22050, 1e-9) << "the AAC priming lead-in";
}

TEST(FragmentEncoder, RefusesFramesOfTheWrongShape) {
  FragmentSettings settings;
  settings.size = cv::Size(320, 240);
  FragmentEncoder encoder(settings);
  const std::vector<float> samples(882);
  EXPECT_THROW(encoder.addFrame(cv::Mat(100, 100, CV_8UC3), samples), std::exception);
  EXPECT_THROW(encoder.addFrame(cv::Mat(settings.size, CV_8UC3), std::vector<float>(10)),
               std::exception);
  settings.sampleRate = 22001;  // a fraction of a sample per frame
  EXPECT_THROW(FragmentEncoder{settings}, std::exception);
}

}  // namespace
}  // namespace dh::live
