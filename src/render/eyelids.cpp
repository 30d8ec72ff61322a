#include "render/eyelids.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace dh::render {
namespace {

constexpr int kNoiseTile = 64;
constexpr float kTextureSigma = 2.0f;  // px: finer than this is texture, coarser is shading

// `d` folded into 0..h: the band repeated, every other copy mirrored so it joins without a seam.
float mirrored(float d, float h) {
  const float m = std::fmod(std::max(0.0f, d), 2.0f * h);
  return m > h ? 2.0f * h - m : m;
}

float smoothstep(float e0, float e1, float x) {
  const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

// y of the polyline `pts` (sorted by x) at `x`, clamped to its ends.
float curveY(const cv::Point2f* pts, int n, float x) {
  if (x <= pts[0].x) return pts[0].y;
  for (int i = 0; i + 1 < n; ++i) {
    if (x <= pts[i + 1].x) {
      const float span = std::max(1e-3f, pts[i + 1].x - pts[i].x);
      return pts[i].y + (x - pts[i].x) / span * (pts[i + 1].y - pts[i].y);
    }
  }
  return pts[n - 1].y;
}

// A smooth curve through four points (Catmull-Rom, ends repeated), `steps` samples a segment.
void smoothCurve(const cv::Point2f (&p)[4], int steps, std::vector<cv::Point2f>& out) {
  out.clear();
  for (int seg = 0; seg < 3; ++seg) {
    const cv::Point2f& a = p[std::max(0, seg - 1)];
    const cv::Point2f& b = p[seg];
    const cv::Point2f& c = p[seg + 1];
    const cv::Point2f& d = p[std::min(3, seg + 2)];
    for (int i = 0; i < steps; ++i) {
      const float t = static_cast<float>(i) / steps, t2 = t * t, t3 = t2 * t;
      out.push_back(0.5f * ((2.0f * b) + (-a + c) * t + (2.0f * a - 5.0f * b + 4.0f * c - d) * t2 +
                            (-a + 3.0f * b - 3.0f * c + d) * t3));
    }
  }
  out.push_back(p[3]);
}

cv::Vec3f sample(const cv::Mat& img, float x, float y) {
  const int xi = std::clamp(static_cast<int>(x), 0, img.cols - 2);
  const int yi = std::clamp(static_cast<int>(y), 0, img.rows - 2);
  const float fx = std::clamp(x - xi, 0.0f, 1.0f), fy = std::clamp(y - yi, 0.0f, 1.0f);
  const auto& a = img.at<cv::Vec3b>(yi, xi);
  const auto& b = img.at<cv::Vec3b>(yi, xi + 1);
  const auto& c = img.at<cv::Vec3b>(yi + 1, xi);
  const auto& d = img.at<cv::Vec3b>(yi + 1, xi + 1);
  cv::Vec3f out;
  for (int k = 0; k < 3; ++k) {
    out[k] = (1 - fy) * ((1 - fx) * a[k] + fx * b[k]) + fy * ((1 - fx) * c[k] + fx * d[k]);
  }
  return out;
}

}  // namespace

void softenGrain(cv::Mat& noise) {
  cv::GaussianBlur(noise, noise, cv::Size(0, 0), 0.6, 0.0, cv::BORDER_REFLECT);
  cv::Scalar mean, stddev;
  cv::meanStdDev(noise, mean, stddev);
  noise = (noise - mean[0]) / std::max(1e-6, stddev[0]);
}

Eyelids::Eyelids(const animate::FaceRig& rig, const cv::Mat& photo, cv::Vec3f skin,
                 float grainSigma)
    : photo_(photo), skin_(skin * 0.93f), grain_(std::max(0.5f, grainSigma)) {
  eyes_[0] = {{36, 37, 38, 39}, {36, rig.creaseIndex(0), rig.creaseIndex(1), 39}, {}, {}, 0.0f};
  eyes_[1] = {{42, 43, 44, 45}, {42, rig.creaseIndex(2), rig.creaseIndex(3), 45}, {}, {}, 0.0f};
  const std::vector<cv::Point2f>& source = rig.sourcePoints();
  const float skinLight = (skin_[0] + skin_[1] + skin_[2]) / 3.0f;
  for (Eye& eye : eyes_) {
    cv::Point2f upper[4], crease[4];
    for (int i = 0; i < 4; ++i) {
      upper[i] = source[eye.upper[i]];
      crease[i] = source[eye.crease[i]];
    }
    smoothCurve(upper, 6, eye.sourceUpper);
    // The crease is the mesh's own edge (straight between its points): above it nothing moves.
    eye.sourceCrease.assign(crease, crease + 4);
    // A glasses' rim or a heavy brow shadow at the crease is not lid skin: the band taken for
    // the lid starts below the rows that are much darker than the skin.
    const float x0 = upper[0].x, x1 = upper[3].x;
    for (int step = 0; step < 6; ++step) {
      const float v = 0.08f * step;
      float light = 0.0f;
      int count = 0;
      for (float t = 0.25f; t <= 0.75f; t += 0.05f) {
        const float x = x0 + t * (x1 - x0);
        const float top = curveY(eye.sourceCrease.data(), 4, x);
        const float lid =
            curveY(eye.sourceUpper.data(), static_cast<int>(eye.sourceUpper.size()), x);
        const cv::Vec3f c = sample(photo_, x, top + v * (lid - top));
        light += (c[0] + c[1] + c[2]) / 3.0f;
        ++count;
      }
      if (light / count >= 0.7f * skinLight) break;
      eye.skinStart = v + 0.08f;
    }
  }
  // The lid's shading is stretched down with the lid; its texture (pores, fine wrinkles) keeps
  // its size, taken from the band repeated and mirrored. Blurred only around the eyes.
  photoLow_ = cv::Mat::zeros(photo_.size(), photo_.type());
  for (const Eye& eye : eyes_) {
    std::vector<cv::Point2f> outline = eye.sourceCrease;
    outline.insert(outline.end(), eye.sourceUpper.begin(), eye.sourceUpper.end());
    cv::Rect roi = cv::boundingRect(outline);
    roi.x -= 8, roi.y -= 8, roi.width += 16, roi.height += 16;
    roi &= cv::Rect(0, 0, photo_.cols, photo_.rows);
    if (roi.width > 0 && roi.height > 0) {
      cv::GaussianBlur(photo_(roi), photoLow_(roi), cv::Size(0, 0), kTextureSigma);
    }
  }
  noise_.create(kNoiseTile, kNoiseTile, CV_32F);
  cv::RNG rng(0x11d);
  rng.fill(noise_, cv::RNG::NORMAL, 0.0, 1.0);
  softenGrain(noise_);
}

void Eyelids::draw(const std::vector<cv::Point2f>& points, float blink, cv::Mat& frame) {
  const float amount = smoothstep(0.15f, 0.85f, blink);
  if (amount <= 0.0f) return;
  for (const Eye& eye : eyes_) drawEye(eye, points, amount, frame);
}

void Eyelids::drawEye(const Eye& eye, const std::vector<cv::Point2f>& points, float amount,
                      cv::Mat& frame) {
  cv::Point2f upper[4], crease[4];
  for (int i = 0; i < 4; ++i) {
    upper[i] = points[eye.upper[i]];
    crease[i] = points[eye.crease[i]];
  }
  const float x0 = upper[0].x, x1 = upper[3].x;
  if (x1 - x0 < 2.0f) return;
  const float eyeWidth = x1 - x0;
  const int left = std::max(0, static_cast<int>(std::floor(x0)));
  const int right = std::min(frame.cols - 1, static_cast<int>(std::ceil(x1)));
  const float lashWidth = std::max(1.2f, eyeWidth * 0.045f);
  const float ramp = std::max(1.5f, 0.2f * eyeWidth);
  const float detailLimit = 4.0f + 1.5f * grain_;
  const float sx0 = eye.sourceUpper.front().x, sx1 = eye.sourceUpper.back().x;
  const int ns = static_cast<int>(eye.sourceUpper.size());
  const float skinLight = (skin_[0] + skin_[1] + skin_[2]) / 3.0f;

  smoothCurve(upper, 6, upperCurve_);
  creaseCurve_.assign(crease, crease + 4);
  const int nu = static_cast<int>(upperCurve_.size()), nc = static_cast<int>(creaseCurve_.size());

  for (int x = left; x <= right; ++x) {
    const float fx = static_cast<float>(x);
    const float top = curveY(creaseCurve_.data(), nc, fx);
    const float edge = curveY(upperCurve_.data(), nu, fx);
    if (edge - top < 1.0f) continue;
    // The same place across the lid in the photo, and its band of lid skin: from below the rim
    // or brow shadow down to just above the lashes.
    const float t = (fx - x0) / eyeWidth;
    const float xs = sx0 + t * (sx1 - sx0);
    const float sourceTop = curveY(eye.sourceCrease.data(), 4, xs);
    const float sourceLid = curveY(eye.sourceUpper.data(), ns, xs);
    const float span = std::max(2.0f, sourceLid - sourceTop);
    const float skinTop = sourceTop + eye.skinStart * span;
    const float skinBottom = std::max(skinTop + 1.5f, sourceLid - std::max(1.5f, 0.25f * span));
    // A band only a few pixels high, repeated, shows as stripes: less of its texture is used.
    const float textureWeight = 0.7f * std::clamp((skinBottom - skinTop) / 6.0f, 0.35f, 1.0f);
    // Toward the eye corners the lid thins out.
    const float cornerFade = smoothstep(0.0f, 0.12f, t) * smoothstep(0.0f, 0.12f, 1.0f - t);
    const int y0 = std::max(0, static_cast<int>(std::floor(top)));
    const int y1 = std::min(frame.rows - 1, static_cast<int>(std::ceil(edge + 1.2f * lashWidth)));
    for (int y = y0; y <= y1; ++y) {
      const float fy = static_cast<float>(y);
      const float v = std::clamp((fy - top) / (edge - top), 0.0f, 1.0f);
      // Opaque a few pixels below the crease (the warp stretches lashes and iris up to there),
      // where the lid joins the skin above it.
      float a = amount * smoothstep(top, top + ramp, fy) *
                (1.0f - smoothstep(edge, edge + 1.2f * lashWidth, fy));
      a *= 0.9f + 0.1f * cornerFade;
      if (a <= 0.002f) continue;
      const float band = skinBottom - skinTop;
      const float textureY = skinTop + mirrored(fy - top, band);
      // Shading from the crease itself (so the lid continues what is above it without an edge),
      // texture from the clear skin.
      cv::Vec3f c = sample(photoLow_, xs, sourceTop + v * (skinBottom - sourceTop));
      // A thin band repeated shows as stripes: its texture is kept moderate.
      cv::Vec3f detail = sample(photo_, xs, textureY) - sample(photoLow_, xs, textureY);
      for (int k = 0; k < 3; ++k)
        c[k] += std::clamp(textureWeight * detail[k], -detailLimit, detailLimit);
      // Never much darker than the skin (a shadow or a rim the band still caught).
      const float light = (c[0] + c[1] + c[2]) / 3.0f;
      if (light < 0.45f * skinLight) {
        const float w = std::clamp((0.45f * skinLight - light) / (0.2f * skinLight), 0.0f, 1.0f);
        c = c * (1.0f - w) + skin_ * 0.8f * w;
      }
      // The closed lid is convex: a touch brighter across its middle, turning away toward the
      // lashes; the lash line along its edge.
      c *= 1.0f + 0.04f * cornerFade - 0.12f * v * v;
      // Lashes: darker in clumps along the edge, softly.
      const float clump = 0.9f + 0.15f * noise_.at<float>(7, (x / 3) % kNoiseTile);
      const float lashWeight =
          std::min(1.0f, 0.8f * clump) * smoothstep(edge - 1.2f * lashWidth, edge, fy);
      c = c * (1.0f - 0.5f * lashWeight);
      const float g = 0.3f * grain_ * noise_.at<float>(y % kNoiseTile, x % kNoiseTile);
      auto& px = frame.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) {
        const float value = std::clamp(c[k] + g, 0.0f, 255.0f);
        px[k] = static_cast<uint8_t>(std::lround(a * value + (1.0f - a) * px[k]));
      }
    }
  }
}

}  // namespace dh::render
