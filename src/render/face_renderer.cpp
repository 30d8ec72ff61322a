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

InteriorOptions interiorOptionsFor(Quality quality, float unit, float photoBlur) {
  InteriorOptions o;
  o.curveSteps = quality == Quality::Pro ? 5 : 3;
  o.fineDetail = quality == Quality::Pro;
  o.edgeSoftness = std::max(0.5f, unit / 160.0f);
  o.photoBlurSigma = photoBlur;
  return o;
}

cv::Point2f meanOf(const std::vector<cv::Point2f>& p, std::initializer_list<int> idx) {
  cv::Point2f sum(0, 0);
  for (int i : idx) sum += p[i];
  return sum * (1.0f / static_cast<float>(idx.size()));
}

}  // namespace

FaceRenderer::FaceRenderer(const cv::Mat& photo, const face::FaceAnalysis& analysis,
                           const RendererOptions& options)
    : options_(options), photo_(photo), rig_(analysis, rigOptionsFor(options.quality)) {
  // Colours and grain as they are at the output size, for the drawn parts to match.
  face::FaceAnalysis measured = analysis;
  face::measureColors(photo_, measured);
  interior_ =
      std::make_unique<MouthInterior>(measured, photo_.size(),
                                      interiorOptionsFor(options.quality, analysis.interOcular,
                                                         face::measureBlur(photo_, measured)));
  eyelids_ = std::make_unique<Eyelids>(rig_, photo_, measured.skinColor, measured.grainSigma);
  gaze_ = std::make_unique<EyeGaze>(photo_, analysis.landmarks, analysis.interOcular);
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
  mouth_.innerLip.resize(8);
}

void FaceRenderer::render(const animate::FaceParams& params, cv::Mat& out, bool overEarlierFrame) {
  if (out.size() != photo_.size() || out.type() != photo_.type()) {
    out.create(photo_.size(), photo_.type());
    overEarlierFrame = false;
  }
  if (params.photoHold >= 1.0f) {  // the photo exactly as it was sent
    photo_.copyTo(out);
    rig_.pose(params, target_);
    return;
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
  // Where the closed lips would meet and where the chin would be with this head pose: the teeth
  // are fixed to the skull and the jaw, not to the lips.
  animate::FaceParams rest;
  rest.headRoll = params.headRoll, rest.headYaw = params.headYaw;
  rest.headPitch = params.headPitch, rest.headShift = params.headShift;
  rig_.pose(rest, rest_);
  for (int i = 0; i < 8; ++i) mouth_.innerLip[i] = target_[animate::FaceRig::kInnerLip[i]];
  const cv::Point2f axis = meanOf(target_, {42, 45}) - meanOf(target_, {36, 39});
  mouth_.axis = axis * (1.0f / std::max(1e-3f, static_cast<float>(cv::norm(axis))));
  mouth_.unit = rig_.interOcular();
  mouth_.stomion = 0.5f * (rest_[62] + rest_[66]);
  const cv::Point2f chin = target_[8] - rest_[8];
  mouth_.jawDrop = (-chin.x * mouth_.axis.y + chin.y * mouth_.axis.x) / mouth_.unit;
  mouth_.lipRound = params.lipRound, mouth_.lipSpread = params.lipSpread;
  mouth_.lipTuck = params.lipTuck, mouth_.tongueShow = params.tongueShow;
  mouth_.smile = params.smile;
  interior_->draw(mouth_, out);
  surround_.draw(target_, mouth_.axis, mouth_.unit, params.smile, params.lipSpread, out);
  gaze_->draw(target_, params.gazeYaw, params.gazePitch, out);
  eyelids_->draw(target_, params.blink, out);
}

std::vector<cv::Point2f> FaceRenderer::lastLandmarks() const {
  return std::vector<cv::Point2f>(target_.begin(), target_.begin() + face::kLandmarkCount);
}

}  // namespace dh::render
