#pragma once
// The synthesised mouth interior drawn where the lips part: a dark cavity lit from the front,
// the upper and lower teeth as individual teeth fixed to the skull and the jaw (see teeth.h),
// the tongue, and the wet inner edge of the lips. The teeth do not stretch with the lips: how much
// of them shows depends on where the lips are. The interior is softened to the photo's sharpness
// and carries its grain, so it does not look pasted.
#include <opencv2/core.hpp>

#include <vector>

#include "face/face_analysis.h"
#include "render/teeth.h"

namespace dh::render {

struct InteriorOptions {
  int curveSteps = 3;           // Catmull-Rom samples per inner-lip segment
  bool fineDetail = false;      // pro: per-tooth texture, tongue papillae
  float edgeSoftness = 0.6f;    // px of Gaussian softening of the lip edge
  float minGapPixels = 0.8f;    // below this the lips are treated as closed
  float photoBlurSigma = 0.0f;  // px: the photo's own softness, matched by the interior
};

// Where the mouth is in this frame.
struct MouthFrame {
  std::vector<cv::Point2f> innerLip;  // the 8 inner-lip points (60..67)
  cv::Point2f stomion;                // where the closed lips would meet at the midline, px
  cv::Point2f axis{1.0f, 0.0f};       // unit vector along the eye line
  float unit = 1.0f;                  // px per inter-ocular distance
  float jawDrop = 0.0f;               // IOD the chin has dropped from the closed pose
  float lipRound = 0.0f, lipSpread = 0.0f, lipTuck = 0.0f, tongueShow = 0.0f, smile = 0.0f;
};

class MouthInterior {
 public:
  MouthInterior(const face::FaceAnalysis& analysis, cv::Size frameSize,
                const InteriorOptions& options = {});

  // Draws into `frame` inside the inner-lip outline.
  void draw(const MouthFrame& mouth, cv::Mat& frame);

 private:
  void buildOutline(const std::vector<cv::Point2f>& innerLip);
  void drawSeam(const std::vector<cv::Point2f>& innerLip, float gap, float unit, cv::Mat& frame);
  void drawWetEdge(const MouthFrame& mouth, float gap, cv::Mat& frame);

  InteriorOptions options_;
  cv::Size frameSize_;
  cv::Vec3f cavity_, teeth_, tongue_, lip_, gum_;
  bool sourceOpen_ = false;  // the photo's lips were parted
  float grain_ = 0.0f;
  DentalArch upperArch_{DentalArch::Row::Upper}, lowerArch_{DentalArch::Row::Lower};
  cv::Mat noise_;   // CV_32F tile of unit grain, fixed seed
  cv::Mat alpha_;   // CV_8U scratch, frame-sized, used through views
  cv::Mat alphaF_;  // CV_32F scratch
  cv::Mat color_;   // CV_32FC3 scratch: the interior before it is blended in
  std::vector<cv::Point2f> outline_;
  std::vector<cv::Point> outlineFixed_;
  std::vector<float> top_, bottom_;  // per column of the mouth box: upper / lower lip edge y
};

}  // namespace dh::render
