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
    : triangles_(std::move(triangles)),
      source_(std::move(source)),
      roi_(roi),
      mapX_(std::min(kBandRows, roi.height), roi.width, CV_32F),
      mapY_(std::min(kBandRows, roi.height), roi.width, CV_32F) {}

void MeshWarp::startBand(int top, int rows, int x0, int x1) {
  for (int i = 0; i < rows; ++i) {
    float* mx = mapX_.ptr<float>(i);
    float* my = mapY_.ptr<float>(i);
    const auto sourceY = static_cast<float>(top + i + roi_.y);
    for (int x = x0; x <= x1; ++x) {
      mx[x] = static_cast<float>(x + roi_.x);
      my[x] = sourceY;
    }
  }
}

namespace {

// Inside a triangle means all three weights >= -kInsideEps: shared edges are written by both
// neighbours (with the same value), so no pixel between triangles is left out.
constexpr float kInsideEps = 1e-4f;

}  // namespace

void MeshWarp::setUpTriangles(const std::vector<cv::Point2f>& target) {
  const cv::Point2f offset(static_cast<float>(roi_.x), static_cast<float>(roi_.y));
  setups_.clear();
  for (const Triangle& t : triangles_) {
    const cv::Point2f d0 = target[t[0]] - offset;
    const cv::Point2f d1 = target[t[1]] - offset;
    const cv::Point2f d2 = target[t[2]] - offset;
    const float area = (d1.x - d0.x) * (d2.y - d0.y) - (d2.x - d0.x) * (d1.y - d0.y);
    if (std::abs(area) < 0.05f) continue;  // collapsed (e.g. closed lips): covers no pixel
    // Barycentric weights of corners 1 and 2 at offset (dx, dy) from d0: w1 = a1*dx + b1*dy,
    // w2 = a2*dx + b2*dy; corner 0's is 1 - w1 - w2.
    const float inv = 1.0f / area;
    const float a1 = (d2.y - d0.y) * inv, b1 = -(d2.x - d0.x) * inv;
    const float a2 = -(d1.y - d0.y) * inv, b2 = (d1.x - d0.x) * inv;
    // The source position s0 + w1*e1 + w2*e2, affine in (dx, dy).
    const cv::Point2f s0 = source_[t[0]];
    const cv::Point2f e1 = source_[t[1]] - s0;
    const cv::Point2f e2 = source_[t[2]] - s0;
    TriangleSetup u;
    u.d0 = d0;
    u.sx = s0.x;
    u.ax = a1 * e1.x + a2 * e2.x;
    u.bx = b1 * e1.x + b2 * e2.x;
    u.sy = s0.y;
    u.ay = a1 * e1.y + a2 * e2.y;
    u.by = b1 * e1.y + b2 * e2.y;
    const auto bound = [](float p, float q, float r) {
      EdgeBound e;
      e.q = q;
      e.r = r;
      if (std::abs(p) < 1e-12f) {
        e.kind = EdgeBound::Row;
      } else {
        e.kind = p > 0 ? EdgeBound::Lower : EdgeBound::Upper;
        e.inverseP = 1.0f / p;
      }
      return e;
    };
    u.edges = {bound(a1, b1, 0.0f), bound(a2, b2, 0.0f), bound(-(a1 + a2), -(b1 + b2), 1.0f)};
    u.x0 = std::max(0, static_cast<int>(std::floor(std::min({d0.x, d1.x, d2.x}))));
    u.x1 = std::min(roi_.width - 1, static_cast<int>(std::ceil(std::max({d0.x, d1.x, d2.x}))));
    u.y0 = std::max(0, static_cast<int>(std::floor(std::min({d0.y, d1.y, d2.y}))));
    u.y1 = std::min(roi_.height - 1, static_cast<int>(std::ceil(std::max({d0.y, d1.y, d2.y}))));
    setups_.push_back(u);
  }
}

void MeshWarp::rasterizeRows(const TriangleSetup& u, int yFrom, int yTo, int& written0,
                             int& written1) {
  // The maps hold the band that starts at yFrom.
  for (int y = std::max(yFrom, u.y0); y <= std::min(yTo, u.y1); ++y) {
    const float dy = static_cast<float>(y) - u.d0.y;
    // The row's span, as offsets from d0: where all three weights are inside.
    float lo = static_cast<float>(u.x0) - u.d0.x, hi = static_cast<float>(u.x1) - u.d0.x;
    for (const EdgeBound& e : u.edges) {
      const float deficit = -kInsideEps - e.r - e.q * dy;  // p*dx must reach this
      if (e.kind == EdgeBound::Lower) {
        lo = std::max(lo, deficit * e.inverseP);
      } else if (e.kind == EdgeBound::Upper) {
        hi = std::min(hi, deficit * e.inverseP);
      } else if (deficit > 0.0f) {
        hi = lo - 1.0f;
      }
    }
    const int xs = std::max(u.x0, static_cast<int>(std::ceil(lo + u.d0.x)));
    const int xe = std::min(u.x1, static_cast<int>(std::floor(hi + u.d0.x)));
    if (xs > xe) continue;
    written0 = std::min(written0, xs);
    written1 = std::max(written1, xe);
    // Locals, not the struct's fields: the stores below cannot alias them, so this vectorises.
    float* mx = mapX_.ptr<float>(y - yFrom);
    float* my = mapY_.ptr<float>(y - yFrom);
    const float d0x = u.d0.x, ax = u.ax, ay = u.ay;
    const float rowX = u.sx + u.bx * dy, rowY = u.sy + u.by * dy;
    for (int x = xs; x <= xe; ++x) {
      const float dx = static_cast<float>(x) - d0x;
      mx[x] = rowX + ax * dx;
      my[x] = rowY + ay * dx;
    }
  }
}

void MeshWarp::apply(const cv::Mat& src, const std::vector<cv::Point2f>& target, int interpolation,
                     cv::Mat& dst, const cv::Rect& detail, bool overEarlierFrame) {
  // Band by band: the band's maps start as the identity over the columns the triangles' boxes
  // reach, the triangles are rasterised over it, and the maps are sampled while still in the
  // cache (they are only one band high). Only the columns the mesh covers in that band are
  // resampled; the rest, where the map is the identity, is copied.
  setUpTriangles(target);
  const cv::Rect inner = (detail & roi_) - roi_.tl();
  const bool cubicInside = interpolation != cv::INTER_LINEAR && inner.area() > 0;
  int top = 0;  // the band's first row
  const auto remapPart = [&](const cv::Rect& r, int mode) {
    if (r.width <= 0 || r.height <= 0) return;
    cv::Mat out = dst(r + roi_.tl());
    const cv::Rect inBand = r - cv::Point(0, top);  // the maps hold this band only
    cv::remap(src, out, mapX_(inBand), mapY_(inBand), mode, cv::BORDER_REPLICATE);
  };
  const auto copyPart = [&](const cv::Rect& r) {
    if (r.width > 0 && r.height > 0) src(r + roi_.tl()).copyTo(dst(r + roi_.tl()));
  };
  everWritten_.resize((roi_.height + kBandRows - 1) / kBandRows, {roi_.width, -1});
  for (; top < roi_.height; top += kBandRows) {
    const int bottom = std::min(top + kBandRows, roi_.height) - 1;
    const int rows = bottom - top + 1;
    int boxes0 = roi_.width, boxes1 = -1;
    for (const TriangleSetup& u : setups_) {
      if (u.y0 > bottom || u.y1 < top) continue;
      boxes0 = std::min(boxes0, u.x0);
      boxes1 = std::max(boxes1, u.x1);
    }
    startBand(top, rows, boxes0, boxes1);
    int written0 = roi_.width, written1 = -1;
    for (const TriangleSetup& u : setups_) {
      if (u.y0 <= bottom && u.y1 >= top) rasterizeRows(u, top, bottom, written0, written1);
    }
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
