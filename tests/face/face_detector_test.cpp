// The face library's detector is deserialised from bytes embedded at build time; it must find
// exactly what dlib::get_frontal_face_detector() finds (boxes, sub-detector and score).
#include <gtest/gtest.h>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>

#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "face/face_detector.h"
#include "media/image_decoder.h"
#include "support/test_paths.h"

namespace dh {
namespace {

// Below zero so that near misses and side-looking sub-detectors are compared too.
constexpr double kAdjustThreshold = -0.6;

std::vector<dlib::rect_detection> detect(dlib::frontal_face_detector& detector,
                                         const cv::Mat& gray) {
  dlib::cv_image<unsigned char> view(gray);
  std::vector<dlib::rect_detection> found;
  detector(view, found, kAdjustThreshold);
  return found;
}

class EmbeddedDetector : public ::testing::TestWithParam<std::string> {};

TEST_P(EmbeddedDetector, FindsTheSameFacesAsDlib) {
  const cv::Mat bgr = media::decodeImage(test::readData(GetParam()));
  cv::Mat gray = bgr;
  if (bgr.channels() == 3) cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  dlib::frontal_face_detector reference = dlib::get_frontal_face_detector();
  const std::vector<dlib::rect_detection> expected = detect(reference, gray);
  ASSERT_FALSE(expected.empty()) << "dlib finds nothing in " << GetParam();

  dlib::frontal_face_detector embedded = face::frontalFaceDetector();
  const std::vector<dlib::rect_detection> found = detect(embedded, gray);
  ASSERT_EQ(found.size(), expected.size());
  for (size_t i = 0; i < found.size(); ++i) {
    EXPECT_EQ(found[i].rect, expected[i].rect) << "detection " << i;
    EXPECT_EQ(found[i].weight_index, expected[i].weight_index) << "detection " << i;
    EXPECT_EQ(found[i].detection_confidence, expected[i].detection_confidence) << "detection " << i;
  }
  // A second copy of the prototype is just as good (the first one's scratch state is its own).
  dlib::frontal_face_detector again = face::frontalFaceDetector();
  EXPECT_EQ(detect(again, gray).size(), expected.size());
}

INSTANTIATE_TEST_SUITE_P(Photos, EmbeddedDetector,
                         ::testing::Values("faces/01_astronaut_eileen_collins.png",
                                           "faces/02_grace_hopper.jpg",
                                           "faces/03_faceapi_sample3_crop_c.jpg",
                                           "negatives/multiface_faceapi_sample3.jpg",
                                           "negatives/profile_cameraman.png"),
                         [](const auto& p) { return "photo" + std::to_string(p.index + 1); });

}  // namespace
}  // namespace dh
