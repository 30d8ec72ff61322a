#include "render/mouth_interior.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "render/eyelids.h"

namespace dh::render {
namespace {

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

}  // namespace

MouthInterior::MouthInterior(const face::FaceAnalysis& a, cv::Size frameSize,
                             const InteriorOptions& options)
    : options_(options), frameSize_(frameSize) {
  sourceOpen_ = a.mouth == face::MouthState::Open;
  lip_ = a.lipColor;
  // Cavity: the lip colour taken far down in lightness; tongue: the lip colour, a little darker.
  cavity_ = a.lipColor * 0.22f;
  tongue_ = a.lipColor * 0.85f;
  // Teeth in shadow of the lips are never as bright as measured on a smiling photo's highlights.
  teeth_ = a.teethColor;
  grain_ = std::max(0.8f, a.grainSigma);
  noise_.create(kNoiseTile, kNoiseTile, CV_32F);
  cv::RNG rng(0x5eed);
  rng.fill(noise_, cv::RNG::NORMAL, 0.0, 1.0);
  softenGrain(noise_);
  alpha_.create(frameSize, CV_8U);
  alphaF_.create(frameSize, CV_32F);
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

void MouthInterior::draw(const std::vector<cv::Point2f>& lip, float tongueShow, float unit,
                         cv::Mat& frame) {
  const float gap =
      (cv::norm(lip[1] - lip[7]) + cv::norm(lip[2] - lip[6]) + cv::norm(lip[3] - lip[5])) / 3.0f;
  if (sourceOpen_) drawSeam(lip, gap, unit, frame);
  if (gap < options_.minGapPixels) return;
  buildOutline(lip);
  cv::Rect box = cv::boundingRect(outline_);
  box.x -= 2, box.y -= 2, box.width += 4, box.height += 4;
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
  const float upperTeeth = 0.11f * unit;
  const float lowerTeethMax = 0.04f * unit;
  const float lowerShow = std::clamp((gap / unit - 0.2f) / 0.1f, 0.0f, 1.0f);
  const float tongueRise = std::clamp(tongueShow, 0.0f, 1.0f);
  const float gapNorm = std::clamp(gap / (0.3f * unit), 0.0f, 1.0f);
  // The upper lip's inner edge in the middle and at the corners, for the teeth's biting arc.
  const int middleColumn = std::clamp(static_cast<int>(std::lround(centerX)), 0, box.width - 1);
  const float topMiddle =
      top_[middleColumn] < 1e8f ? top_[middleColumn] : 0.5f * (left.y + right.y);
  const float topCorners = 0.5f * (left.y + right.y);

  for (int y = 0; y < box.height; ++y) {
    const float* al = alphaF.ptr<float>(y);
    auto* px = frame.ptr<cv::Vec3b>(y + box.y) + box.x;
    const float* noise = noise_.ptr<float>((y + box.y) % kNoiseTile);
    for (int x = 0; x < box.width; ++x) {
      const float a = al[x];
      if (a <= 0.002f) continue;
      const float top = top_[x] < 1e8f ? top_[x] : 0.0f;
      const float bottom = bottom_[x] > -1e8f ? bottom_[x] : static_cast<float>(box.height);
      const float u = (x - centerX) / halfWidth;  // -1 .. 1 corner to corner
      const float side = std::clamp(1.0f - u * u, 0.0f, 1.0f);
      const float h = std::max(1.0f, bottom - top);
      const float v = (y - top) / h;  // 0 at the upper lip .. 1 at the lower lip

      // Cavity: darkest at the back (centre), lighter toward the lip edges.
      const float depth = side * std::sin(std::clamp(v, 0.0f, 1.0f) * 3.14159f);
      cv::Vec3f c = cavity_ * (1.25f - 0.65f * depth);

      // Tongue: a low rounded hump, rising toward the teeth for th / l.
      const float tongueTop = bottom - h * (0.22f + 0.4f * tongueRise) * (0.6f + 0.4f * side);
      const float tongueCover =
          smoothstep(tongueTop - 1.2f, tongueTop + 1.2f, static_cast<float>(y)) *
          std::clamp(1.4f - std::abs(u) * 1.5f, 0.0f, 1.0f) * gapNorm;
      const cv::Vec3f tongueShade =
          tongue_ * (0.55f + 0.35f * (y - tongueTop) / std::max(1.0f, bottom - tongueTop));
      c = c * (1.0f - tongueCover) + tongueShade * tongueCover;

      // Lower teeth when wide open.
      const float lowerH = lowerTeethMax * lowerShow * side * side;
      const float lowerCover =
          lowerH > 0.5f
              ? smoothstep(bottom - lowerH - 0.8f, bottom - lowerH + 0.8f, static_cast<float>(y))
              : 0.0f;
      c = c * (1.0f - lowerCover) + teeth_ * (0.35f + 0.2f * side) * lowerCover;

      // Upper teeth under the upper lip. Their biting edge is a smooth arc from the corners to
      // the middle (teeth do not follow the lip's bow), shaded toward the corners and darker in
      // the lip's shadow at the top.
      const float arcTop = topMiddle + (topCorners - topMiddle) * std::min(1.0f, u * u);
      const float teethH = std::min(upperTeeth, 0.6f * h) * (0.15f + 0.85f * std::sqrt(side));
      const float edge = std::max(arcTop + teethH, top + 0.35f * teethH);
      const float teethCover = 1.0f - smoothstep(edge - 0.8f, edge + 0.8f, static_cast<float>(y));
      float teethShade =
          (0.35f + 0.7f * std::pow(side, 0.6f)) *
          (0.78f + 0.22f * smoothstep(top, top + 0.04f * unit, static_cast<float>(y)));
      {
        // Each front tooth (central, lateral, canine) rounded: darker toward its sides, softly;
        // fainter in standard mode.
        const float dx = std::abs(x - centerX) / unit;
        const float strength = options_.toothGaps ? 0.22f : 0.12f;
        const float width = std::max(1.2f, 0.012f * unit);
        for (float gapAt : {0.0f, 0.12f, 0.22f, 0.3f}) {
          const float d = std::abs(dx - gapAt) * unit / width;
          teethShade *= 1.0f - strength * std::exp(-d * d);
        }
      }
      c = c * (1.0f - teethCover) + teeth_ * teethShade * teethCover;

      // Grain like the photo's, weaker in the dark as a camera's would be.
      const float light = (c[0] + c[1] + c[2]) / 3.0f;
      // (The photo's grain is measured on skin, where pores and wrinkles add to it: inside the
      // mouth a part of it is enough.)
      const float g = 0.6f * grain_ * std::sqrt(std::min(1.0f, light / 128.0f)) *
                      noise[(x + box.x) % kNoiseTile];
      for (int k = 0; k < 3; ++k) {
        const float value = std::clamp(c[k] + g, 0.0f, 255.0f);
        px[x][k] = static_cast<uint8_t>(std::lround(a * value + (1.0f - a) * px[x][k]));
      }
    }
  }
}

// y of the polyline through `idx` points of `lip` at `x` (points ordered by x).
static float chainY(const std::vector<cv::Point2f>& lip, std::initializer_list<int> idx, float x) {
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
