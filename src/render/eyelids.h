#pragma once
// Closing eyelids. The warp brings the upper lid down, but what it stretches over the eye is the
// lash line and the lid's fold; this paints the lowered lid with the person's own upper-lid skin
// from the photo (between the crease and the lashes, behind glasses seen through them), stretched
// down to the closed lid's edge, with the lash line along it.
#include <opencv2/core.hpp>

#include <array>
#include <vector>

#include "animate/face_rig.h"

namespace dh::render {

// Gives unit Gaussian grain a slight spatial correlation, as resampled photos have.
void softenGrain(cv::Mat& noise);

class Eyelids {
 public:
  // `photo`: the still (kept by reference, it must outlive this); `skin`: the face's skin colour
  // (BGR); `grainSigma`: the photo's grain at this size.
  Eyelids(const animate::FaceRig& rig, const cv::Mat& photo, cv::Vec3f skin, float grainSigma);

  // `points`: the rig's control points for this frame; `blink` 0 open .. 1 closed.
  void draw(const std::vector<cv::Point2f>& points, float blink, cv::Mat& frame);

 private:
  struct Eye {
    std::array<int, 4> upper;   // control points of the upper lid, corner to corner
    std::array<int, 4> crease;  // corner, two creases, corner
    std::vector<cv::Point2f> sourceUpper, sourceCrease;  // both curves in the photo
    float skinStart = 0.0f;  // 0..1 from the crease to the lid: where clear skin begins
  };
  void drawEye(const Eye& eye, const std::vector<cv::Point2f>& points, float amount,
               cv::Mat& frame);

  cv::Mat photo_;
  cv::Mat photoLow_;  // the photo blurred around the eyes: the skin's shading without its texture
  std::array<Eye, 2> eyes_;
  cv::Vec3f skin_;
  float grain_;
  cv::Mat noise_;
  std::vector<cv::Point2f> upperCurve_, creaseCurve_;
};

}  // namespace dh::render
