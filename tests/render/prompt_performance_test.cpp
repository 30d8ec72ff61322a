// The prompt directs the performance: the words of the API documents' example prompts and
// targeted ones map to what is applied (reported back to the user), and a render through `dh
// render` shows it on landmarks re-detected in the output frames.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "animate/style.h"
#include "face/face_analysis.h"
#include "rendered_video.h"
#include "support/test_paths.h"

namespace dh {
namespace {

using animate::readPrompt;
using test::firstAndLast;
using test::interOcular;
using test::trackedFrames;
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

TEST(PromptReading, PansHandheldFramingAndGestures) {
  EXPECT_EQ(readPrompt("gentle pan left").applied, (Applied{"camera:pan_left"}));
  EXPECT_FLOAT_EQ(readPrompt("gentle pan left").style.pan, -0.04f);
  EXPECT_FLOAT_EQ(readPrompt("slow drift").style.pan, 0.08f);
  EXPECT_EQ(readPrompt("camera pans to the right").applied, (Applied{"camera:pan_right"}));
  EXPECT_EQ(readPrompt("handheld, documentary feel").applied, (Applied{"camera:handheld"}));
  EXPECT_EQ(readPrompt("close-up of the speaker").style.framing, animate::Framing::CloseUp);
  EXPECT_EQ(readPrompt("medium shot, upper body").applied, (Applied{"framing:medium"}));
  EXPECT_EQ(readPrompt("medium close-up").applied, (Applied{"framing:medium"}));
  EXPECT_EQ(readPrompt("nodding along, agreeing").applied, (Applied{"gesture:nodding"}));
  EXPECT_EQ(readPrompt("curious, head tilt").applied, (Applied{"gesture:head_tilt"}));
  // A handheld camera combines with a move; against a stable one the first word wins.
  EXPECT_EQ(readPrompt("handheld, slow push in").applied,
            (Applied{"camera:push_in", "camera:handheld"}));
  EXPECT_EQ(readPrompt("stable camera, handheld").applied,
            (Applied{"energy:calm", "camera:stable"}));
  EXPECT_EQ(readPrompt("handheld, not a stable camera").applied,
            (Applied{"camera:no_stable", "camera:handheld"}));
  // Negations cancel a kind and say so.
  EXPECT_EQ(readPrompt("no camera shake, no nodding").applied,
            (Applied{"camera:no_handheld", "gesture:no_nodding"}));
  EXPECT_EQ(readPrompt("without camera movement, no zoom").applied,
            (Applied{"camera:no_push_in", "camera:stable"}));
  // Chinese: pan, handheld, close-up, medium shot, nodding.
  EXPECT_EQ(readPrompt("镜头向左平移").applied, (Applied{"camera:pan_left"}));
  EXPECT_EQ(readPrompt("手持镜头，特写").applied, (Applied{"camera:handheld", "framing:close_up"}));
  EXPECT_EQ(readPrompt("中景，点头").applied, (Applied{"framing:medium", "gesture:nodding"}));
  EXPECT_EQ(readPrompt("镜头平移").applied, (Applied{"camera:pan_right"}));
  // A real prompt with everything at once.
  EXPECT_EQ(readPrompt("Friendly teacher, slight smile, close-up, gentle handheld camera, nodding "
                       "when she agrees, no zoom")
                .applied,
            (Applied{"expression:smile(0.50)", "camera:no_push_in", "camera:handheld",
                     "framing:close_up", "gesture:nodding"}));
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

Pose renderedPose(const std::string& prompt) {
  const std::string dir = test::scratchDir();
  const std::string video = dir + "/out.mp4";
  test::renderPrompt(prompt, video);
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

TEST(PromptPerformance, ZoomInGrowsTheFaceAndAStableCameraKeepsScaleAndBackground) {
  const std::string dir = test::scratchDir();
  test::renderPrompt("slow zoom in", dir + "/zoom.mp4");
  const auto [zoomFirst, zoomLast] = firstAndLast(dir + "/zoom.mp4", dir);
  const double zoomGrowth = interOcular(zoomLast) / interOcular(zoomFirst);
  test::renderPrompt("stable camera", dir + "/stable.mp4");
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
