#include "media/hls_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
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
            bool finish = true, bool leaveOpen = false) {
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
  if (leaveOpen) encoder.leaveStreamOpen();
}

TEST(HlsWriter, StreamsTheMp4sOwnPackets) {
  const AudioClip voice = decodeAudio(test::readData("speech/en_m_librivox_0870.wav"));
  const int frames = static_cast<int>(std::lround(voice.durationSeconds() * 25));
  const std::string dir = test::scratchDir();
  const std::string live = dir + "/live";
  encode(dir + "/streamed.mp4", voice, frames, live);

  // The stream carries the MP4's packets, every one with the same bytes (encoded once): per
  // stream, the packets' sizes and MD5 sums in order, as a copy (no decoding) of each reads them.
  const auto packets = [](const std::string& path) {
    const auto r = test::runProcess(
        {"/usr/bin/ffmpeg", "-v", "error", "-i", path, "-c", "copy", "-f", "framemd5", "-"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::vector<std::string> out;
    std::istringstream lines(r.out);
    const std::regex row(R"(^(\d+),\s*-?\d+,\s*-?\d+,\s*\d+,\s*(\d+),\s*([0-9a-f]{32}))");
    std::smatch m;
    for (std::string line; std::getline(lines, line);)
      if (std::regex_search(line, m, row))
        out.push_back(m[1].str() + " " + m[2].str() + " " + m[3].str());
    // (Side data such as the MP4's skipped priming samples follows the MD5 and is not compared.)
    // Each stream in its own order (the two files interleave sound and picture differently).
    std::stable_sort(out.begin(), out.end(),
                     [](const std::string& a, const std::string& b) { return a[0] < b[0]; });
    return out;
  };
  const auto mp4Packets = packets(dir + "/streamed.mp4");
  EXPECT_GT(mp4Packets.size(), static_cast<size_t>(frames));
  EXPECT_EQ(packets(live + "/index.m3u8"), mp4Packets);

  const std::string playlist = test::readWholeFile(live + "/index.m3u8");
  EXPECT_NE(playlist.find("#EXT-X-PLAYLIST-TYPE:EVENT"), std::string::npos) << playlist;
  EXPECT_NE(playlist.find("#EXT-X-MAP:URI=\"init.mp4\""), std::string::npos) << playlist;
  EXPECT_EQ(playlist.substr(playlist.size() - 15), "#EXT-X-ENDLIST\n") << playlist;
  const auto durations = segmentDurations(playlist);
  ASSERT_GE(durations.size(), 4u) << playlist;
  // The first is short: 0.2 s, up to the next frame that ends a run in display order.
  EXPECT_GE(durations.front(), 0.2);
  EXPECT_LE(durations.front(), 0.4);
  double total = 0.0;
  for (size_t i = 0; i < durations.size(); ++i) {
    total += durations[i];
    const std::string segment = live + "/" + fmt::format("seg{:05d}.m4s", i);
    ASSERT_TRUE(fs::exists(segment));
    EXPECT_GT(fs::file_size(segment), 1000u) << segment;
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

// A render that stops without ending its stream (its worker died or handed the task back) and a
// second render of the same video into the same directory: the second resumes where the first
// one's published segments end, and nothing published is ever rewritten.
TEST(HlsWriter, ASecondRenderResumesAnOpenStreamWithoutRewritingIt) {
  const AudioClip voice = decodeAudio(test::readData("speech/en_m_librivox_0870.wav"));
  const int frames = static_cast<int>(std::lround(voice.durationSeconds() * 25));
  const std::string dir = test::scratchDir();
  const std::string live = dir + "/live";
  encode(dir + "/first.mp4", voice, 90, live, /*finish=*/false, /*leaveOpen=*/true);
  const std::string before = test::readWholeFile(live + "/index.m3u8");
  ASSERT_EQ(before.find("#EXT-X-ENDLIST"), std::string::npos) << before;
  std::map<std::string, std::vector<uint8_t>> published;
  for (const auto& entry : fs::directory_iterator(live))
    published[entry.path().filename().string()] = core::readFileBytes(entry.path().string());
  const size_t publishedSegments = segmentDurations(before).size();
  ASSERT_GE(publishedSegments, 2u);

  encode(dir + "/second.mp4", voice, frames, live);
  const std::string after = test::readWholeFile(live + "/index.m3u8");
  // The earlier playlist is a prefix of the new one, then a discontinuity and a new init.
  EXPECT_EQ(after.substr(0, before.size()), before);
  EXPECT_EQ(after.substr(before.size(), 57),
            "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"\n#EXTINF:");
  EXPECT_EQ(after.substr(after.size() - 15), "#EXT-X-ENDLIST\n");
  for (const auto& [name, bytes] : published) {
    if (name == "index.m3u8") continue;
    EXPECT_EQ(core::readFileBytes(live + "/" + name), bytes) << name << " was rewritten";
  }
  double total = 0.0;
  for (double d : segmentDurations(after)) total += d;
  EXPECT_NEAR(total, frames / 25.0, 0.001);
  const Probed stream = probe(live + "/index.m3u8");
  EXPECT_EQ(stream.videoFrames, frames);
  const auto decoded = test::runProcess(
      {"/usr/bin/ffmpeg", "-v", "error", "-i", live + "/index.m3u8", "-f", "null", "-"});
  EXPECT_EQ(decoded.exitCode, 0) << decoded.err;
  EXPECT_EQ(decoded.err, "");
  // The resumed render's MP4 is whole too.
  EXPECT_EQ(probe(dir + "/second.mp4").videoFrames, frames);

  // A third render finds a whole stream and leaves it alone.
  encode(dir + "/third.mp4", voice, frames, live);
  EXPECT_EQ(test::readWholeFile(live + "/index.m3u8"), after);
  EXPECT_FALSE(fs::exists(live + "/init-2.mp4"));
}

TEST(HlsWriter, NoPlaylistBeforeTheFirstSegment) {
  const AudioClip voice = decodeAudio(test::readData("speech/en_m_librivox_0870.wav"));
  const std::string dir = test::scratchDir();
  encode(dir + "/short.mp4", voice, 5, dir + "/live", /*finish=*/false);
  // The initialisation segment comes with the first segment, the playlist after both.
  EXPECT_FALSE(fs::exists(dir + "/live/init.mp4"));
  EXPECT_FALSE(fs::exists(dir + "/live/index.m3u8"));
}

}  // namespace
}  // namespace dh::media
