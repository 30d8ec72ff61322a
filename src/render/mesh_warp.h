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
  void apply(const cv::Mat& src, const std::vector<cv::Point2f>& target, int interpolation,
             cv::Mat& dst, const cv::Rect& detail);

  const cv::Rect& roi() const { return roi_; }
  const std::vector<Triangle>& triangles() const { return triangles_; }

 private:
  void rasterize(const std::vector<cv::Point2f>& target);

  std::vector<Triangle> triangles_;
  std::vector<cv::Point2f> source_;
  cv::Rect roi_;
  cv::Mat mapX_, mapY_;  // CV_32F, roi size: source position of every destination pixel
};

}  // namespace dh::render
