#include "render/face_renderer.h"

#include <opencv2/imgproc.hpp>

#include "face/face_colors.h"

namespace dh::render {
namespace {

animate::RigOptions rigOptionsFor(Quality quality) {
  animate::RigOptions o;
  o.contourDensity = quality == Quality::Pro ? 2 : 1;
  return o;
}

InteriorOptions interiorOptionsFor(Quality quality, float unit) {
  InteriorOptions o;
  o.curveSteps = quality == Quality::Pro ? 5 : 3;
  o.toothGaps = quality == Quality::Pro;
  o.edgeSoftness = std::max(0.5f, unit / 160.0f);
  return o;
}

}  // namespace

FaceRenderer::FaceRenderer(const cv::Mat& photo, const face::FaceAnalysis& analysis,
                           const RendererOptions& options)
    : options_(options), photo_(photo), rig_(analysis, rigOptionsFor(options.quality)) {
  // Colours and grain as they are at the output size, for the drawn parts to match.
  face::FaceAnalysis measured = analysis;
  face::measureColors(photo_, measured);
  interior_ = std::make_unique<MouthInterior>(
      measured, photo_.size(), interiorOptionsFor(options.quality, analysis.interOcular));
  eyelids_ = std::make_unique<Eyelids>(rig_, measured.skinColor, measured.grainSigma);
  const cv::Rect roi = rig_.anchorBounds() & cv::Rect(0, 0, photo_.cols, photo_.rows);
  warp_ =
      std::make_unique<MeshWarp>(delaunay(rig_.triangulationLayout()), rig_.sourcePoints(), roi);
  // The features (landmarks, brows to chin, plus a margin of an eighth of their width and a
  // quarter of their height above): where pro's bicubic sampling shows; forehead, hair and
  // background are sampled bilinearly. The photo is upscaled to the output size, so outside the
  // features the two differ by less than the grain.
  const cv::Rect face = cv::boundingRect(analysis.landmarks);
  detail_ = cv::Rect(face.x - face.width / 8, face.y - face.height / 4, face.width * 5 / 4,
                     face.height * 11 / 8);
  target_.reserve(rig_.pointCount());
  innerLip_.resize(8);
}

void FaceRenderer::render(const animate::FaceParams& params, cv::Mat& out, bool overEarlierFrame) {
  if (out.size() != photo_.size() || out.type() != photo_.type()) {
    out.create(photo_.size(), photo_.type());
    overEarlierFrame = false;
  }
  // The warp rewrites the whole head region: only the rest is copied from the photo.
  if (!overEarlierFrame) {
    for (const cv::Rect& band : bandsAround(photo_.size(), warp_->roi())) {
      if (band.width > 0 && band.height > 0) photo_(band).copyTo(out(band));
    }
  }
  rig_.pose(params, target_);
  const int interpolation = options_.quality == Quality::Pro ? cv::INTER_CUBIC : cv::INTER_LINEAR;
  warp_->apply(photo_, target_, interpolation, out, detail_, overEarlierFrame);
  for (int i = 0; i < 8; ++i) innerLip_[i] = target_[animate::FaceRig::kInnerLip[i]];
  interior_->draw(innerLip_, params.tongueShow, rig_.interOcular(), out);
  eyelids_->draw(target_, params.blink, out);
}

std::vector<cv::Point2f> FaceRenderer::lastLandmarks() const {
  return std::vector<cv::Point2f>(target_.begin(), target_.begin() + face::kLandmarkCount);
}

}  // namespace dh::render
