#pragma once
// The skin around the mouth as it responds to the lips: smiles and wide vowels deepen the folds
// beside the nose (with the cheek bulging above them) and the shadows at the mouth corners. The
// skin's own texture is kept: the frame is shaded, never painted over. (The chin's skin is
// stretched with the jaw by the mesh warp itself.)
#include <opencv2/core.hpp>

#include <vector>

namespace dh::render {

struct SurroundOptions {
  float foldDepth = 0.10f;    // darkening at the fold's crease at full smile, 0..1
  float cheekLight = 0.06f;   // brightening of the cheek above the fold at full smile
  float cornerDepth = 0.22f;  // darkening at the mouth corners at full smile
  // IOD: half-width of the fold's crease; narrower (0.022) it read as a scratch on small, soft
  // faces (docs/BENCHMARKS.md, "A cheaper warp ...")
  float foldWidth = 0.045f;
};

class MouthSurround {
 public:
  explicit MouthSurround(const SurroundOptions& options = {}) : options_(options) {}

  // `points`: this frame's control points (the 68 landmarks first); `axis`: unit vector along
  // the eye line; `unit`: px per IOD. `smile`, `spread`: the frame's parameters, 0..1.
  void draw(const std::vector<cv::Point2f>& points, cv::Point2f axis, float unit, float smile,
            float spread, cv::Mat& frame);

 private:
  void drawSide(const std::vector<cv::Point2f>& points, int side, cv::Point2f axis, float unit,
                float strength, cv::Mat& frame);

  SurroundOptions options_;
  std::vector<cv::Point2f> curve_;  // scratch: the fold as a polyline
};

}  // namespace dh::render
