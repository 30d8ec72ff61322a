// `dh render --hls DIR`: the render also writes its live stream, which ends with #EXT-X-ENDLIST
// and holds the same frames as the MP4.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

struct Counted {
  long long frames = 0;
  double seconds = 0.0;
};

Counted countFrames(const std::string& path) {
  const auto r = runProcess({"/usr/bin/ffprobe", "-v", "error", "-count_frames", "-select_streams",
                             "v:0", "-show_entries", "stream=nb_read_frames:format=duration", "-of",
                             "default=noprint_wrappers=1", path});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  Counted c;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("nb_read_frames=(\\d+)"))) c.frames = std::stoll(m[1]);
  if (std::regex_search(r.out, m, std::regex("duration=([0-9.]+)"))) c.seconds = std::stod(m[1]);
  return c;
}

TEST(RenderHls, TheRenderAlsoWritesAWholeLiveStreamOfTheSameFrames) {
  const std::string dir = scratchDir();
  const std::string live = dir + "/live";
  const auto r = runProcess({dhBinary(), "render", "--image", dataPath("faces/02_grace_hopper.jpg"),
                             "--audio", dataPath("speech/en_m_librivox_0870.wav"), "-o",
                             dir + "/out.mp4", "--hls", live, "--progress", "none"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string playlist = readWholeFile(live + "/index.m3u8");
  EXPECT_NE(playlist.find("#EXT-X-PLAYLIST-TYPE:EVENT"), std::string::npos) << playlist;
  EXPECT_EQ(playlist.substr(playlist.size() - 15), "#EXT-X-ENDLIST\n") << playlist;
  EXPECT_TRUE(std::filesystem::exists(live + "/init.mp4"));
  EXPECT_TRUE(std::filesystem::exists(live + "/seg00000.m4s"));
  const Counted video = countFrames(dir + "/out.mp4");
  const Counted stream = countFrames(live + "/index.m3u8");
  EXPECT_NEAR(video.seconds, 7.1, 0.1);
  EXPECT_EQ(stream.frames, video.frames);
  EXPECT_NEAR(stream.seconds, video.seconds, 1.0 / 25);
}

TEST(RenderHls, WithoutTheOptionNoStreamIsWritten) {
  const std::string dir = scratchDir();
  const auto r = runProcess({dhBinary(), "render", "--image", dataPath("faces/02_grace_hopper.jpg"),
                             "--audio", dataPath("speech/en_m_librivox_0870.wav"), "-o",
                             dir + "/out.mp4", "--progress", "none"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);  // the MP4 alone
}

}  // namespace
}  // namespace dh::test
