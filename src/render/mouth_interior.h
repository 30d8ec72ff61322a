#pragma once
// The synthesised mouth interior drawn where the lips part: a dark cavity shaded toward the
// back, upper teeth under the upper lip, lower teeth when wide open, and the tongue. Edges are
// anti-aliased and the result carries the photo's grain, so it does not look pasted.
#include <opencv2/core.hpp>

#include <vector>

#include "face/face_analysis.h"

namespace dh::render {

struct InteriorOptions {
  int curveSteps = 3;         // Catmull-Rom samples per inner-lip segment
  bool toothGaps = false;     // faint gaps between the front teeth (pro)
  float edgeSoftness = 0.6f;  // px of Gaussian softening of the lip edge
  float minGapPixels = 0.8f;  // below this the lips are treated as closed
};

class MouthInterior {
 public:
  MouthInterior(const face::FaceAnalysis& analysis, cv::Size frameSize,
                const InteriorOptions& options = {});

  // `innerLip`: the 8 inner-lip points (60..67) where they are in this frame; `unit`: IOD px.
  // Draws into `frame` inside the inner-lip outline.
  void draw(const std::vector<cv::Point2f>& innerLip, float tongueShow, float unit, cv::Mat& frame);

 private:
  void buildOutline(const std::vector<cv::Point2f>& innerLip);
  void drawSeam(const std::vector<cv::Point2f>& innerLip, float gap, float unit, cv::Mat& frame);

  InteriorOptions options_;
  cv::Size frameSize_;
  cv::Vec3f cavity_, teeth_, tongue_, lip_;
  bool sourceOpen_ = false;  // the photo's lips were parted
  float grain_ = 0.0f;
  cv::Mat noise_;   // CV_32F tile of unit grain, fixed seed
  cv::Mat alpha_;   // CV_8U scratch, frame-sized, used through views
  cv::Mat alphaF_;  // CV_32F scratch
  std::vector<cv::Point2f> outline_;
  std::vector<cv::Point> outlineFixed_;
  std::vector<float> top_, bottom_;  // per column of the mouth box: upper / lower lip edge y
};

}  // namespace dh::render
