#include "render/mouth_surround.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace dh::render {
namespace {

constexpr int kFoldSegments = 10;

// Distance from `p` to segment a-b and where along it (0..1) the nearest point is.
float segmentDistance(cv::Point2f p, cv::Point2f a, cv::Point2f b, float& t) {
  const cv::Point2f ab = b - a;
  const float len2 = std::max(1e-6f, ab.dot(ab));
  t = std::clamp((p - a).dot(ab) / len2, 0.0f, 1.0f);
  const cv::Point2f d = p - (a + ab * t);
  return std::sqrt(d.dot(d));
}

}  // namespace

void MouthSurround::draw(const std::vector<cv::Point2f>& points, cv::Point2f axis, float unit,
                         float smile, float spread, cv::Mat& frame) {
  const float strength =
      std::clamp(std::clamp(smile, 0.0f, 1.0f) + 0.5f * std::clamp(spread, 0.0f, 1.0f), 0.0f, 1.0f);
  if (strength < 0.02f) return;
  drawSide(points, -1, axis, unit, strength, frame);
  drawSide(points, 1, axis, unit, strength, frame);
}

void MouthSurround::drawSide(const std::vector<cv::Point2f>& points, int side, cv::Point2f axis,
                             float unit, float strength, cv::Mat& frame) {
  const cv::Point2f down(-axis.y, axis.x);
  const cv::Point2f out = axis * static_cast<float>(side);  // away from the face's midline
  const cv::Point2f nostril = points[side < 0 ? 31 : 35];
  const cv::Point2f corner = points[side < 0 ? 48 : 54];
  // The fold runs from beside the nose wing to just outside and below the mouth corner, bowed
  // outward over the cheek.
  const cv::Point2f start = nostril + (out * 0.1f - down * 0.02f) * unit;
  const cv::Point2f end = corner + (out * 0.07f + down * 0.03f) * unit;
  const cv::Point2f control = 0.5f * (start + end) + out * (0.05f * unit);
  curve_.clear();
  for (int i = 0; i <= kFoldSegments; ++i) {
    const float t = static_cast<float>(i) / kFoldSegments;
    curve_.push_back((1 - t) * (1 - t) * start + 2 * (1 - t) * t * control + t * t * end);
  }
  const float width = std::max(1.0f, options_.foldWidth * unit);
  const float cornerRadius = std::max(1.5f, 0.035f * unit);
  const cv::Point2f cornerSpot = corner + out * (0.012f * unit);

  cv::Rect box = cv::boundingRect(curve_);
  box |=
      cv::Rect(cvFloor(cornerSpot.x - 3 * cornerRadius), cvFloor(cornerSpot.y - 3 * cornerRadius),
               cvCeil(6 * cornerRadius), cvCeil(6 * cornerRadius));
  const int margin = cvCeil(5 * width);
  box.x -= margin, box.y -= margin, box.width += 2 * margin, box.height += 2 * margin;
  box &= cv::Rect(0, 0, frame.cols, frame.rows);

  for (int y = box.y; y < box.y + box.height; ++y) {
    auto* px = frame.ptr<cv::Vec3b>(y);
    for (int x = box.x; x < box.x + box.width; ++x) {
      const cv::Point2f p(static_cast<float>(x), static_cast<float>(y));
      // Nearest point of the fold and which side of it the pixel is on (+ toward the cheek).
      float best = 1e9f, along = 0.0f, sideSign = 1.0f;
      for (int i = 0; i < kFoldSegments; ++i) {
        float t = 0.0f;
        const float d = segmentDistance(p, curve_[i], curve_[i + 1], t);
        if (d < best) {
          best = d;
          along = (static_cast<float>(i) + t) / kFoldSegments;
          const cv::Point2f seg = curve_[i + 1] - curve_[i];
          const float cross = seg.x * (p.y - curve_[i].y) - seg.y * (p.x - curve_[i].x);
          sideSign = (cross * static_cast<float>(side) < 0.0f) ? 1.0f : -1.0f;
        }
      }
      float factor = 1.0f;
      if (best < 5.0f * width) {
        // Deepest in its middle third, fading toward the nose and the mouth.
        const float fade = std::pow(std::sin(3.14159f * along), 0.7f);
        const float crease = std::exp(-(best / width) * (best / width));
        const float bulgeAt = sideSign > 0 ? (best - 2.5f * width) / (2.0f * width) : 10.0f;
        const float bulge = std::exp(-bulgeAt * bulgeAt);
        factor *=
            1.0f - strength * fade * (options_.foldDepth * crease - options_.cheekLight * bulge);
      }
      const cv::Point2f c = p - cornerSpot;
      const float r2 = c.dot(c) / (cornerRadius * cornerRadius);
      if (r2 < 9.0f) factor *= 1.0f - strength * options_.cornerDepth * std::exp(-r2);
      if (std::abs(factor - 1.0f) < 0.002f) continue;
      for (int k = 0; k < 3; ++k) {
        px[x][k] = static_cast<uint8_t>(std::clamp(std::lround(px[x][k] * factor), 0L, 255L));
      }
    }
  }
}

}  // namespace dh::render
