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

void MeshWarp::setUpTriangles(const std::vector<cv::Point2f>& target) {
  const cv::Point2f offset(static_cast<float>(roi_.x), static_cast<float>(roi_.y));
  setups_.clear();
  for (const Triangle& t : triangles_) {
    TriangleSetup u;
    u.d0 = target[t[0]] - offset;
    const cv::Point2f d1 = target[t[1]] - offset;
    const cv::Point2f d2 = target[t[2]] - offset;
    const float area = (d1.x - u.d0.x) * (d2.y - u.d0.y) - (d2.x - u.d0.x) * (d1.y - u.d0.y);
    if (std::abs(area) < 0.05f) continue;  // collapsed (e.g. closed lips): covers no pixel
    u.s0 = source_[t[0]];
    u.e1 = source_[t[1]] - u.s0;
    u.e2 = source_[t[2]] - u.s0;
    // Barycentric weights of (x, y) relative to d0: w1 = a1*dx + b1*dy, w2 = a2*dx + b2*dy.
    const float inv = 1.0f / area;
    u.a1 = (d2.y - u.d0.y) * inv;
    u.b1 = -(d2.x - u.d0.x) * inv;
    u.a2 = -(d1.y - u.d0.y) * inv;
    u.b2 = (d1.x - u.d0.x) * inv;
    u.x0 = std::max(0, static_cast<int>(std::floor(std::min({u.d0.x, d1.x, d2.x}))));
    u.x1 = std::min(roi_.width - 1, static_cast<int>(std::ceil(std::max({u.d0.x, d1.x, d2.x}))));
    u.y0 = std::max(0, static_cast<int>(std::floor(std::min({u.d0.y, d1.y, d2.y}))));
    u.y1 = std::min(roi_.height - 1, static_cast<int>(std::ceil(std::max({u.d0.y, d1.y, d2.y}))));
    setups_.push_back(u);
  }
}

void MeshWarp::rasterizeRows(const TriangleSetup& u, int yFrom, int yTo, int& written0,
                             int& written1) {
  // Inside when all three weights are >= -eps: shared edges are written by both neighbours
  // (with the same value), so no pixel between triangles is left out.
  const float eps = 1e-4f;
  for (int y = std::max(yFrom, u.y0); y <= std::min(yTo, u.y1); ++y) {
    float* mx = mapX_.ptr<float>(y);
    float* my = mapY_.ptr<float>(y);
    const float dy = static_cast<float>(y) - u.d0.y;
    // Each weight is linear in x along the row: intersect the three half-lines where it is
    // >= -eps to get the row's span, then fill only that span.
    float lo = static_cast<float>(u.x0), hi = static_cast<float>(u.x1);
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
    clip(u.a1, u.b1 * dy - u.a1 * u.d0.x);
    clip(u.a2, u.b2 * dy - u.a2 * u.d0.x);
    clip(-(u.a1 + u.a2), 1.0f - (u.b1 + u.b2) * dy + (u.a1 + u.a2) * u.d0.x);
    const int xs = std::max(u.x0, static_cast<int>(std::ceil(lo)));
    const int xe = std::min(u.x1, static_cast<int>(std::floor(hi)));
    if (xs > xe) continue;
    written0 = std::min(written0, xs);
    written1 = std::max(written1, xe);
    // Locals, not the struct's fields: the stores below cannot alias them, so this vectorises.
    const float d0x = u.d0.x, a1 = u.a1, b1 = u.b1, a2 = u.a2, b2 = u.b2;
    const float s0x = u.s0.x, s0y = u.s0.y, e1x = u.e1.x, e1y = u.e1.y, e2x = u.e2.x, e2y = u.e2.y;
    for (int x = xs; x <= xe; ++x) {
      const float dx = static_cast<float>(x) - d0x;
      const float w1 = a1 * dx + b1 * dy;
      const float w2 = a2 * dx + b2 * dy;
      mx[x] = s0x + w1 * e1x + w2 * e2x;
      my[x] = s0y + w1 * e1y + w2 * e2y;
    }
  }
}

void MeshWarp::apply(const cv::Mat& src, const std::vector<cv::Point2f>& target, int interpolation,
                     cv::Mat& dst, const cv::Rect& detail, bool overEarlierFrame) {
  // The maps start as the identity (constructor). The mesh's outline is the fixed anchor ring,
  // so the pixels outside it are never written and stay the identity; every pixel inside is
  // rewritten each frame. Band by band: a band's maps are sampled while still in the cache, and
  // only the columns the mesh covers in that band are resampled; the rest, where the map is the
  // identity, is copied.
  setUpTriangles(target);
  const cv::Rect inner = (detail & roi_) - roi_.tl();
  const bool cubicInside = interpolation != cv::INTER_LINEAR && inner.area() > 0;
  const auto remapPart = [&](const cv::Rect& r, int mode) {
    if (r.width <= 0 || r.height <= 0) return;
    cv::Mat out = dst(r + roi_.tl());
    cv::remap(src, out, mapX_(r), mapY_(r), mode, cv::BORDER_REPLICATE);
  };
  const auto copyPart = [&](const cv::Rect& r) {
    if (r.width > 0 && r.height > 0) src(r + roi_.tl()).copyTo(dst(r + roi_.tl()));
  };
  everWritten_.resize((roi_.height + kBandRows - 1) / kBandRows, {roi_.width, -1});
  for (int top = 0; top < roi_.height; top += kBandRows) {
    const int bottom = std::min(top + kBandRows, roi_.height) - 1;
    int written0 = roi_.width, written1 = -1;
    for (const TriangleSetup& u : setups_) {
      if (u.y0 <= bottom && u.y1 >= top) rasterizeRows(u, top, bottom, written0, written1);
    }
    const int rows = bottom - top + 1;
    // Columns outside this frame's span hold the photo: copied, unless an earlier result is
    // there and the mesh has never covered them (the usual case: its outline is fixed).
    auto& [ever0, ever1] = everWritten_[top / kBandRows];
    const int keep0 = overEarlierFrame ? ever0 : 0;
    const int keep1 = overEarlierFrame ? ever1 : roi_.width - 1;
    ever0 = std::min(ever0, written0);
    ever1 = std::max(ever1, written1);
    if (written1 < written0) {
      if (keep1 >= keep0) copyPart({keep0, top, keep1 - keep0 + 1, rows});
      continue;
    }
    copyPart({keep0, top, written0 - keep0, rows});
    copyPart({written1 + 1, top, keep1 - written1, rows});
    const cv::Rect band(written0, top, written1 - written0 + 1, rows);
    if (!cubicInside) {
      remapPart(band, cv::INTER_LINEAR);
      continue;
    }
    // `interpolation` inside `detail`, bilinear around it.
    const cv::Rect fine = band & inner;
    remapPart(fine, interpolation);
    if (fine.area() == 0) {
      remapPart(band, cv::INTER_LINEAR);
      continue;
    }
    for (const cv::Rect& piece : bandsAround(band.size(), fine - band.tl())) {
      remapPart(piece + band.tl(), cv::INTER_LINEAR);
    }
  }
}

std::array<cv::Rect, 4> bandsAround(cv::Size size, const cv::Rect& inner) {
  return {cv::Rect{0, 0, size.width, inner.y},
          cv::Rect{0, inner.br().y, size.width, size.height - inner.br().y},
          cv::Rect{0, inner.y, inner.x, inner.height},
          cv::Rect{inner.br().x, inner.y, size.width - inner.br().x, inner.height}};
}

}  // namespace dh::render
