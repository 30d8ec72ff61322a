// Drives `dh render` on the inputs people really send and checks what a viewer sees first: the
// first frame is the photo itself, the motion eases in, and real talking footage (faces turned
// up to about 45 degrees, speech over loud noise) is animated rather than refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "media/output_size.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh {
namespace {

namespace fs = std::filesystem;

// Frame `index` of a video, decoded by ffmpeg to PNG and read back.
cv::Mat decodedFrame(const std::string& video, int index, const std::string& dir) {
  const std::string png = dir + "/frame" + std::to_string(index) + ".png";
  const auto r =
      test::runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-i", video, "-vf",
                        "select=eq(n\\," + std::to_string(index) + ")", "-frames:v", "1", png});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return cv::imread(png);
}

double psnr(const cv::Mat& a, const cv::Mat& b) {
  return cv::PSNR(a, b);
}

TEST(RealisticRender, FirstFrameIsThePhotoAndMotionEasesIn) {
  const std::string dir = test::scratchDir();
  const std::string image = test::dataPath("faces/01_astronaut_eileen_collins.png");
  const std::string video = dir + "/out.mp4";
  const auto r = test::runProcess({test::dhBinary(), "render", "--image", image, "--audio",
                                   test::dataPath("speech/en_m_jfk.wav"), "--output", video,
                                   "--progress", "none"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const cv::Mat photo = cv::imread(image);
  cv::Mat still;
  cv::resize(photo, still, media::outputSizeFor(photo.size(), 720), 0, 0, cv::INTER_AREA);
  const cv::Mat first = decodedFrame(video, 0, dir);
  const cv::Mat later = decodedFrame(video, 100, dir);  // 4 s in, mid-sentence
  ASSERT_EQ(first.size(), still.size());
  const double atStart = psnr(first, still);
  const double atFour = psnr(later, still);
  std::cout << "PSNR against the photo: frame 0 " << atStart << " dB, frame 100 " << atFour
            << " dB\n";
  // Only the encoder's loss (x264 at crf 23, 4:2:0 chroma: about 35 dB on this detailed photo)
  // separates the first frame from the photo; later frames have moved.
  EXPECT_GE(atStart, 33.0);
  EXPECT_LT(atFour, atStart - 6.0);
  // The motion eases in: the first frames differ from the photo far less than frame 100 does.
  EXPECT_GT(psnr(decodedFrame(video, 3, dir), still), atFour + 3.0);
}

// Every real clip of the shared footage (first frame scaled to 448 px, its own sound) renders:
// four of them show faces turned 34-50 degrees, one a voice under loud crowd noise.
TEST(RealisticRender, RealTalkingFootageIsAnimatedNotRefused) {
  const fs::path clips = fs::path(DH_SHARED_MEDIA_DIR) / "real";
  if (!fs::exists(clips)) GTEST_SKIP() << "no shared real footage at " << clips;
  const std::string dir = test::scratchDir();
  int rendered = 0;
  for (const auto& entry : fs::directory_iterator(clips)) {
    if (entry.path().extension() != ".mp4") continue;
    const std::string name = entry.path().stem().string();
    const std::string image = dir + "/" + name + ".png", voice = dir + "/" + name + ".wav";
    ASSERT_EQ(test::runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-i", entry.path().string(),
                                "-frames:v", "1", "-vf", "scale=448:448:flags=lanczos", image})
                  .exitCode,
              0);
    ASSERT_EQ(test::runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-i", entry.path().string(),
                                "-vn", "-ac", "1", "-c:a", "pcm_s16le", voice})
                  .exitCode,
              0);
    const auto r = test::runProcess({test::dhBinary(), "render", "--image", image, "--audio", voice,
                                     "--output", dir + "/" + name + ".mp4", "--progress", "none"});
    EXPECT_EQ(r.exitCode, 0) << name << ": " << r.err;
    rendered += r.exitCode == 0;
  }
  EXPECT_EQ(rendered, 14);
}

}  // namespace
}  // namespace dh
