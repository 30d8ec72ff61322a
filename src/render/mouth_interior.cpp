#include "render/mouth_interior.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "render/eyelids.h"

namespace dh::render {
namespace {

// Teeth in the mouth's shade: darker, and warmer as they go darker (the light that reaches them
// has bounced off the lips and the inside of the mouth), instead of the olive grey that ivory
// scaled down evenly reads as next to red lips. `light` 1 leaves the colour as it is.
cv::Vec3f warmShade(const cv::Vec3f& bgr, float light) {
  const float l = std::clamp(light, 0.0f, 1.0f);
  return cv::Vec3f(bgr[0] * std::pow(l, 1.45f), bgr[1] * std::pow(l, 1.22f), bgr[2] * l);
}

constexpr int kNoiseTile = 64;
constexpr int kFixedShift = 4;  // fillPoly sub-pixel bits

cv::Point2f catmull(const cv::Point2f& a, const cv::Point2f& b, const cv::Point2f& c,
                    const cv::Point2f& d, float t) {
  const float t2 = t * t, t3 = t2 * t;
  return 0.5f * ((2.0f * b) + (-a + c) * t + (2.0f * a - 5.0f * b + 4.0f * c - d) * t2 +
                 (-a + 3.0f * b - 3.0f * c + d) * t3);
}

float smoothstep(float e0, float e1, float x) {
  const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

// y of the polyline through `idx` points of `lip` at `x` (points ordered by x).
float chainY(const std::vector<cv::Point2f>& lip, std::initializer_list<int> idx, float x) {
  const cv::Point2f* prev = nullptr;
  for (int i : idx) {
    const cv::Point2f& p = lip[i];
    if (prev && x <= p.x) {
      const float span = std::max(1e-3f, p.x - prev->x);
      return prev->y + (x - prev->x) / span * (p.y - prev->y);
    }
    prev = &p;
  }
  return prev->y;
}

}  // namespace

MouthInterior::MouthInterior(const face::FaceAnalysis& a, cv::Size frameSize,
                             const InteriorOptions& options)
    : options_(options), frameSize_(frameSize) {
  sourceOpen_ = a.mouth == face::MouthState::Open;
  lip_ = a.lipColor;
  // Cavity: the lip colour taken far down in lightness (dark red-brown, never black); tongue:
  // the lip colour a little lighter and pinker; gum: between the two.
  cavity_ = a.lipColor * 0.22f;
  tongue_ = a.lipColor * 0.95f + cv::Vec3f(4.0f, 4.0f, 12.0f);
  gum_ = a.lipColor * 1.05f + cv::Vec3f(6.0f, 6.0f, 10.0f);
  teeth_ = a.teethColor;
  grain_ = std::max(0.8f, a.grainSigma);
  noise_.create(kNoiseTile, kNoiseTile, CV_32F);
  cv::RNG rng(0x5eed);
  rng.fill(noise_, cv::RNG::NORMAL, 0.0, 1.0);
  softenGrain(noise_);
  alpha_.create(frameSize, CV_8U);
  alphaF_.create(frameSize, CV_32F);
  color_.create(frameSize, CV_32FC3);
}

void MouthInterior::buildOutline(const std::vector<cv::Point2f>& p) {
  outline_.clear();
  const int n = static_cast<int>(p.size());
  for (int i = 0; i < n; ++i) {
    const cv::Point2f& a = p[(i + n - 1) % n];
    const cv::Point2f& b = p[i];
    const cv::Point2f& c = p[(i + 1) % n];
    const cv::Point2f& d = p[(i + 2) % n];
    for (int s = 0; s < options_.curveSteps; ++s) {
      outline_.push_back(catmull(a, b, c, d, static_cast<float>(s) / options_.curveSteps));
    }
  }
  outlineFixed_.clear();
  for (const auto& q : outline_) {
    outlineFixed_.emplace_back(cvRound(q.x * (1 << kFixedShift)),
                               cvRound(q.y * (1 << kFixedShift)));
  }
}

void MouthInterior::draw(const MouthFrame& m, cv::Mat& frame) {
  const std::vector<cv::Point2f>& lip = m.innerLip;
  const float unit = m.unit;
  const float gap =
      (cv::norm(lip[1] - lip[7]) + cv::norm(lip[2] - lip[6]) + cv::norm(lip[3] - lip[5])) / 3.0f;
  if (sourceOpen_) drawSeam(lip, gap, unit, frame);
  if (gap < options_.minGapPixels) return;
  buildOutline(lip);
  cv::Rect box = cv::boundingRect(outline_);
  const int margin = 2 + static_cast<int>(std::ceil(0.04f * unit));  // room for the wet edge
  box.x -= 2, box.y -= 2, box.width += 4, box.height += 2 + margin;
  box &= cv::Rect(0, 0, frameSize_.width, frameSize_.height);
  if (box.width < 2 || box.height < 2) return;

  // Coverage: anti-aliased polygon, softened a little.
  cv::Mat alpha = alpha_(box);
  alpha.setTo(0);
  std::vector<cv::Point> shifted(outlineFixed_);
  for (auto& q : shifted) q -= cv::Point(box.x << kFixedShift, box.y << kFixedShift);
  const cv::Point* pts = shifted.data();
  const int count = static_cast<int>(shifted.size());
  cv::fillPoly(alpha, &pts, &count, 1, cv::Scalar(255), cv::LINE_AA, kFixedShift);
  cv::Mat alphaF = alphaF_(box);
  alpha.convertTo(alphaF, CV_32F, 1.0 / 255.0);
  if (options_.edgeSoftness > 0.0f) {
    // Isolated: the scratch buffer around the box holds earlier frames.
    cv::GaussianBlur(alphaF, alphaF, cv::Size(0, 0), options_.edgeSoftness, 0.0,
                     cv::BORDER_REPLICATE | cv::BORDER_ISOLATED);
  }

  // Upper and lower lip edge per column, from the outline's two chains.
  const int half = 4 * options_.curveSteps;  // outline index of point 64
  top_.assign(box.width, 1e9f);
  bottom_.assign(box.width, -1e9f);
  const int n = static_cast<int>(outline_.size());
  for (int i = 0; i < n; ++i) {
    const cv::Point2f a = outline_[i] - cv::Point2f(box.tl());
    const cv::Point2f b = outline_[(i + 1) % n] - cv::Point2f(box.tl());
    const bool upper = i < half;
    const int xa = static_cast<int>(std::ceil(std::min(a.x, b.x)));
    const int xb = static_cast<int>(std::floor(std::max(a.x, b.x)));
    for (int x = std::max(0, xa); x <= std::min(box.width - 1, xb); ++x) {
      const float t = std::abs(b.x - a.x) < 1e-4f ? 0.0f : (x - a.x) / (b.x - a.x);
      const float y = a.y + t * (b.y - a.y);
      if (upper)
        top_[x] = std::min(top_[x], y);
      else
        bottom_[x] = std::max(bottom_[x], y);
    }
  }

  const cv::Point2f left = lip[0] - cv::Point2f(box.tl());
  const cv::Point2f right = lip[4] - cv::Point2f(box.tl());
  const float centerX = 0.5f * (left.x + right.x);
  const float halfWidth = std::max(1.0f, 0.5f * (right.x - left.x));
  const float round = std::clamp(m.lipRound, 0.0f, 1.0f);
  const float tuck = std::clamp(m.lipTuck, 0.0f, 1.0f);
  const float rise = std::clamp(m.tongueShow, 0.0f, 1.0f);
  const float spread = std::clamp(m.lipSpread, 0.0f, 1.0f);
  const float gapUnits = gap / unit;
  // Little light gets into a narrow opening (spread lips let in more; for f, v the teeth are out
  // on the lower lip), and pursed lips hold the teeth further back.
  const float inside =
      (0.5f + 0.5f * smoothstep(0.03f, 0.17f, gapUnits + 0.06f * spread + 0.1f * tuck)) *
      (1.0f - 0.35f * round);
  // The upper teeth's biting edge just below where the closed lips meet (on the lower lip for f,
  // v; in a smile the lower lip follows it, and they show down to it); the lower teeth behind,
  // travelling with the jaw. Lips just parted and relaxed still hang over the teeth's edges: the
  // slit shows mostly dark, as real speakers' does.
  const float hang =
      0.022f * (1.0f - smoothstep(0.04f, 0.13f, gapUnits)) * (1.0f - spread) * (1.0f - tuck);
  const float upperBase = 0.028f - 0.01f * tuck + 0.025f * std::clamp(m.smile, 0.0f, 1.0f) - hang;
  const float lowerBase = upperBase + hang - 0.03f + 0.8f * std::max(0.0f, m.jawDrop);
  // The tongue rests behind the lower teeth; for t, d, n, l its tip rises toward the upper teeth,
  // for th it shows between them.
  const float tongueFront = smoothstep(0.55f, 0.9f, rise);
  TeethStyle style{teeth_, gum_, cavity_, unit, options_.fineDetail};
  const cv::Point2f origin = m.stomion - cv::Point2f(box.tl());
  const float ax = m.axis.x, ay = m.axis.y, inv = 1.0f / unit;
  // The upper lip's shadow on the teeth: deeper in a narrow opening.
  const float lipShadow = 0.03f * unit;
  const float shadowFloor = 0.5f + 0.25f * smoothstep(0.04f, 0.14f, gapUnits);
  // The teeth's light: the opening's, less behind pursed lips.
  const float teethLight = inside * (1.0f - 0.4f * round);
  const float papillae = options_.fineDetail ? 0.09f : 0.05f;

  for (int y = 0; y < box.height; ++y) {
    const float* al = alphaF.ptr<float>(y);
    auto* out = color_.ptr<cv::Vec3f>(y + box.y) + box.x;
    const float* noise = noise_.ptr<float>((y + box.y) % kNoiseTile);
    for (int x = 0; x < box.width; ++x) {
      if (al[x] <= 0.002f) {
        out[x] = cavity_;
        continue;
      }
      const float top = top_[x] < 1e8f ? top_[x] : 0.0f;
      const float bottom = bottom_[x] > -1e8f ? bottom_[x] : static_cast<float>(box.height);
      const float u = (x - centerX) / halfWidth;  // -1 .. 1 corner to corner
      const float side = std::clamp(1.0f - u * u, 0.0f, 1.0f);
      const float h = std::max(1.0f, bottom - top);
      const float v = std::clamp((y - top) / h, 0.0f, 1.0f);  // upper lip .. lower lip
      // Head frame: IOD along the eye line from the midline, and down from the lips' meeting.
      const float dx = (x - origin.x) * inv, dy = (y - origin.y) * inv;
      const float hx = dx * ax + dy * ay;
      const float hy = -dx * ay + dy * ax;

      // Cavity: lit from the front, so lighter near the lips and darkest at the back.
      const float depth = side * std::sin(v * 3.14159f);
      cv::Vec3f c = cavity_ * ((1.35f - 0.75f * depth) * (0.35f + 0.85f * inside));

      // Tongue: a rounded hump dropping toward the sides, its tip rising for t, d, n, l, th.
      const float tip = std::exp(-hx * hx * 60.0f);
      const float restTop = lowerBase - 0.07f + 1.2f * hx * hx;
      const float tongueTop = restTop + (upperBase - 0.006f - restTop) * rise * tip;
      const float tongueCover = std::clamp((hy - tongueTop) * unit + 0.5f, 0.0f, 1.0f) *
                                std::clamp((0.3f - std::abs(hx)) * unit * 0.3f, 0.0f, 1.0f);
      cv::Vec3f tongue;
      if (tongueCover > 0.0f) {
        // Its back (the top of what shows) recedes into the dark; the tip faces the light.
        const float front = smoothstep(0.0f, 0.09f, hy - tongueTop);
        const float groove = 1.0f - 0.14f * std::exp(-hx * hx * 2500.0f) * (1.0f - tip * rise);
        // Between the teeth (th) the tip is out in the light at the lips.
        const float lit = inside + (1.0f - inside) * 0.8f * tongueFront;
        // Rounded across (darker toward its sides), wet: a soft sheen just below its crest.
        const float rounded = std::max(0.6f, 1.0f - 3.0f * hx * hx);
        const float below = (hy - tongueTop - 0.018f) / 0.012f;
        const float sheen = 0.12f * std::exp(-below * below - hx * hx * 40.0f);
        tongue = tongue_ * ((0.5f + 0.4f * front + 0.2f * tongueFront) * groove * rounded * lit *
                            (1.0f + papillae * noise[(x + box.x + 17) % kNoiseTile])) +
                 cv::Vec3f(255.0f, 255.0f, 255.0f) * (sheen * lit);
        c = c * (1.0f - tongueCover * (1.0f - tongueFront)) +
            tongue * (tongueCover * (1.0f - tongueFront));
      }
      const ToothSample lower = lowerArch_.sample(hx, hy - lowerBase, style);
      if (lower.cover > 0.0f) {
        c = c * (1.0f - lower.cover) + warmShade(lower.color, teethLight) * lower.cover;
      }
      if (tongueCover > 0.0f && tongueFront > 0.0f) {
        const float w = tongueCover * tongueFront;
        c = c * (1.0f - w) + tongue * w;
      }
      const ToothSample upper = upperArch_.sample(hx, hy - upperBase, style);
      if (upper.cover > 0.0f) {
        // The upper lip's shadow across the top of the teeth.
        const float shade = shadowFloor + (1.0f - shadowFloor) * smoothstep(top, top + lipShadow,
                                                                            static_cast<float>(y));
        c = c * (1.0f - upper.cover) + warmShade(upper.color, shade * teethLight) * upper.cover;
      }
      if (tongueCover > 0.0f && tongueFront > 0.0f) {
        // th: the tip pushes out between the teeth, over the upper teeth's biting edge.
        const float over = std::clamp((hy - upperBase + 0.012f) * unit + 0.5f, 0.0f, 1.0f);
        const float w = tongueCover * tongueFront * over * tip;
        c = c * (1.0f - w) + tongue * w;
      }
      out[x] = c;
    }
  }

  cv::Mat color = color_(box);
  const float blur =
      std::sqrt(std::max(0.0f, options_.photoBlurSigma * options_.photoBlurSigma - 0.25f));
  if (blur > 0.3f) {
    cv::GaussianBlur(color, color, cv::Size(0, 0), blur, 0.0,
                     cv::BORDER_REPLICATE | cv::BORDER_ISOLATED);
  }

  for (int y = 0; y < box.height; ++y) {
    const float* al = alphaF.ptr<float>(y);
    const cv::Vec3f* in = color.ptr<cv::Vec3f>(y);
    auto* px = frame.ptr<cv::Vec3b>(y + box.y) + box.x;
    const float* noise = noise_.ptr<float>((y + box.y) % kNoiseTile);
    for (int x = 0; x < box.width; ++x) {
      const float a = al[x];
      if (a <= 0.002f) continue;
      const cv::Vec3f& c = in[x];
      // Grain like the photo's, weaker in the dark as a camera's would be. (The photo's grain is
      // measured on skin, where pores and wrinkles add to it: inside the mouth a part of it is
      // enough.)
      const float light = (c[0] + c[1] + c[2]) / 3.0f;
      const float g = 0.6f * grain_ * std::sqrt(std::min(1.0f, light / 128.0f)) *
                      noise[(x + box.x) % kNoiseTile];
      for (int k = 0; k < 3; ++k) {
        const float value = std::clamp(c[k] + g, 0.0f, 255.0f);
        px[x][k] = static_cast<uint8_t>(std::lround(a * value + (1.0f - a) * px[x][k]));
      }
    }
  }
  drawWetEdge(m, gap, frame);
}

void MouthInterior::drawWetEdge(const MouthFrame& m, float gap, cv::Mat& frame) {
  // The lower lip's inner edge is wet: a soft highlight just below the opening, strongest in the
  // middle, fading as the lips close (the photo's own lips take over).
  const float strength = 0.16f * smoothstep(0.01f * m.unit, 0.05f * m.unit, gap);
  if (strength <= 0.0f) return;
  const float x0 = m.innerLip[0].x, x1 = m.innerLip[4].x;
  const float halfWidth = std::max(1.0f, 0.5f * (x1 - x0)), centerX = 0.5f * (x0 + x1);
  const float offset = 0.014f * m.unit, width = std::max(0.8f, 0.008f * m.unit);
  for (int x = std::max(0, cvCeil(x0)); x <= std::min(frame.cols - 1, cvFloor(x1)); ++x) {
    const float u = (x - centerX) / halfWidth;
    const float along = std::clamp(1.0f - u * u * 1.3f, 0.0f, 1.0f);
    if (along <= 0.0f) continue;
    // The lower lip's edge at this column, from the inner-lip chain 64..67, 60.
    const float edge = chainY(m.innerLip, {0, 7, 6, 5, 4}, static_cast<float>(x));
    const int y0 = std::max(0, cvFloor(edge));
    const int y1 = std::min(frame.rows - 1, cvCeil(edge + offset + 3.0f * width));
    for (int y = y0; y <= y1; ++y) {
      const float d = (y - edge - offset) / width;
      const float sparkle = 1.0f + 0.2f * noise_.at<float>(y % kNoiseTile, x % kNoiseTile);
      const float w = strength * along * std::exp(-d * d) * sparkle;
      if (w <= 0.004f) continue;
      auto& px = frame.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) {
        px[k] = static_cast<uint8_t>(std::lround(px[k] + w * (255.0f - px[k])));
      }
    }
  }
}

void MouthInterior::drawSeam(const std::vector<cv::Point2f>& lip, float gap, float unit,
                             cv::Mat& frame) {
  // A photo taken with parted lips still shows a sliver of teeth where the warped lips meet.
  // While the mouth is (nearly) closed, cover it with lip colour and draw the lips' seam.
  const float strength = 1.0f - smoothstep(0.02f * unit, 0.07f * unit, gap);
  if (strength <= 0.0f) return;
  const float x0 = lip[0].x, x1 = lip[4].x;
  if (x1 - x0 < 4.0f) return;
  const float halfWidth = 0.5f * (x1 - x0), centerX = 0.5f * (x0 + x1);
  const float band = std::max(1.5f, 0.04f * unit);
  const cv::Vec3f upperLip = lip_ * 0.9f, lowerLip = lip_, seam = lip_ * 0.6f;
  for (int x = std::max(0, static_cast<int>(std::ceil(x0)));
       x <= std::min(frame.cols - 1, static_cast<int>(x1)); ++x) {
    const float fx = static_cast<float>(x);
    const float u = (fx - centerX) / halfWidth;
    const float side = std::sqrt(std::clamp(1.0f - u * u, 0.0f, 1.0f));
    const float top = chainY(lip, {0, 1, 2, 3, 4}, fx);
    const float bottom = chainY(lip, {0, 7, 6, 5, 4}, fx);
    const float mid = 0.5f * (top + bottom);
    const float h = band * (0.9f + 0.3f * side) + 0.5f * (bottom - top);
    // The source's teeth often show below the landmarks' inner lip line (a smile's lower
    // edge is hard to place), so the cover reaches further down than up.
    const float below = 1.6f * h;
    const int y0 = std::max(0, static_cast<int>(std::floor(mid - h)));
    const int y1 = std::min(frame.rows - 1, static_cast<int>(std::ceil(mid + below)));
    for (int y = y0; y <= y1; ++y) {
      const float offset = static_cast<float>(y) - mid;
      const float d = offset < 0 ? offset / h : offset / below;  // -1 .. 1
      const float a =
          strength * (1.0f - smoothstep(0.5f, 1.0f, std::abs(d))) * (0.8f + 0.2f * side);
      if (a <= 0.002f) continue;
      cv::Vec3f c = d < 0 ? upperLip : lowerLip;
      const float seamWeight = 0.6f * (1.0f - smoothstep(0.2f, 1.6f, std::abs(offset)));
      c = c * (1.0f - seamWeight) + seam * seamWeight;
      auto& px = frame.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) {
        const float g = 0.5f * grain_ * noise_.at<float>(y % kNoiseTile, x % kNoiseTile);
        px[k] = static_cast<uint8_t>(
            std::lround(a * std::clamp(c[k] + g, 0.0f, 255.0f) + (1.0f - a) * px[k]));
      }
    }
  }
}

}  // namespace dh::render
