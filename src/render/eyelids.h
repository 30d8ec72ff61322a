#pragma once
// Closing eyelids. The warp brings the upper lid down, but what it stretches over the eye is the
// lash line and the lid's fold; this paints the lowered lid with the skin found at the crease in
// the same frame, fading in from the crease, with a thin lash line at its edge.
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
  Eyelids(const animate::FaceRig& rig, cv::Vec3f skin, float grainSigma);

  // `points`: the rig's control points for this frame; `blink` 0 open .. 1 closed.
  void draw(const std::vector<cv::Point2f>& points, float blink, cv::Mat& frame);

 private:
  struct Eye {
    std::array<int, 4> upper;   // control points of the upper lid, corner to corner
    std::array<int, 4> crease;  // corner, two creases, corner
  };
  void drawEye(const Eye& eye, const std::vector<cv::Point2f>& points, float amount,
               cv::Mat& frame);

  std::array<Eye, 2> eyes_;
  cv::Vec3f skin_;
  float grain_;
  cv::Mat noise_;
  std::vector<cv::Vec3f> column_;  // lid colour per column, scratch
  std::vector<cv::Vec3f> smooth_;  // scratch
  std::vector<cv::Point2f> upperCurve_, creaseCurve_;
};

}  // namespace dh::render
