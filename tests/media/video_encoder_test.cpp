#include "media/video_encoder.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "media/audio_decoder.h"
#include "media/output_size.h"
#include "support/media_probe.h"
#include "support/test_paths.h"

namespace dh::media {
namespace {

TEST(OutputSize, KeepsAspectWithEvenSides) {
  EXPECT_EQ(outputSizeFor({512, 600}, 720), cv::Size(720, 844));
  EXPECT_EQ(outputSizeFor({512, 512}, 1080), cv::Size(1080, 1080));
  EXPECT_EQ(outputSizeFor({1920, 1350}, 720), cv::Size(1024, 720));
  EXPECT_EQ(outputSizeFor({301, 751}, 720), cv::Size(720, 1796));
}

TEST(VideoEncoder, WritesH264AacFaststartMp4MatchingTheAudio) {
  const AudioClip voice = decodeAudio(test::readData("speech/en_m_librivox_0870.wav"));
  const std::string path = test::scratchDir() + "/out.mp4";
  VideoSettings settings;
  settings.size = {320, 240};
  settings.fps = 25;
  const auto frames = static_cast<int>(std::lround(voice.durationSeconds() * settings.fps));
  {
    VideoEncoder encoder(path, settings, &voice);
    cv::Mat frame(settings.size, CV_8UC3);
    for (int i = 0; i < frames; ++i) {
      frame.setTo(cv::Scalar(i % 255, 80, 160));
      cv::circle(frame, {i % 320, 120}, 30, cv::Scalar(255, 255, 255), -1);
      encoder.writeFrame(frame);
    }
    encoder.finish();
    EXPECT_EQ(encoder.framesWritten(), frames);
  }
  const test::ProbeResult probe = test::probeFile(path);
  ASSERT_NE(probe.find("video"), nullptr);
  ASSERT_NE(probe.find("audio"), nullptr);
  const auto& video = *probe.find("video");
  const auto& audio = *probe.find("audio");
  EXPECT_EQ(video.codec, "h264");
  EXPECT_EQ(video.pixelFormat, "yuv420p");
  EXPECT_EQ(video.colorSpace, "bt709");
  EXPECT_EQ(video.width, 320);
  EXPECT_EQ(video.height, 240);
  EXPECT_DOUBLE_EQ(video.fps, 25.0);
  EXPECT_EQ(video.frames, frames);
  EXPECT_EQ(audio.codec, "aac");
  EXPECT_NEAR(audio.seconds, voice.durationSeconds(), 0.03);
  EXPECT_NEAR(video.seconds, audio.seconds, 1.0 / 25.0);
  EXPECT_TRUE(probe.moovBeforeMdat);
}

TEST(VideoEncoder, RejectsAFrameOfTheWrongSize) {
  const std::string path = test::scratchDir() + "/out.mp4";
  VideoSettings settings;
  settings.size = {320, 240};
  VideoEncoder encoder(path, settings, nullptr);
  EXPECT_THROW(encoder.writeFrame(cv::Mat(100, 100, CV_8UC3)), core::Error);
}

TEST(VideoEncoder, SurfacesFfmpegErrorsForUnwritablePaths) {
  VideoSettings settings;
  settings.size = {320, 240};
  try {
    VideoEncoder encoder("/nonexistent-dir/out.mp4", settings, nullptr);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_EQ(std::string(e.what()), "opening /nonexistent-dir/out.mp4: No such file or directory");
  }
}

}  // namespace
}  // namespace dh::media
