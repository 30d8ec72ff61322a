#include "media/hls_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <regex>
#include <stdexcept>

#include "core/file_io.h"
#include "media/audio_decoder.h"
#include "media/video_encoder.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::media {
namespace {

namespace fs = std::filesystem;

struct Probed {
  long long videoFrames = 0;
  double seconds = 0.0;
};

// What /usr/bin/ffprobe reads: video frames decoded and the container's duration.
Probed probe(const std::string& path) {
  const auto r =
      test::runProcess({"/usr/bin/ffprobe", "-v", "error", "-count_frames", "-select_streams",
                        "v:0", "-show_entries", "stream=nb_read_frames:format=duration", "-of",
                        "default=noprint_wrappers=1", path});
  if (r.exitCode != 0) throw std::runtime_error("ffprobe " + path + ": " + r.err);
  Probed p;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("nb_read_frames=(\\d+)")))
    p.videoFrames = std::stoll(m[1]);
  if (std::regex_search(r.out, m, std::regex("duration=([0-9.]+)"))) p.seconds = std::stod(m[1]);
  return p;
}

std::vector<double> segmentDurations(const std::string& playlist) {
  std::vector<double> durations;
  const std::regex extinf("#EXTINF:([0-9.]+),");
  for (std::sregex_iterator it(playlist.begin(), playlist.end(), extinf), end; it != end; ++it)
    durations.push_back(std::stod((*it)[1]));
  return durations;
}

// Encodes `frames` frames of a moving picture with the voice; `live` empty: no stream.
void encode(const std::string& path, const AudioClip& voice, int frames, const std::string& live,
            bool finish = true) {
  VideoSettings settings;
  settings.size = {320, 240};
  settings.fps = 25;
  settings.live.directory = live;
  VideoEncoder encoder(path, settings, &voice);
  cv::Mat frame(settings.size, CV_8UC3);
  for (int i = 0; i < frames; ++i) {
    frame.setTo(cv::Scalar(i % 255, 80, 160));
    cv::circle(frame, {(i * 7) % 320, 120}, 30, cv::Scalar(255, 255, 255), -1);
    encoder.writeFrame(frame);
  }
  if (finish) encoder.finish();
}

TEST(HlsWriter, StreamsTheSamePacketsAsTheMp4WhichStaysTheSame) {
  const AudioClip voice = decodeAudio(test::readData("speech/en_m_librivox_0870.wav"));
  const int frames = static_cast<int>(std::lround(voice.durationSeconds() * 25));
  const std::string dir = test::scratchDir();
  const std::string live = dir + "/live";
  encode(dir + "/plain.mp4", voice, frames, "");
  encode(dir + "/streamed.mp4", voice, frames, live);

  // The MP4 is byte for byte what it is without a stream.
  EXPECT_EQ(core::readFileBytes(dir + "/plain.mp4"), core::readFileBytes(dir + "/streamed.mp4"));

  const std::string playlist = test::readWholeFile(live + "/index.m3u8");
  EXPECT_NE(playlist.find("#EXT-X-PLAYLIST-TYPE:EVENT"), std::string::npos) << playlist;
  EXPECT_NE(playlist.find("#EXT-X-MAP:URI=\"init.mp4\""), std::string::npos) << playlist;
  EXPECT_EQ(playlist.substr(playlist.size() - 15), "#EXT-X-ENDLIST\n") << playlist;
  const auto durations = segmentDurations(playlist);
  ASSERT_GE(durations.size(), 4u) << playlist;
  EXPECT_NEAR(durations.front(), 0.5, 0.05);  // the first is short
  double total = 0.0;
  for (size_t i = 0; i < durations.size(); ++i) {
    total += durations[i];
    EXPECT_TRUE(fs::exists(live + "/" + fmt::format("seg{:05d}.m4s", i)));
    if (i > 0 && i + 1 < durations.size()) {
      EXPECT_GE(durations[i], 1.0);
      EXPECT_LE(durations[i], 2.0);
    }
  }
  EXPECT_NEAR(total, frames / 25.0, 0.001);
  // No temporary files are left behind.
  for (const auto& entry : fs::directory_iterator(live))
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();

  const Probed mp4 = probe(dir + "/streamed.mp4");
  const Probed stream = probe(live + "/index.m3u8");
  EXPECT_EQ(mp4.videoFrames, frames);
  EXPECT_EQ(stream.videoFrames, mp4.videoFrames);
  EXPECT_NEAR(stream.seconds, mp4.seconds, 1.0 / 25);
  // Every packet decodes without an error.
  const auto decoded = test::runProcess(
      {"/usr/bin/ffmpeg", "-v", "error", "-i", live + "/index.m3u8", "-f", "null", "-"});
  EXPECT_EQ(decoded.exitCode, 0) << decoded.err;
  EXPECT_EQ(decoded.err, "");
}

TEST(HlsWriter, AnUnfinishedRenderEndsTheStreamCleanly) {
  const AudioClip voice = decodeAudio(test::readData("speech/en_m_librivox_0870.wav"));
  const std::string dir = test::scratchDir();
  const std::string live = dir + "/live";
  encode(dir + "/failed.mp4", voice, 80, live, /*finish=*/false);  // 3.2 s, then "an error"

  const std::string playlist = test::readWholeFile(live + "/index.m3u8");
  EXPECT_EQ(playlist.substr(playlist.size() - 15), "#EXT-X-ENDLIST\n") << playlist;
  const auto durations = segmentDurations(playlist);
  ASSERT_GE(durations.size(), 2u);
  const Probed stream = probe(live + "/index.m3u8");
  // The frames still inside the encoder are lost; what was streamed plays.
  EXPECT_GT(stream.videoFrames, 25);
  EXPECT_LE(stream.videoFrames, 80);
  const auto decoded = test::runProcess(
      {"/usr/bin/ffmpeg", "-v", "error", "-i", live + "/index.m3u8", "-f", "null", "-"});
  EXPECT_EQ(decoded.exitCode, 0) << decoded.err;
}

TEST(HlsWriter, NoPlaylistBeforeTheFirstSegment) {
  const AudioClip voice = decodeAudio(test::readData("speech/en_m_librivox_0870.wav"));
  const std::string dir = test::scratchDir();
  encode(dir + "/short.mp4", voice, 5, dir + "/live", /*finish=*/false);
  EXPECT_TRUE(fs::exists(dir + "/live/init.mp4"));
  EXPECT_FALSE(fs::exists(dir + "/live/index.m3u8"));
}

}  // namespace
}  // namespace dh::media
