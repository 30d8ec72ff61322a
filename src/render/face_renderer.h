#pragma once
// Draws one video frame of the talking face: the photo with the head region warped to the
// frame's face parameters and the mouth interior drawn where the lips part. Everything outside
// headRegion() is the photo, untouched.
#include <opencv2/core.hpp>

#include <memory>
#include <vector>

#include "animate/face_params.h"
#include "animate/face_rig.h"
#include "face/face_analysis.h"
#include "render/eyelids.h"
#include "render/eyes.h"
#include "render/mesh_warp.h"
#include "render/mouth_interior.h"
#include "render/mouth_surround.h"

namespace dh::render {

enum class Quality {
  Standard,  // landmark mesh, bilinear sampling
  Pro,       // contour midpoints in the mesh, bicubic sampling, finer mouth interior
};

struct RendererOptions {
  Quality quality = Quality::Standard;
};

class FaceRenderer {
 public:
  // `photo`: the still at the output size; `analysis`: its face, in the same pixels.
  FaceRenderer(const cv::Mat& photo, const face::FaceAnalysis& analysis,
               const RendererOptions& options = {});

  // Draws the frame for `params` into `out` (resized to the photo's size when needed).
  // `overEarlierFrame`: `out` holds a frame this renderer drew before, untouched since, so the
  // parts that never change are not copied again.
  void render(const animate::FaceParams& params, cv::Mat& out, bool overEarlierFrame = false);

  // The only pixels render() ever changes.
  cv::Rect headRegion() const { return warp_->roi(); }
  const cv::Mat& photo() const { return photo_; }
  // The 68 landmark positions of the last rendered frame (what a tracker should find).
  std::vector<cv::Point2f> lastLandmarks() const;
  // Mesh triangles and their last destination points, for drawing the mesh in diagnostics.
  const std::vector<Triangle>& triangles() const { return warp_->triangles(); }
  const std::vector<cv::Point2f>& lastPoints() const { return target_; }

 private:
  RendererOptions options_;
  cv::Mat photo_;
  animate::FaceRig rig_;
  std::unique_ptr<MeshWarp> warp_;
  std::unique_ptr<MouthInterior> interior_;
  std::unique_ptr<Eyelids> eyelids_;
  std::unique_ptr<EyeGaze> gaze_;
  MouthSurround surround_;
  cv::Rect detail_;  // frame pixels sampled with the quality's finer interpolation
  std::vector<cv::Point2f> target_;
  std::vector<cv::Point2f> rest_;  // the control points with the mouth closed, this head pose
  MouthFrame mouth_;
};

}  // namespace dh::render
