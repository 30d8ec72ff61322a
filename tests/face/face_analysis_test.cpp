// Face analysis on the real shared portraits and the negatives: landmarks where a face has them,
// and task-failing reasons that say what is wrong with the photo.
#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "face/face_analysis.h"
#include "media/image_decoder.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh {
namespace {

cv::Mat loadImage(const std::string& relative) {
  return media::decodeImage(test::readData(relative));
}

// Runs analyzeFace and returns the ContentRejected message, failing the test otherwise.
std::string rejectionOf(const cv::Mat& image) {
  try {
    face::analyzeFace(image);
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::ContentRejected);
    EXPECT_EQ(e.field(), "image");
    return e.what();
  }
  ADD_FAILURE() << "the photo was accepted";
  return {};
}

class SharedFace : public ::testing::TestWithParam<std::string> {};

TEST_P(SharedFace, LandmarksSitOnTheFace) {
  const cv::Mat image = loadImage(GetParam());
  const face::FaceAnalysis a = face::analyzeFace(image);
  EXPECT_EQ(a.facesFound, 1);
  EXPECT_GE(a.box.width, 80);
  cv::Rect around = a.box;
  around.x -= a.box.width / 3, around.y -= a.box.height / 2;
  around.width += a.box.width * 2 / 3, around.height += a.box.height;
  for (const auto& p : a.landmarks) EXPECT_TRUE(around.contains(p)) << p;
  // Anatomical order from top to bottom: brows, eyes, nose tip, mouth, chin.
  const float browY = (a.landmarks[19].y + a.landmarks[24].y) / 2;
  const float eyeY =
      (face::eyeCenter(a.landmarks, true).y + face::eyeCenter(a.landmarks, false).y) / 2;
  EXPECT_LT(browY, eyeY);
  EXPECT_LT(eyeY, a.landmarks[30].y);
  EXPECT_LT(a.landmarks[30].y, a.landmarks[62].y);
  EXPECT_LT(a.landmarks[66].y, a.landmarks[8].y);
  // The eyes are the subject's right (36..41) on image left.
  EXPECT_LT(face::eyeCenter(a.landmarks, true).x, face::eyeCenter(a.landmarks, false).x);
  EXPECT_GT(a.interOcular, 0.3f * a.box.width);
  EXPECT_LT(a.interOcular, 0.7f * a.box.width);
  EXPECT_LT(std::abs(a.yawDegrees), 25.0f);
  EXPECT_LT(std::abs(a.rollDegrees), 15.0f);
  // Colours: skin and lips are measured, lips are redder than they are blue.
  EXPECT_GT(a.skinColor[2], 60.0f);
  EXPECT_GT(a.lipColor[2], a.lipColor[0]);
}

INSTANTIATE_TEST_SUITE_P(Faces, SharedFace, ::testing::ValuesIn(test::sharedFaces()),
                         [](const auto& p) { return "face" + std::to_string(p.index + 1); });

TEST(FaceAnalysis, SmilingAstronautShowsTeethAndGraceHopperHasAClosedMouth) {
  const face::FaceAnalysis smiling =
      face::analyzeFace(loadImage("faces/01_astronaut_eileen_collins.png"));
  EXPECT_EQ(smiling.mouth, face::MouthState::Open);
  EXPECT_TRUE(smiling.teethVisible);
  // Measured teeth are light and nearly grey.
  EXPECT_GT(smiling.teethColor[0] + smiling.teethColor[1] + smiling.teethColor[2], 3 * 150.0f);

  const face::FaceAnalysis closed = face::analyzeFace(loadImage("faces/02_grace_hopper.jpg"));
  EXPECT_EQ(closed.mouth, face::MouthState::Closed);
  EXPECT_FALSE(closed.teethVisible);
}

TEST(FaceAnalysis, CatPhotoHasNoFace) {
  EXPECT_NE(rejectionOf(loadImage("negatives/noface_cat_chelsea.png")).find("no face found"),
            std::string::npos);
}

TEST(FaceAnalysis, ProfilePhotoIsTurnedTooFar) {
  EXPECT_NE(rejectionOf(loadImage("negatives/profile_cameraman.png")).find("turned too far"),
            std::string::npos);
}

TEST(FaceAnalysis, ThreeFacePhotoUsesTheLargestFace) {
  const cv::Mat image = loadImage("negatives/multiface_faceapi_sample3.jpg");
  const std::vector<cv::Rect> faces = face::detectFaces(image);
  ASSERT_EQ(faces.size(), 3u);
  const face::FaceAnalysis a = face::analyzeFace(image);
  EXPECT_EQ(a.facesFound, 3);
  EXPECT_EQ(a.box, faces.front());
  for (size_t i = 1; i < faces.size(); ++i) {
    EXPECT_GT(a.box.area(), faces[i].area());
    EXPECT_EQ((a.box & faces[i]).area(), 0) << "the chosen face overlaps another";
  }
  // The landmarks belong to the chosen face.
  for (const auto& p : a.landmarks) {
    EXPECT_TRUE(cv::Rect(a.box.x - a.box.width / 2, a.box.y - a.box.height / 2, a.box.width * 2,
                         a.box.height * 2)
                    .contains(p));
  }
}

TEST(FaceAnalysis, SmallFaceIsRejectedWithItsSize) {
  // Grace Hopper's portrait shrunk to a quarter: the face is found but too small to animate.
  const cv::Mat image = loadImage("faces/02_grace_hopper.jpg");
  cv::Mat small;
  cv::resize(image, small, cv::Size(), 0.27, 0.27, cv::INTER_AREA);
  const std::string message = rejectionOf(small);
  EXPECT_NE(message.find("px wide; it must be at least 80 px"), std::string::npos) << message;
}

TEST(FaceAnalysis, FittingInAKnownBoxReproducesTheLandmarks) {
  const cv::Mat image = loadImage("faces/03_faceapi_sample3_crop_c.jpg");
  const face::FaceAnalysis a = face::analyzeFace(image);
  const face::Landmarks again = face::fitLandmarks(image, a.box);
  for (int i = 0; i < face::kLandmarkCount; ++i) {
    EXPECT_LT(cv::norm(again[i] - a.landmarks[i]), 0.5) << i;
  }
}

// Through the `dh` program: each negative fails with exit status 1 and its own reason.
struct Negative {
  const char* image;
  const char* reason;
};

void PrintTo(const Negative& n, std::ostream* os) {
  *os << n.image;
}

class NegativeRender : public ::testing::TestWithParam<Negative> {};

TEST_P(NegativeRender, FailsWithItsReason) {
  const std::string out = test::scratchDir() + "/out.mp4";
  const test::ProcessResult r = test::runProcess(
      {test::dhBinary(), "render", "--image", test::dataPath(GetParam().image), "--audio",
       test::dataPath("speech/en_m_librivox_0870.wav"), "--progress", "none", "-o", out});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(GetParam().reason), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

INSTANTIATE_TEST_SUITE_P(
    Negatives, NegativeRender,
    ::testing::Values(Negative{"negatives/noface_cat_chelsea.png", "no face found"},
                      Negative{"negatives/profile_cameraman.png", "turned too far"}),
    [](const auto& p) { return p.index == 0 ? std::string("cat") : std::string("profile"); });

}  // namespace
}  // namespace dh
