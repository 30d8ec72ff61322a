#pragma once
// Closing eyelids. The warp brings the upper lid down, but what it stretches over the eye is the
// lash line and the lid's fold; this paints the lowered lid with the lid skin found just below
// the crease in the photo, fading in from the crease, with a thin lash line at its edge.
#include <opencv2/core.hpp>

#include <array>
#include <vector>

#include "animate/face_rig.h"

namespace dh::render {

// Gives unit Gaussian grain a slight spatial correlation, as resampled photos have.
void softenGrain(cv::Mat& noise);

class Eyelids {
 public:
  // `skin`: the face's skin colour (BGR); `grainSigma`: the photo's grain at this size.
  Eyelids(const cv::Mat& photo, const animate::FaceRig& rig, cv::Vec3f skin, float grainSigma);

  // `points`: the rig's control points for this frame; `blink` 0 open .. 1 closed.
  void draw(const std::vector<cv::Point2f>& points, float blink, cv::Mat& frame);

 private:
  struct Eye {
    std::array<int, 4> upper;   // control points of the upper lid, corner to corner
    std::array<int, 4> crease;  // corner, two creases, corner
    std::array<int, 2> lower;   // the two lower-lid landmarks
  };
  void drawEye(const Eye& eye, const std::vector<cv::Point2f>& points, float amount,
               cv::Mat& frame);

  cv::Mat photo_;
  std::vector<cv::Point2f> source_;
  std::array<Eye, 2> eyes_;
  cv::Vec3f skin_;
  float grain_;
  cv::Mat noise_;
  std::vector<cv::Vec3f> column_;  // lid colour per column, scratch
  std::vector<cv::Vec3f> smooth_;  // scratch
  std::vector<cv::Point2f> upperCurve_, creaseCurve_;
};

}  // namespace dh::render
