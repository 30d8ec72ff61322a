#pragma once
// The teeth as a camera in front of the face sees them: two dental arches of individual teeth
// (incisors, canines, premolars, a first molar) with their projected widths, rounded biting
// corners, dark gaps between them, convex shading, a translucent biting edge and a gum line.
// Positions are in the head frame: inter-ocular distances (IOD) along the eye line from the
// midline (x) and downwards from the row's biting-edge baseline (y, positive down).
#include <opencv2/core.hpp>

#include <array>

namespace dh::render {

struct TeethStyle {
  cv::Vec3f enamel;     // BGR of a front tooth in full light
  cv::Vec3f gum;        // BGR of the gum
  cv::Vec3f cavity;     // BGR seen through the gaps and the translucent edge
  float pixelsPerUnit;  // px per IOD in this frame
  bool fineDetail;      // pro: per-tooth texture, incisal lobes, the enamel's sheen
};

struct ToothSample {
  float cover = 0.0f;  // 0..1, anti-aliased
  cv::Vec3f color;     // valid where cover > 0
};

class DentalArch {
 public:
  enum class Row { Upper, Lower };
  explicit DentalArch(Row row);

  // The tooth (or gum) at head-frame position (x, y) relative to the row's biting-edge baseline:
  // for the upper row y < 0 is toward the gum, for the lower row y > 0.
  ToothSample sample(float x, float y, const TeethStyle& style) const;

 private:
  struct Tooth {
    float width;        // IOD along the arch
    float edgeOffset;   // IOD the biting edge sits back from the baseline (toward the gum)
    float cornerRound;  // IOD the edge rises at the tooth's corners
    float cusp;         // IOD the edge rises from the cusp tip to the corners (canines, premolars)
    float crown;        // IOD from the biting edge to the gum line
  };
  static constexpr int kTeeth = 6;  // per side: central, lateral, canine, two premolars, molar
  Row row_;
  float radius_;  // IOD: the arch as a circle seen from the front
  std::array<Tooth, kTeeth> teeth_;
  std::array<float, kTeeth + 1> start_;  // arch length where each tooth begins
};

}  // namespace dh::render
