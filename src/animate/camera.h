#pragma once
// The camera over the drawn frames: the framing (the part of the photo the video shows, chosen
// before the face is drawn) and the moves (zoom, pan, handheld shake) applied to every drawn
// frame. Nothing outside the picture is ever shown: every move zooms in by at least as much as
// it travels.
#include <opencv2/core.hpp>

#include <cstdint>
#include <vector>

#include "animate/style.h"
#include "face/face_analysis.h"

namespace dh::animate {

struct CameraOptions {
  // Framing: the face's height (brows to chin) as a fraction of the frame's height.
  float closeUpFace = 0.42f;  // a close-up
  float mediumFace = 0.12f;   // a medium shot (closer only when the face is smaller than this)
  // Quality limit of a framing: the photo's pixels are never enlarged more than this (output
  // pixels per photo pixel) ...
  float maxMagnification = 1.25f;
  // ... except that a framing may always close in this far (as far as a push-in goes).
  float minCloseIn = 1.15f;
  // Pan: the view runs between these fractions of the frame's width about the face's height.
  float panFrom = 0.1f;
  float panTo = 0.9f;
  // Handheld shake (at Style::handheld 1): a slow sway and a faster tremor, both smoothed
  // random drift, standard deviations as fractions of the frame's short side, and a roll.
  float handheldZoom = 1.03f;      // the margin the shake moves in
  double swaySeconds = 0.9;        // time constant of the sway
  double swayFraction = 0.003;     // 0.3% of the frame
  double tremorSeconds = 0.22;     // time constant of the tremor
  double tremorFraction = 0.0007;  // 0.07% of the frame
  double rollDegrees = 0.12;
};

// The part of `photo` the framing shows: the photo's aspect ratio, within the photo, about the
// face (landmarks in photo pixels). The whole photo for Framing::Photo, or when closing in is not
// possible; `output` is the video's frame size (for the quality limit).
cv::Rect framingCrop(Framing framing, cv::Size photo, const face::Landmarks& landmarks,
                     cv::Size output, const CameraOptions& options = {});

// Each frame's camera: a 2x3 map from the drawn frame to the output frame (same size).
class CameraPath {
 public:
  // `face`: the point the camera zooms and pans about, in frame pixels. Seeded: the same
  // inputs give the same path.
  CameraPath(const Style& style, cv::Size frame, cv::Point2f face, size_t frames, double fps,
             uint64_t seed, const CameraOptions& options = {});

  // False when every frame is drawn as it is (the identity map).
  bool moves() const { return moves_; }
  cv::Matx23d at(size_t frame) const;

 private:
  Style style_;
  cv::Size frame_;
  cv::Point2f face_;
  size_t frames_;
  CameraOptions options_;
  bool moves_ = false;
  std::vector<cv::Vec3f> shake_;  // per frame: x, y (pixels), roll (degrees)
};

// Whether the map shows only what is inside the frame of size `size` (its corners map back into
// it, within `tolerance` pixels).
bool staysInside(const cv::Matx23d& map, cv::Size size, double tolerance = 0.5);

}  // namespace dh::animate
