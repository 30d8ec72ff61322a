// The prompt directs the performance: the words of the API documents' example prompts and
// targeted ones map to what is applied (reported back to the user), and a render through `dh
// render` shows it on landmarks re-detected in the output frames.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "animate/style.h"
#include "face/face_analysis.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh {
namespace {

using animate::readPrompt;
using Applied = std::vector<std::string>;

TEST(PromptReading, TheDocumentsExamplePromptsAreUnderstood) {
  EXPECT_EQ(readPrompt("professional teacher, warm smile, stable camera, natural lip sync").applied,
            (Applied{"energy:calm", "expression:smile(0.50)", "camera:stable"}));
  EXPECT_EQ(
      readPrompt("news anchor style, formal tone, stable frontal shot, neutral expression").applied,
      (Applied{"energy:calm", "expression:serious(0.50)", "camera:stable"}));
  EXPECT_EQ(readPrompt("premium corporate spokesperson video, clean studio background, "
                       "confident expression")
                .applied,
            (Applied{"expression:confident(0.50)"}));
  EXPECT_TRUE(readPrompt("").applied.empty());
  EXPECT_EQ(readPrompt("").style, animate::Style{});
  EXPECT_TRUE(readPrompt("a purple elephant in a library").applied.empty());
}

TEST(PromptReading, IntensityNegationLanguagesAndConflicts) {
  EXPECT_FLOAT_EQ(readPrompt("a slight smile").style.smile, 0.25f);
  EXPECT_FLOAT_EQ(readPrompt("a very big smile").style.smile, 1.0f);
  EXPECT_FLOAT_EQ(readPrompt("a little surprised").style.browLift, 0.3f);
  // A negated word cancels its kind, wherever else it appears.
  const auto noSmile = readPrompt("warm voice, but no smile please");
  EXPECT_EQ(noSmile.style.smile, 0.0f);
  EXPECT_EQ(noSmile.applied, (Applied{"expression:no_smile"}));
  EXPECT_EQ(readPrompt("without camera movement").applied, (Applied{"camera:stable"}));
  EXPECT_EQ(readPrompt("not excited").style.headMotion, 1.0f);
  // Chinese: smile, calm, the camera closing in.
  EXPECT_EQ(readPrompt("微笑，平静，镜头推近").applied,
            (Applied{"energy:calm", "expression:smile(0.50)", "camera:push_in"}));
  EXPECT_EQ(readPrompt("不要微笑").style.smile, 0.0f);
  EXPECT_EQ(readPrompt("固定镜头").applied, (Applied{"camera:stable"}));
  // Within a kind the first word wins.
  EXPECT_EQ(readPrompt("calm, later excited").applied, (Applied{"energy:calm"}));
  EXPECT_EQ(readPrompt("excited, later calm").applied, (Applied{"energy:lively"}));
  EXPECT_EQ(readPrompt("surprised then sad").applied, (Applied{"expression:surprised(0.60)"}));
  // Camera moves: the first camera word wins; a slight move is half as far.
  EXPECT_EQ(readPrompt("slow zoom in").applied, (Applied{"camera:push_in"}));
  EXPECT_FLOAT_EQ(readPrompt("slow zoom in").style.zoomEnd, 1.15f);
  EXPECT_FLOAT_EQ(readPrompt("a slight push in").style.zoomEnd, 1.075f);
  EXPECT_FLOAT_EQ(readPrompt("pull back from the face").style.zoomStart, 1.15f);
  EXPECT_EQ(readPrompt("zoom out, then zoom in").applied, (Applied{"camera:pull_out"}));
  EXPECT_EQ(readPrompt("stable camera, later zoom in").applied,
            (Applied{"energy:calm", "camera:stable"}));
  // Whole words only.
  EXPECT_TRUE(readPrompt("smiley-face unstable sadness").applied.empty());
}

// Landmarks of a rendered video's frames [first, last], every `step`th.
std::vector<face::Landmarks> trackedFrames(const std::string& video, const std::string& dir,
                                           int first, int last, int step) {
  const auto r =
      test::runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-i", video, "-vf",
                        "select=between(n\\," + std::to_string(first) + "\\," +
                            std::to_string(last) + ")*not(mod(n\\," + std::to_string(step) + "))",
                        "-vsync", "0", dir + "/f%03d.png"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  std::vector<face::Landmarks> out;
  for (int k = 1;; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "/f%03d.png", k);
    const cv::Mat frame = cv::imread(dir + name);
    if (frame.empty()) break;
    out.push_back(face::analyzeFace(frame).landmarks);
  }
  return out;
}

struct Pose {
  double corners = 0;  // mouth corners above the lips' middle, per inter-ocular distance
  double brows = 0;    // brows above the eyes, per inter-ocular distance
};

Pose meanPose(const std::vector<face::Landmarks>& frames) {
  Pose p;
  for (const auto& lm : frames) {
    auto mean = [&](std::initializer_list<int> ids) {
      cv::Point2f s(0, 0);
      for (int i : ids) s += lm[i];
      return s * (1.0f / ids.size());
    };
    const cv::Point2f leftEye = mean({36, 37, 38, 39, 40, 41});
    const cv::Point2f rightEye = mean({42, 43, 44, 45, 46, 47});
    const double iod = cv::norm(rightEye - leftEye);
    const double lipsMiddle = 0.5 * (mean({51, 62}).y + mean({57, 66}).y);
    p.corners += (lipsMiddle - mean({48, 54}).y) / iod;
    p.brows += (mean({36, 39, 42, 45}).y - mean({19, 24}).y) / iod;
  }
  p.corners /= frames.size();
  p.brows /= frames.size();
  return p;
}

void render(const std::string& prompt, const std::string& video) {
  const auto r = test::runProcess({test::dhBinary(), "render", "--image",
                                   test::dataPath("faces/01_astronaut_eileen_collins.png"),
                                   "--audio", test::dataPath("speech/en_m_jfk.wav"), "--prompt",
                                   prompt, "--output", video, "--progress", "none"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

Pose renderedPose(const std::string& prompt) {
  const std::string dir = test::scratchDir();
  const std::string video = dir + "/out.mp4";
  render(prompt, video);
  // After the ease-in, over the rest of the first 10 s.
  const auto frames = trackedFrames(video, dir, 25, 250, 9);
  EXPECT_GE(frames.size(), 20u);
  return meanPose(frames);
}

TEST(PromptPerformance, SmileLiftsTheCornersSurpriseRaisesTheBrowsConcernLowersTheCorners) {
  const Pose neutral = renderedPose("");
  const Pose smile = renderedPose("warm smile");
  const Pose surprised = renderedPose("surprised");
  const Pose concerned = renderedPose("concerned");
  std::cout << "corners above the lips' middle (IOD): neutral " << neutral.corners << ", smile "
            << smile.corners << ", concerned " << concerned.corners << "; brows above the eyes: "
            << "neutral " << neutral.brows << ", surprised " << surprised.brows << "\n";
  EXPECT_GT(smile.corners - neutral.corners, 0.01);
  EXPECT_LT(concerned.corners - neutral.corners, -0.01);
  EXPECT_GT(surprised.brows - neutral.brows, 0.015);
}

// A video's first and last frames.
std::pair<cv::Mat, cv::Mat> firstAndLast(const std::string& video, const std::string& dir) {
  const auto a = test::runProcess(
      {"/usr/bin/ffmpeg", "-v", "error", "-y", "-i", video, "-frames:v", "1", dir + "/first.png"});
  EXPECT_EQ(a.exitCode, 0) << a.err;
  const auto b = test::runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-sseof", "-0.3", "-i",
                                   video, "-update", "1", dir + "/last.png"});
  EXPECT_EQ(b.exitCode, 0) << b.err;
  return {cv::imread(dir + "/first.png"), cv::imread(dir + "/last.png")};
}

double interOcular(const cv::Mat& frame) {
  const auto lm = face::analyzeFace(frame).landmarks;
  cv::Point2f left(0, 0), right(0, 0);
  for (int i = 36; i < 42; ++i) left += lm[i];
  for (int i = 42; i < 48; ++i) right += lm[i];
  return cv::norm((right - left) * (1.0f / 6.0f));
}

TEST(PromptPerformance, ZoomInGrowsTheFaceAndAStableCameraKeepsScaleAndBackground) {
  const std::string dir = test::scratchDir();
  render("slow zoom in", dir + "/zoom.mp4");
  const auto [zoomFirst, zoomLast] = firstAndLast(dir + "/zoom.mp4", dir);
  const double zoomGrowth = interOcular(zoomLast) / interOcular(zoomFirst);
  render("stable camera", dir + "/stable.mp4");
  const auto [first, last] = firstAndLast(dir + "/stable.mp4", dir);
  const double stableGrowth = interOcular(last) / interOcular(first);
  std::cout << "face size last / first frame: zoom in " << zoomGrowth << ", stable camera "
            << stableGrowth << "\n";
  EXPECT_GE(zoomGrowth, 1.10);
  EXPECT_NEAR(stableGrowth, 1.0, 0.04);
  // The background (the top-left corner, away from the head) does not move.
  const cv::Rect corner(0, 0, first.cols / 6, first.rows / 6);
  EXPECT_GT(cv::PSNR(first(corner), last(corner)), 35.0);
}

}  // namespace
}  // namespace dh
