#pragma once
// The stabilised 68-point tracker of the realism benchmark: dlib's face detector and landmark
// model (the same ones the renderer analyses photos with) run over every frame of a video, at a
// fixed short side, with a light temporal filter. The same tracker measures the real clip and
// our render, so its own biases cancel in the ratios.
#include <string>
#include <vector>

#include "face/face_analysis.h"

namespace dh::bench {

struct TrackOptions {
  int shortSide = 448;    // px: every video is measured at this size (real crops are 224 px)
  int detectEvery = 8;    // frames between detector runs; between them the box follows the face
  bool stabilise = true;  // [1 2 1]/4 filter over time on every landmark coordinate
};

struct TrackedVideo {
  double fps = 25.0;
  // One per frame; a frame before the first face takes the first face's landmarks.
  std::vector<face::Landmarks> landmarks;
  std::vector<bool> found;    // false before the first face
  int width = 0, height = 0;  // of the measured (scaled) frames
};

// Tracks every frame of `path`. Throws std::runtime_error when the video cannot be read or no
// face is found in it at all.
TrackedVideo trackVideo(const std::string& path, const TrackOptions& options = {});

// Frame `index` of `path` at the tracker's scale (for sheets).
cv::Mat readFrame(const std::string& path, int index, int shortSide);
// Up to `count` frames from `first` on, read in one pass (at least one, or it throws).
std::vector<cv::Mat> readFrames(const std::string& path, int first, int count, int shortSide);

}  // namespace dh::bench
