#include "pipeline/frame_source_factory.h"

#include <opencv2/imgproc.hpp>

#include "animate/camera.h"
#include "animate/gestures.h"
#include "animate/intonation.h"
#include "animate/motion_planner.h"
#include "animate/style.h"
#include "core/error.h"
#include "face/face_analysis.h"
#include "pipeline/still_frame_source.h"
#include "render/face_renderer.h"

namespace dh::pipeline {
namespace {

// The talking face: the motion plan for every frame, drawn by the face renderer on request, seen
// through the camera.
class TalkingFaceSource : public FrameSource {
 public:
  using MouthFeed = std::function<speech::MouthPose(int64_t)>;
  TalkingFaceSource(std::unique_ptr<render::FaceRenderer> renderer,
                    std::vector<animate::FaceParams> plan, animate::Style style, MouthFeed mouth,
                    animate::CameraPath camera)
      : renderer_(std::move(renderer)),
        plan_(std::move(plan)),
        style_(style),
        mouth_(std::move(mouth)),
        camera_(std::move(camera)) {}

  cv::Size frameSize() const override { return renderer_->photo().size(); }
  int64_t frameCount() const override { return static_cast<int64_t>(plan_.size()); }
  void render(int64_t index, cv::Mat& out) override { draw(index, out, false); }
  void redraw(int64_t index, cv::Mat& out) override { draw(index, out, true); }
  std::optional<cv::Rect> changingRegion() const override {
    if (camera_.moves()) return std::nullopt;  // the camera moves: every pixel changes
    return renderer_->headRegion();
  }

 private:
  void draw(int64_t index, cv::Mat& out, bool overEarlierFrame) {
    animate::FaceParams& params = plan_.at(static_cast<size_t>(index));
    if (mouth_) animate::setMouth(params, mouth_(index), style_);
    if (!camera_.moves()) {
      renderer_->render(params, out, overEarlierFrame);
      return;
    }
    // The face is drawn on its own canvas (kept between frames, as the renderer expects), then
    // seen through the camera, which never shows outside the picture.
    const bool again = !canvas_.empty();
    renderer_->render(params, canvas_, again);
    cv::warpAffine(canvas_, out, camera_.at(static_cast<size_t>(index)), canvas_.size(),
                   cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }

  std::unique_ptr<render::FaceRenderer> renderer_;
  std::vector<animate::FaceParams> plan_;
  animate::Style style_;
  MouthFeed mouth_;
  animate::CameraPath camera_;
  cv::Mat canvas_;  // the face before the camera, when the camera moves
};

// The analysis of `photo` expressed in its part `crop`.
face::FaceAnalysis croppedTo(const face::FaceAnalysis& analysis, const cv::Rect& crop) {
  face::FaceAnalysis out = analysis;
  const cv::Point2f origin(static_cast<float>(crop.x), static_cast<float>(crop.y));
  for (auto& p : out.landmarks) p -= origin;
  out.box -= crop.tl();
  out.imageSize = crop.size();
  return out;
}

}  // namespace

face::FaceAnalysis analyzePortrait(const cv::Mat& photo) {
  try {
    return face::analyzeFace(photo);
  } catch (...) {
    core::rethrowWithContext("face analysis");
  }
}

std::unique_ptr<FrameSource> makeFrameSource(const FrameSourceInputs& inputs,
                                             const core::Progress& progress) {
  const animate::Style style = animate::styleFromPrompt(inputs.options.prompt);

  // The motion plan needs only the voice: made before waiting for the face.
  // Gestures: from the words of a synthesised text, else the tilts of questions heard.
  const animate::MotionOptions motion;
  const double fps = inputs.speech.fps > 0 ? inputs.speech.fps : 25.0;
  std::vector<animate::GestureCue> gestures = animate::gestureCues(inputs.words);
  if (inputs.words.empty() && inputs.voice) {
    gestures =
        animate::questionTilts(*inputs.voice, inputs.voiceRate,
                               animate::findPhrases(inputs.speech, fps, motion.phrasePauseSeconds));
  }
  std::vector<animate::FaceParams> plan =
      animate::planMotion(inputs.speech, style, inputs.options.seed, motion, gestures);

  const face::FaceAnalysis analysis = inputs.face ? inputs.face() : analyzePortrait(inputs.photo);
  progress.update(0.7);

  // The framing: the part of the photo the video shows, at the output size.
  const cv::Rect crop = animate::framingCrop(style.framing, inputs.photo.size(), analysis.landmarks,
                                             inputs.outputSize);
  cv::Mat still;
  face::FaceAnalysis framed = analysis;
  if (crop.size() == inputs.photo.size()) {
    cv::resize(inputs.photo, still, inputs.outputSize, 0, 0, cv::INTER_AREA);
  } else {
    const bool enlarging = crop.width < inputs.outputSize.width;
    cv::resize(inputs.photo(crop), still, inputs.outputSize, 0, 0,
               enlarging ? cv::INTER_CUBIC : cv::INTER_AREA);
    framed = croppedTo(analysis, crop);
  }
  const face::FaceAnalysis scaled = face::scaledTo(framed, inputs.outputSize);

  render::RendererOptions renderOptions;
  renderOptions.quality =
      inputs.options.mode == Mode::Pro ? render::Quality::Pro : render::Quality::Standard;
  auto renderer = std::make_unique<render::FaceRenderer>(still, scaled, renderOptions);
  progress.update(1.0);
  // The camera zooms and pans about the middle of the eyes and the mouth.
  const auto& lm = scaled.landmarks;
  const cv::Point2f faceCentre = (lm[36] + lm[45] + lm[48] + lm[54]) * 0.25f;
  animate::CameraPath camera(style, inputs.outputSize, faceCentre, plan.size(),
                             inputs.speech.fps > 0 ? inputs.speech.fps : 25.0, inputs.options.seed);
  return std::make_unique<TalkingFaceSource>(std::move(renderer), std::move(plan), style,
                                             inputs.mouth, std::move(camera));
}

}  // namespace dh::pipeline
