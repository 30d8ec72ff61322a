#pragma once
// The face rig: maps face parameters to positions of the mesh control points (68 landmarks plus
// forehead, head-ring and fixed anchor points) in image pixels. Displacements are defined in a
// face frame (origin between the eyes, x along the eye line, unit = inter-ocular distance) so
// the same parameters look the same on any face size.
#include <opencv2/core.hpp>

#include <vector>

#include "animate/face_params.h"
#include "face/face_analysis.h"

namespace dh::animate {

struct RigOptions {
  float maxLipGap = 0.32f;       // IOD between the lips at jawOpen = 1
  float headRingScale = 1.3f;    // head ring half-width / face half-width
  float anchorRingScale = 1.8f;  // fixed outer ring half-width / face half-width
  int contourDensity = 1;        // 2 adds interpolated points between jaw and lip landmarks
};

class FaceRig {
 public:
  FaceRig(const face::FaceAnalysis& analysis, const RigOptions& options = {});

  // All control points: [0, 68) landmarks, then contour midpoints (pro), then extra points.
  int pointCount() const { return static_cast<int>(face_.size()); }
  // Where each control point is in the photo (the warp's source side).
  const std::vector<cv::Point2f>& sourcePoints() const { return source_; }
  // Where each control point goes for `params`, image pixels.
  void pose(const FaceParams& params, std::vector<cv::Point2f>& out) const;
  // Positions used to build the triangulation: the mouth held open so the mouth cavity gets its
  // own triangles.
  std::vector<cv::Point2f> triangulationLayout() const;
  // The fixed outer anchor ring: nothing outside its bounding box ever changes.
  cv::Rect anchorBounds() const;

  float interOcular() const { return unit_; }
  // Control point index of the lid crease above landmark 37, 38, 43 or 44 (k = 0..3).
  int creaseIndex(int k) const { return creaseStart_ + k; }
  // Index lists of the inner lip contour (8 landmarks 60..67, in order) for the renderer.
  static constexpr int kInnerLip[8] = {60, 61, 62, 63, 64, 65, 66, 67};

 private:
  struct Point {
    cv::Point2f neutral;              // face frame, mouth closed
    float depth = 0.0f;               // IOD towards the camera, for yaw and pitch
    float headWeight = 1.0f;          // 0 fixed .. 1 moves with the head
    float jawWeight = 0.0f;           // share of the chin's jaw displacement (extra points)
    int midOf[4] = {-1, -1, -1, -1};  // contour midpoint: Catmull-Rom of these landmarks
  };

  cv::Point2f toImage(cv::Point2f q) const { return origin_ + (q.x * ex_ + q.y * ey_) * unit_; }
  cv::Point2f toFace(cv::Point2f p) const;
  void deformLandmarks(const FaceParams& params, std::vector<cv::Point2f>& q) const;
  cv::Point2f applyHead(cv::Point2f q, float depth, float weight, const FaceParams& p) const;

  RigOptions options_;
  cv::Point2f origin_, ex_, ey_;
  float unit_ = 1.0f;
  int creaseStart_ = 0;
  float mouthCenterX_ = 0.0f, mouthHalfWidth_ = 0.5f, chinY_ = 1.5f, faceHalfWidth_ = 1.0f;
  std::vector<Point> face_;
  std::vector<cv::Point2f> source_;
  mutable std::vector<cv::Point2f> work_;  // face-frame scratch of pose()
};

}  // namespace dh::animate
