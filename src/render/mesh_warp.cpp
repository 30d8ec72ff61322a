#include "render/mesh_warp.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/imgproc.hpp>

namespace dh::render {

std::vector<Triangle> delaunay(const std::vector<cv::Point2f>& points) {
  cv::Rect2f bounds = cv::boundingRect(points);
  const cv::Rect outer(static_cast<int>(std::floor(bounds.x)) - 10,
                       static_cast<int>(std::floor(bounds.y)) - 10,
                       static_cast<int>(std::ceil(bounds.width)) + 21,
                       static_cast<int>(std::ceil(bounds.height)) + 21);
  cv::Subdiv2D subdiv(outer);
  std::map<int, int> idOf;
  for (size_t i = 0; i < points.size(); ++i) {
    const int id = subdiv.insert(points[i]);
    if (!idOf.count(id)) idOf[id] = static_cast<int>(i);
  }
  std::vector<cv::Vec6f> list;
  subdiv.getTriangleList(list);
  std::vector<Triangle> triangles;
  for (const cv::Vec6f& t : list) {
    Triangle tri;
    bool ok = true;
    for (int k = 0; k < 3 && ok; ++k) {
      const cv::Point2f p(t[2 * k], t[2 * k + 1]);
      // Match the corner to an inserted point exactly (virtual outer corners do not match).
      int found = -1;
      for (const auto& [id, index] : idOf) {
        if (subdiv.getVertex(id) == p) {
          found = index;
          break;
        }
      }
      if (found < 0) ok = false;
      tri[k] = found;
    }
    if (ok) triangles.push_back(tri);
  }
  return triangles;
}

MeshWarp::MeshWarp(std::vector<Triangle> triangles, std::vector<cv::Point2f> source, cv::Rect roi)
    : triangles_(std::move(triangles)), source_(std::move(source)), roi_(roi) {
  cv::Mat identityX(roi_.size(), CV_32F), identityY(roi_.size(), CV_32F);
  for (int y = 0; y < roi_.height; ++y) {
    auto* px = identityX.ptr<float>(y);
    auto* py = identityY.ptr<float>(y);
    for (int x = 0; x < roi_.width; ++x) {
      px[x] = static_cast<float>(x + roi_.x);
      py[x] = static_cast<float>(y + roi_.y);
    }
  }
  mapX_ = identityX;
  mapY_ = identityY;
}

void MeshWarp::rasterize(const std::vector<cv::Point2f>& target) {
  // The maps start as the identity (constructor). The mesh's outline is the fixed anchor ring,
  // so the pixels outside it are never written and stay the identity; every pixel inside is
  // rewritten each frame.
  const cv::Point2f offset(static_cast<float>(roi_.x), static_cast<float>(roi_.y));
  for (const Triangle& t : triangles_) {
    const cv::Point2f d0 = target[t[0]] - offset;
    const cv::Point2f d1 = target[t[1]] - offset;
    const cv::Point2f d2 = target[t[2]] - offset;
    const float area = (d1.x - d0.x) * (d2.y - d0.y) - (d2.x - d0.x) * (d1.y - d0.y);
    if (std::abs(area) < 0.05f) continue;  // collapsed (e.g. closed lips): covers no pixel
    const cv::Point2f& s0 = source_[t[0]];
    const cv::Point2f e1 = source_[t[1]] - s0;
    const cv::Point2f e2 = source_[t[2]] - s0;
    // Barycentric weights of (x, y) relative to d0: w1 = a1*dx + b1*dy, w2 = a2*dx + b2*dy.
    const float inv = 1.0f / area;
    const float a1 = (d2.y - d0.y) * inv, b1 = -(d2.x - d0.x) * inv;
    const float a2 = -(d1.y - d0.y) * inv, b2 = (d1.x - d0.x) * inv;

    const int x0 = std::max(0, static_cast<int>(std::floor(std::min({d0.x, d1.x, d2.x}))));
    const int x1 =
        std::min(roi_.width - 1, static_cast<int>(std::ceil(std::max({d0.x, d1.x, d2.x}))));
    const int y0 = std::max(0, static_cast<int>(std::floor(std::min({d0.y, d1.y, d2.y}))));
    const int y1 =
        std::min(roi_.height - 1, static_cast<int>(std::ceil(std::max({d0.y, d1.y, d2.y}))));
    // Inside when all three weights are >= -eps: shared edges are written by both neighbours
    // (with the same value), so no pixel between triangles is left out.
    const float eps = 1e-4f;
    for (int y = y0; y <= y1; ++y) {
      float* mx = mapX_.ptr<float>(y);
      float* my = mapY_.ptr<float>(y);
      const float dy = static_cast<float>(y) - d0.y;
      // Each weight is linear in x along the row: intersect the three half-lines where it is
      // >= -eps to get the row's span, then fill only that span.
      float lo = static_cast<float>(x0), hi = static_cast<float>(x1);
      auto clip = [&](float a, float c) {  // a*x + c >= -eps
        if (std::abs(a) < 1e-12f) {
          if (c < -eps) hi = lo - 1.0f;
          return;
        }
        const float bound = (-eps - c) / a;
        if (a > 0)
          lo = std::max(lo, bound);
        else
          hi = std::min(hi, bound);
      };
      clip(a1, b1 * dy - a1 * d0.x);
      clip(a2, b2 * dy - a2 * d0.x);
      clip(-(a1 + a2), 1.0f - (b1 + b2) * dy + (a1 + a2) * d0.x);
      const int xs = std::max(x0, static_cast<int>(std::ceil(lo)));
      const int xe = std::min(x1, static_cast<int>(std::floor(hi)));
      for (int x = xs; x <= xe; ++x) {
        const float dx = static_cast<float>(x) - d0.x;
        const float w1 = a1 * dx + b1 * dy;
        const float w2 = a2 * dx + b2 * dy;
        mx[x] = s0.x + w1 * e1.x + w2 * e2.x;
        my[x] = s0.y + w1 * e1.y + w2 * e2.y;
      }
    }
  }
}

void MeshWarp::apply(const cv::Mat& src, const std::vector<cv::Point2f>& target, int interpolation,
                     cv::Mat& dst, const cv::Rect& detail) {
  rasterize(target);
  const cv::Rect inner = (detail & roi_) - roi_.tl();
  if (interpolation == cv::INTER_LINEAR || inner.area() == 0) {
    cv::Mat out = dst(roi_);
    cv::remap(src, out, mapX_, mapY_, interpolation, cv::BORDER_REPLICATE);
    return;
  }
  // `interpolation` inside `detail`, bilinear on the bands around it.
  const auto remapPart = [&](const cv::Rect& r, int mode) {
    if (r.width <= 0 || r.height <= 0) return;
    cv::Mat out = dst(r + roi_.tl());
    cv::remap(src, out, mapX_(r), mapY_(r), mode, cv::BORDER_REPLICATE);
  };
  remapPart(inner, interpolation);
  for (const cv::Rect& band : bandsAround(roi_.size(), inner)) remapPart(band, cv::INTER_LINEAR);
}

std::array<cv::Rect, 4> bandsAround(cv::Size size, const cv::Rect& inner) {
  return {cv::Rect{0, 0, size.width, inner.y},
          cv::Rect{0, inner.br().y, size.width, size.height - inner.br().y},
          cv::Rect{0, inner.y, inner.x, inner.height},
          cv::Rect{inner.br().x, inner.y, size.width - inner.br().x, inner.height}};
}

}  // namespace dh::render
