#include "render/mesh_warp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>
#include <random>
#include <vector>

namespace dh::render {
namespace {

// A textured picture: blurred noise, so a pixel taken from the wrong place shows.
cv::Mat texture(cv::Size size) {
  cv::Mat noise(size, CV_8UC3);
  cv::randu(noise, 0, 255);
  cv::Mat smooth;
  cv::GaussianBlur(noise, smooth, {0, 0}, 1.5);
  cv::normalize(smooth, smooth, 0, 255, cv::NORM_MINMAX);
  return smooth;
}

// A jittered grid of control points over `area`, its outline included.
std::vector<cv::Point2f> jitteredGrid(const cv::Rect& area, int step) {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> jitter(-0.3f * step, 0.3f * step);
  std::vector<cv::Point2f> points;
  for (int y = area.y; y <= area.br().y; y += step) {
    for (int x = area.x; x <= area.br().x; x += step) {
      const bool edge =
          x == area.x || y == area.y || x + step > area.br().x || y + step > area.br().y;
      points.emplace_back(x + (edge ? 0.0f : jitter(random)), y + (edge ? 0.0f : jitter(random)));
    }
  }
  return points;
}

// Largest per-channel difference between `a` and `b` inside `area`.
double maxDifference(const cv::Mat& a, const cv::Mat& b, const cv::Rect& area) {
  cv::Mat diff;
  cv::absdiff(a(area), b(area), diff);
  double worst = 0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &worst);
  return worst;
}

TEST(MeshWarp, TheIdentityCopiesThePictureExactly) {
  const cv::Mat src = texture({240, 200});
  const cv::Rect roi(20, 30, 180, 150);
  const auto points = jitteredGrid({30, 40, 160, 130}, 14);
  MeshWarp warp(delaunay(points), points, roi);
  cv::Mat dst = cv::Mat::zeros(src.size(), src.type());
  warp.apply(src, points, cv::INTER_LINEAR, dst, {});
  EXPECT_EQ(maxDifference(src, dst, roi), 0.0);
  EXPECT_EQ(cv::countNonZero(dst.reshape(1)(cv::Rect(0, 0, 3 * 240, 30))), 0) << "outside roi";
}

// Every pixel inside the mesh gets the affine map's source pixel: a missed pixel (left between
// two triangles) would hold the photo's own pixel instead, far off in this texture.
TEST(MeshWarp, AnAffineMotionOfEveryPointMovesEveryPixelInside) {
  const cv::Mat src = texture({260, 240});
  const cv::Rect roi(10, 10, 240, 220);
  const cv::Rect meshArea(30, 30, 200, 180);
  const auto points = jitteredGrid(meshArea, 11);
  // A small rotation and scale about the centre, with a sub-pixel shift.
  const cv::Point2f centre(130, 120);
  cv::Mat forward = cv::getRotationMatrix2D(centre, 4.0, 1.03);
  forward.at<double>(0, 2) += 1.35;
  forward.at<double>(1, 2) -= 0.8;
  std::vector<cv::Point2f> target;
  cv::transform(points, target, forward);
  MeshWarp warp(delaunay(points), points, roi);
  cv::Mat dst = src.clone();
  warp.apply(src, target, cv::INTER_LINEAR, dst, {});

  cv::Mat expected;
  cv::warpAffine(src, expected, forward, src.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  // Inside the moved mesh, a few pixels in from its outline.
  const cv::Rect inside(44, 44, 172, 152);
  EXPECT_LE(maxDifference(expected, dst, inside), 2.0);
  // And the picture did move: the warp is not the identity there.
  EXPECT_GT(maxDifference(src, dst, inside), 40.0);
}

}  // namespace
}  // namespace dh::render
