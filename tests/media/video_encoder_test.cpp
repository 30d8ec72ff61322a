#include "media/video_encoder.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "media/audio_decoder.h"
#include "media/output_size.h"
#include "support/media_probe.h"
#include "support/process.h"
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

// The frames of an MP4 as a player shows them, decoded by the ffmpeg program to BGR.
std::vector<cv::Mat> decodedFrames(const std::string& path, cv::Size size) {
  const std::string raw = path + ".bgr";
  const auto result = test::runProcess({"/usr/bin/ffmpeg", "-loglevel", "error", "-y", "-i", path,
                                        "-f", "rawvideo", "-pix_fmt", "bgr24", raw});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  const std::vector<uint8_t> bytes = core::readFileBytes(raw);
  const size_t frameBytes = static_cast<size_t>(size.area()) * 3;
  std::vector<cv::Mat> frames;
  for (size_t at = 0; at + frameBytes <= bytes.size(); at += frameBytes) {
    frames.push_back(cv::Mat(size, CV_8UC3, const_cast<uint8_t*>(bytes.data() + at)).clone());
  }
  return frames;
}

TEST(VideoEncoder, ConvertingOnlyTheChangedRegionShowsTheSamePictures) {
  VideoSettings settings;
  settings.size = {320, 240};
  const cv::Rect moving(90, 50, 130, 110);
  // A textured still background and, inside `moving`, a disc that travels across it.
  cv::Mat background(settings.size, CV_8UC3);
  cv::randu(background, cv::Scalar::all(40), cv::Scalar::all(200));
  cv::GaussianBlur(background, background, {0, 0}, 3.0);
  std::vector<cv::Mat> source;
  for (int i = 0; i < 40; ++i) {
    cv::Mat frame = background.clone();
    cv::circle(frame, {moving.x + 20 + 2 * i, moving.y + 30 + i}, 18, cv::Scalar(30, 200, 250), -1,
               cv::LINE_AA);
    source.push_back(frame);
  }
  const auto encode = [&](const std::string& name, std::optional<cv::Rect> changed) {
    const std::string path = test::scratchDir() + "/" + name;
    VideoEncoder encoder(path, settings, nullptr);
    for (const cv::Mat& frame : source) encoder.writeFrame(frame, changed);
    encoder.finish();
    return decodedFrames(path, settings.size);
  };
  const std::vector<cv::Mat> whole = encode("whole.mp4", std::nullopt);
  const std::vector<cv::Mat> region = encode("region.mp4", moving);
  ASSERT_EQ(whole.size(), source.size());
  ASSERT_EQ(region.size(), source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    // The moving disc is where it should be in every frame, not left behind from frame 0.
    EXPECT_GE(cv::PSNR(region[i](moving), source[i](moving)), 32.0) << "frame " << i;
    EXPECT_GE(cv::PSNR(region[i], whole[i]), 45.0) << "frame " << i;
  }
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
