#pragma once
// The gaze: moves each iris across its eye by the frame's gaze angles. The iris (with the pupil)
// is found in the photo once; where it leaves, the white of the eye is filled in from the rest of
// its row; the catchlight (the reflection of the light) stays with the light: it travels only a
// small part of the iris's way, as a reflection on the turning cornea does.
#include <opencv2/core.hpp>

#include <array>
#include <vector>

#include "face/face_analysis.h"

namespace dh::render {

struct GazeOptions {
  float eyeballRadius = 0.19f;  // IOD: radius of the eyeball (12 mm of a 63 mm IOD)
  float irisRadius = 0.21f;     // eye widths: the iris's radius (11.7 mm across a 28 mm eye)
  float minDegrees = 0.3f;      // below this the eyes are left as the warp drew them
};

class EyeGaze {
 public:
  // `photo`: the still at the output size; `landmarks`: its 68 points in the same pixels.
  EyeGaze(const cv::Mat& photo, const face::Landmarks& landmarks, float interOcular,
          const GazeOptions& options = {});

  // `points`: this frame's control points (the 68 landmarks first); angles in degrees, yaw
  // positive to image right, pitch positive down.
  void draw(const std::vector<cv::Point2f>& points, float yawDegrees, float pitchDegrees,
            cv::Mat& frame);

  // Where the iris was found in the photo (for tests and diagnostics).
  cv::Point2f irisCenter(int eye) const { return eyes_[eye].iris; }
  float irisRadius(int eye) const { return eyes_[eye].radius; }

 private:
  struct Eye {
    int first = 36;    // landmark index of the eye's outer-left corner
    cv::Rect box;      // photo pixels around the eye
    cv::Point2f iris;  // photo pixels
    float radius = 1.0f;
    cv::Mat background;  // CV_32FC3, box-sized: the eye with the iris painted out
    cv::Mat irisLayer;   // CV_32FC3, box-sized: the photo with the catchlight painted out
    cv::Mat catchlight;  // CV_32F, box-sized: where the catchlight is, 0..1
    cv::Mat irisAlpha;   // CV_32F, box-sized: the iris disc where the eye is open in the photo
    cv::Mat photo;       // CV_32FC3, box-sized copy of the photo
  };
  void prepare(Eye& eye, const cv::Mat& photo, const face::Landmarks& lm);
  void drawEye(const Eye& eye, const std::vector<cv::Point2f>& points, cv::Point2f shift,
               cv::Mat& frame);

  GazeOptions options_;
  float unit_ = 1.0f;
  std::array<Eye, 2> eyes_;
  std::vector<cv::Point2f> sourceCorners_;  // 36, 39, 42, 45 in the photo
};

}  // namespace dh::render
