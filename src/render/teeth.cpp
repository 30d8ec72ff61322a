#include "render/teeth.h"

#include <algorithm>
#include <cmath>

namespace dh::render {
namespace {

float smoothstep(float e0, float e1, float x) {
  const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

// A fixed pseudo-random 0..1 for each tooth (index, side) and property (`salt`): real teeth
// are not all the same shade, length or angle.
float toothHash(int index, bool right, float salt) {
  const float h =
      std::sin(static_cast<float>(index) * 12.9898f + (right ? 78.233f : 3.71f) + salt * 37.719f);
  return h * 43758.5453f - std::floor(h * 43758.5453f);
}

}  // namespace

DentalArch::DentalArch(Row row) : row_(row) {
  // Widths along the arch from adult averages (central incisor 8.5 mm, about 0.135 of a 63 mm
  // inter-ocular distance). The lower arch sits inside the upper one and its incisors are
  // narrower.
  if (row == Row::Upper) {
    radius_ = 0.38f;
    teeth_ = {{{0.135f, 0.000f, 0.010f, 0.000f, 0.170f},
               {0.102f, 0.010f, 0.014f, 0.000f, 0.145f},
               {0.118f, 0.002f, 0.000f, 0.026f, 0.170f},
               {0.110f, 0.012f, 0.000f, 0.018f, 0.135f},
               {0.105f, 0.018f, 0.000f, 0.016f, 0.125f},
               {0.160f, 0.026f, 0.000f, 0.012f, 0.110f}}};
  } else {
    radius_ = 0.33f;
    teeth_ = {{{0.085f, 0.000f, 0.004f, 0.000f, 0.140f},
               {0.093f, 0.002f, 0.006f, 0.000f, 0.140f},
               {0.110f, 0.006f, 0.000f, 0.020f, 0.160f},
               {0.110f, 0.014f, 0.000f, 0.015f, 0.125f},
               {0.110f, 0.020f, 0.000f, 0.014f, 0.120f},
               {0.170f, 0.026f, 0.000f, 0.010f, 0.110f}}};
  }
  start_[0] = 0.0f;
  for (int i = 0; i < kTeeth; ++i) start_[i + 1] = start_[i] + teeth_[i].width;
}

ToothSample DentalArch::sample(float x, float y, const TeethStyle& style) const {
  ToothSample out;
  // How far this point is from the baseline toward the gum. Beyond every tooth's biting edge
  // (none reaches past the baseline by more than its irregularity) there is nothing to draw.
  const float v = row_ == Row::Upper ? -y : y;
  if (v < -0.006f - 0.5f / style.pixelsPerUnit) return out;
  const float ax = std::abs(x);
  if (ax >= 0.995f * radius_) return out;
  const float phi = std::asin(ax / radius_);
  const float s = radius_ * phi;  // arch length from the midline
  int i = 0;
  while (i < kTeeth && s >= start_[i + 1]) ++i;
  if (i >= kTeeth) return out;
  const Tooth& tooth = teeth_[i];
  const float local = (s - start_[i]) / tooth.width;  // 0 toward the midline .. 1 away
  const float c = 2.0f * local - 1.0f;                // -1 .. 1 across the tooth
  const float ac = std::abs(c);
  const float cosPhi = std::cos(phi);
  const float ppu = style.pixelsPerUnit;

  // Where the biting edge is: the teeth's edges rise along the arch (the smile arc), at rounded
  // corners and from cusp tips.
  const float corner = std::max(0.0f, ac - 0.5f) * 2.0f;
  const bool right = x > 0.0f;
  // Each tooth a little longer or shorter and tilted than its neighbour (about 0.3 mm).
  const float irregular =
      0.005f * (toothHash(i, right, 1.0f) - 0.5f) + 0.004f * (toothHash(i, right, 2.0f) - 0.5f) * c;
  const float edge = tooth.edgeOffset + 0.12f * s * s + tooth.cornerRound * corner * corner +
                     tooth.cusp * ac * std::sqrt(ac) + irregular;
  const float intoTooth = v - edge;
  out.cover = std::clamp(intoTooth * ppu + 0.5f, 0.0f, 1.0f);
  if (out.cover <= 0.0f) return out;

  // Light: front teeth face the camera and the light; along the arch they turn away and sit in
  // the cheeks' shadow. The lower row is in the upper row's shadow.
  float light = (0.35f + 0.65f * cosPhi * cosPhi) * (1.0f - 0.5f * smoothstep(0.1f, 0.45f, s));
  light *= 0.94f + 0.09f * toothHash(i, right, 0.0f);
  if (row_ == Row::Lower) light *= 0.72f;
  // Convex across: darker toward both sides of each tooth, a soft sheen off-centre.
  // Small teeth (a few pixels wide) show their relief only faintly, as a camera would.
  const float relief = smoothstep(5.0f, 16.0f, tooth.width * ppu);
  light *= 1.0f - (0.03f + 0.05f * relief) * c * c - (0.04f + 0.26f * relief) * c * c * c * c;
  if (i < 3) light *= 1.0f + 0.07f * std::exp(-(c + 0.25f) * (c + 0.25f) * 12.0f);
  cv::Vec3f color = style.enamel * light;

  if (style.fineDetail && i < 2) {
    // Incisal lobes: three faint vertical ridges toward the biting edge.
    const float lobes = 1.0f - smoothstep(0.0f, 0.06f, intoTooth);
    color *= 1.0f + 0.035f * lobes * std::cos(c * 3.0f * 3.14159f);
  }
  // Toward the gum the enamel is thinner and yellower.
  const float cervical = smoothstep(0.45f * tooth.crown, tooth.crown, intoTooth);
  color = cv::Vec3f(color[0] * (1.0f - 0.12f * cervical), color[1] * (1.0f - 0.04f * cervical),
                    color[2]);
  // The biting edge is translucent: the dark mouth shows through, a little blue.
  const float incisal = 1.0f - smoothstep(0.0f, 0.02f, intoTooth);
  if (incisal > 0.0f) {
    cv::Vec3f through = color * 0.55f + style.cavity * 0.45f;
    through[0] *= 1.12f;
    through[2] *= 0.94f;
    const float w = (i < 3 ? 0.55f : 0.3f) * incisal;
    color = color * (1.0f - w) + through * w;
  }
  // Dark gaps between neighbouring teeth: about a pixel, wider in the embrasure at the edge.
  const float fromSide = (1.0f - ac) * 0.5f * tooth.width * cosPhi * ppu;  // px to the boundary
  const float gapHalf = std::max(0.5f, 0.012f * tooth.width * ppu) *
                        (1.0f + 0.8f * (1.0f - smoothstep(0.0f, 0.03f, intoTooth)));
  const float strength = 0.08f + 0.37f * relief;
  const float gap = strength * std::exp(-(fromSide / gapHalf) * (fromSide / gapHalf));
  color = color * (1.0f - gap) + style.cavity * gap;

  // The gum above the crown: scalloped, reaching down between the teeth.
  const float gumLine = tooth.edgeOffset + 0.12f * s * s + tooth.crown - 0.04f * c * c;
  const float gum = std::clamp((v - gumLine) * ppu + 0.5f, 0.0f, 1.0f);
  if (gum > 0.0f) {
    const cv::Vec3f gumColor = style.gum * (0.6f + 0.4f * light);
    color = color * (1.0f - gum) + gumColor * gum;
  }
  out.color = color;
  return out;
}

}  // namespace dh::render
