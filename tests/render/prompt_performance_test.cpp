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
  // Chinese: smile, calm; the push-in is not applied (no camera moves yet) and not reported.
  EXPECT_EQ(readPrompt("微笑，平静，镜头推近").applied,
            (Applied{"energy:calm", "expression:smile(0.50)"}));
  EXPECT_EQ(readPrompt("不要微笑").style.smile, 0.0f);
  EXPECT_EQ(readPrompt("固定镜头").applied, (Applied{"camera:stable"}));
  // Within a kind the first word wins.
  EXPECT_EQ(readPrompt("calm, later excited").applied, (Applied{"energy:calm"}));
  EXPECT_EQ(readPrompt("excited, later calm").applied, (Applied{"energy:lively"}));
  EXPECT_EQ(readPrompt("surprised then sad").applied, (Applied{"expression:surprised(0.60)"}));
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

Pose renderedPose(const std::string& prompt) {
  const std::string dir = test::scratchDir();
  const std::string video = dir + "/out.mp4";
  const auto r = test::runProcess({test::dhBinary(), "render", "--image",
                                   test::dataPath("faces/01_astronaut_eileen_collins.png"),
                                   "--audio", test::dataPath("speech/en_m_jfk.wav"), "--prompt",
                                   prompt, "--output", video, "--progress", "none"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
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

}  // namespace
}  // namespace dh
