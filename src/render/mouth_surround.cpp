#include "render/mouth_surround.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace dh::render {
namespace {

constexpr int kFoldSegments = 10;

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

  // The fold runs downward: row by row, where it crosses the row, its slope and how far along it
  // is; only the pixels within a few widths of it are shaded.
  const int y0 = std::max(0, cvCeil(std::min(start.y, end.y)));
  const int y1 = std::min(frame.rows - 1, cvFloor(std::max(start.y, end.y)));
  int segment = 0;
  for (int y = y0; y <= y1; ++y) {
    const float fy = static_cast<float>(y);
    while (segment + 1 < kFoldSegments && curve_[segment + 1].y < fy) ++segment;
    const cv::Point2f a = curve_[segment], b = curve_[segment + 1];
    const float dy = b.y - a.y;
    if (std::abs(dy) < 1e-3f) continue;
    const float t = std::clamp((fy - a.y) / dy, 0.0f, 1.0f);
    const float crossX = a.x + t * (b.x - a.x);
    const float slope = (b.x - a.x) / dy;
    const float across = 1.0f / std::sqrt(1.0f + slope * slope);  // row distance to normal
    const float along = (static_cast<float>(segment) + t) / kFoldSegments;
    // Deepest in its middle third, fading toward the nose and the mouth.
    const float fade = strength * std::pow(std::sin(3.14159f * along), 0.7f);
    if (fade < 0.002f) continue;
    const float reach = 5.0f * width / across;
    auto* px = frame.ptr<cv::Vec3b>(y);
    for (int x = std::max(0, cvFloor(crossX - reach));
         x <= std::min(frame.cols - 1, cvCeil(crossX + reach)); ++x) {
      const float signedDistance =
          (static_cast<float>(x) - crossX) * across * static_cast<float>(side);
      const float d = std::abs(signedDistance);
      const float crease = std::exp(-(d / width) * (d / width));
      // The cheek bulges over the fold on its outer side.
      const float bulgeAt = signedDistance > 0.0f ? (d - 2.5f * width) / (2.0f * width) : 10.0f;
      const float bulge = std::exp(-bulgeAt * bulgeAt);
      const float factor =
          1.0f - fade * (options_.foldDepth * crease - options_.cheekLight * bulge);
      if (std::abs(factor - 1.0f) < 0.002f) continue;
      for (int k = 0; k < 3; ++k) {
        px[x][k] = static_cast<uint8_t>(std::clamp(std::lround(px[x][k] * factor), 0L, 255L));
      }
    }
  }

  // The mouth corner's shadow.
  const float radius = std::max(1.5f, 0.035f * unit);
  const cv::Point2f spot = corner + out * (0.012f * unit);
  const cv::Rect box = cv::Rect(cvFloor(spot.x - 3 * radius), cvFloor(spot.y - 3 * radius),
                                cvCeil(6 * radius) + 1, cvCeil(6 * radius) + 1) &
                       cv::Rect(0, 0, frame.cols, frame.rows);
  for (int y = box.y; y < box.y + box.height; ++y) {
    auto* px = frame.ptr<cv::Vec3b>(y);
    for (int x = box.x; x < box.x + box.width; ++x) {
      const cv::Point2f c = cv::Point2f(static_cast<float>(x), static_cast<float>(y)) - spot;
      const float r2 = c.dot(c) / (radius * radius);
      if (r2 >= 9.0f) continue;
      const float factor = 1.0f - strength * options_.cornerDepth * std::exp(-r2);
      for (int k = 0; k < 3; ++k) {
        px[x][k] = static_cast<uint8_t>(std::clamp(std::lround(px[x][k] * factor), 0L, 255L));
      }
    }
  }
}

}  // namespace dh::render
