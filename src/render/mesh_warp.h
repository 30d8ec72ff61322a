#pragma once
// Piecewise-affine warp over a fixed triangle mesh, confined to a region of interest. The mesh
// is built once; each frame only the destination points change: the inverse map is rasterised
// triangle by triangle into preallocated buffers and applied with cv::remap.
#include <opencv2/core.hpp>

#include <array>
#include <vector>

namespace dh::render {

using Triangle = std::array<int, 3>;

// Delaunay triangulation of `points` (indices into it). Duplicate points are left out.
std::vector<Triangle> delaunay(const std::vector<cv::Point2f>& points);

// The four bands of a `size` image around `inner` (inside it): above, below, left, right. Bands
// may be empty.
std::array<cv::Rect, 4> bandsAround(cv::Size size, const cv::Rect& inner);

class MeshWarp {
 public:
  // `source`: control points in the source image; `roi`: the only region ever written.
  MeshWarp(std::vector<Triangle> triangles, std::vector<cv::Point2f> source, cv::Rect roi);

  // Writes the warped `src` into `dst` inside roi() only; `target` are the control points'
  // destination positions. `interpolation` (cv::INTER_LINEAR or cv::INTER_CUBIC) is used inside
  // `detail` (frame pixels), bilinear sampling elsewhere.
  // `overEarlierFrame`: `dst` holds an earlier result of this warp, untouched since; the parts
  // of roi() the mesh has never covered are not copied again.
  void apply(const cv::Mat& src, const std::vector<cv::Point2f>& target, int interpolation,
             cv::Mat& dst, const cv::Rect& detail, bool overEarlierFrame = false);

  const cv::Rect& roi() const { return roi_; }
  const std::vector<Triangle>& triangles() const { return triangles_; }

 private:
  // One side of a destination triangle as a bound on a row's columns: one barycentric weight,
  // w = p*dx + q*dy + r with (dx, dy) the pixel's offset from the triangle's first corner, must
  // stay >= -eps. Solved for dx: dx >= (-eps - r - q*dy) / p (Lower, p > 0), dx <= the same
  // (Upper, p < 0), or, when w does not change along a row, q*dy + r >= -eps (Row). Offsets
  // from the corner keep the terms small, so a nearly horizontal side still gives exact spans.
  struct EdgeBound {
    enum Kind { Lower, Upper, Row } kind = Row;
    float q = 0, r = 0, inverseP = 0;
  };
  // One destination triangle, ready to rasterise: the source position of the roi pixel at offset
  // (dx, dy) from corner d0 is (sx + ax*dx + bx*dy, sy + ay*dx + by*dy) inside it.
  struct TriangleSetup {
    cv::Point2f d0;
    float sx = 0, ax = 0, bx = 0, sy = 0, ay = 0, by = 0;
    std::array<EdgeBound, 3> edges;
    int x0 = 0, x1 = 0, y0 = 0, y1 = 0;  // bounding box in roi pixels, clipped
  };
  static constexpr int kBandRows = 32;

  void setUpTriangles(const std::vector<cv::Point2f>& target);
  // Sets the maps of the band of `rows` rows from roi row `top` to the identity in columns
  // [x0, x1].
  void startBand(int top, int rows, int x0, int x1);
  // Writes the maps of rows [yFrom, yTo] (the band in the maps) inside the triangle; widens
  // [written0, written1] to the columns written.
  void rasterizeRows(const TriangleSetup& u, int yFrom, int yTo, int& written0, int& written1);

  std::vector<Triangle> triangles_;
  std::vector<cv::Point2f> source_;
  cv::Rect roi_;
  std::vector<TriangleSetup> setups_;
  // Per band, the columns the mesh has ever covered ([first, last], empty when last < first):
  // outside them an earlier result holds the photo.
  std::vector<std::pair<int, int>> everWritten_;
  // CV_32F, one band of the roi: the source position of each of its destination pixels.
  cv::Mat mapX_, mapY_;
};

}  // namespace dh::render
