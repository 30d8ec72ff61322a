#include "render/eyelids.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace dh::render {
namespace {

constexpr int kNoiseTile = 64;

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

Eyelids::Eyelids(const animate::FaceRig& rig, cv::Vec3f skin, float grainSigma)
    : skin_(skin * 0.93f), grain_(std::max(0.5f, grainSigma)) {
  eyes_[0] = {{36, 37, 38, 39}, {36, rig.creaseIndex(0), rig.creaseIndex(1), 39}};
  eyes_[1] = {{42, 43, 44, 45}, {42, rig.creaseIndex(2), rig.creaseIndex(3), 45}};
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
  const float lashWidth = std::max(0.8f, eyeWidth * 0.03f);

  smoothCurve(upper, 6, upperCurve_);
  smoothCurve(crease, 6, creaseCurve_);
  const int nu = static_cast<int>(upperCurve_.size()), nc = static_cast<int>(creaseCurve_.size());

  // Lid colour per column: the frame's own skin at the crease (so the lowered lid continues it
  // without an edge), smoothed along the lid and leaning a little toward the face's skin tone.
  column_.assign(right - left + 1, cv::Vec3f());
  for (int x = left; x <= right; ++x) {
    const float cy = curveY(creaseCurve_.data(), nc, static_cast<float>(x));
    cv::Vec3f c(0, 0, 0);
    for (int k = -1; k <= 1; ++k) c += sample(frame, static_cast<float>(x), cy + k);
    column_[x - left] = c / 3.0f;
  }
  const int radius = std::max(2, static_cast<int>(eyeWidth * 0.1f));
  std::vector<cv::Vec3f>& smooth = smooth_;
  smooth.resize(column_.size());
  const float skinLight = (skin_[0] + skin_[1] + skin_[2]) / 3.0f;
  for (size_t i = 0; i < column_.size(); ++i) {
    cv::Vec3f sum(0, 0, 0);
    int n = 0;
    for (int d = -radius; d <= radius; ++d) {
      const long j = static_cast<long>(i) + d;
      if (j < 0 || j >= static_cast<long>(column_.size())) continue;
      sum += column_[j];
      ++n;
    }
    smooth[i] = 0.85f * sum / static_cast<float>(n) + 0.15f * skin_;
    // Glasses' frames or heavy lashes at the crease would make a dark lid: never much darker
    // than the skin.
    const float light = (smooth[i][0] + smooth[i][1] + smooth[i][2]) / 3.0f;
    if (light < 0.75f * skinLight) {
      const float w = std::clamp((0.75f * skinLight - light) / (0.5f * skinLight), 0.0f, 1.0f);
      smooth[i] = smooth[i] * (1.0f - w) + skin_ * 0.85f * w;
    }
  }
  for (int x = left; x <= right; ++x) {
    const float fx = static_cast<float>(x);
    const float top = curveY(creaseCurve_.data(), nc, fx);
    const float edge = curveY(upperCurve_.data(), nu, fx);
    if (edge - top < 1.0f) continue;
    // Toward the eye corners the lid thins out.
    const float t = (fx - x0) / eyeWidth;
    const float cornerFade = smoothstep(0.0f, 0.12f, t) * smoothstep(0.0f, 0.12f, 1.0f - t);
    const cv::Vec3f lid = smooth[x - left];
    const cv::Vec3f lash = lid * 0.45f;
    const int y0 = std::max(0, static_cast<int>(std::floor(top)));
    const int y1 = std::min(frame.rows - 1, static_cast<int>(std::ceil(edge + lashWidth)));
    for (int y = y0; y <= y1; ++y) {
      const float fy = static_cast<float>(y);
      const float v = (fy - top) / (edge - top);
      float a =
          amount * smoothstep(0.0f, 0.7f, v) * (1.0f - smoothstep(edge, edge + lashWidth, fy));
      a *= 0.9f + 0.1f * cornerFade;
      if (a <= 0.002f) continue;
      // The lid is convex: a touch brighter across its middle, darker toward the lashes.
      const float bulge = 1.0f + 0.05f * cornerFade - 0.12f * std::clamp(v, 0.0f, 1.0f);
      cv::Vec3f c = lid * bulge;
      const float lashWeight =
          0.85f * smoothstep(edge - 1.2f * lashWidth, edge - 0.1f * lashWidth, fy);
      c = c * (1.0f - lashWeight) + lash * lashWeight;
      const float g = 0.6f * grain_ * noise_.at<float>(y % kNoiseTile, x % kNoiseTile);
      auto& px = frame.at<cv::Vec3b>(y, x);
      for (int k = 0; k < 3; ++k) {
        const float value = std::clamp(c[k] + g, 0.0f, 255.0f);
        px[k] = static_cast<uint8_t>(std::lround(a * value + (1.0f - a) * px[k]));
      }
    }
  }
}

}  // namespace dh::render
