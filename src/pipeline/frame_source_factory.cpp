#include "pipeline/frame_source_factory.h"

#include <opencv2/imgproc.hpp>

#include "animate/motion_planner.h"
#include "animate/style.h"
#include "core/error.h"
#include "face/face_analysis.h"
#include "pipeline/still_frame_source.h"
#include "render/face_renderer.h"

namespace dh::pipeline {
namespace {

// The talking face: the motion plan for every frame, drawn by the face renderer on request.
class TalkingFaceSource : public FrameSource {
 public:
  using MouthFeed = std::function<speech::MouthPose(int64_t)>;
  TalkingFaceSource(std::unique_ptr<render::FaceRenderer> renderer,
                    std::vector<animate::FaceParams> plan, animate::Style style, MouthFeed mouth,
                    cv::Point2f faceCentre)
      : renderer_(std::move(renderer)),
        plan_(std::move(plan)),
        style_(style),
        mouth_(std::move(mouth)),
        faceCentre_(faceCentre) {}

  cv::Size frameSize() const override { return renderer_->photo().size(); }
  int64_t frameCount() const override { return static_cast<int64_t>(plan_.size()); }
  void render(int64_t index, cv::Mat& out) override { draw(index, out, false); }
  void redraw(int64_t index, cv::Mat& out) override { draw(index, out, true); }
  std::optional<cv::Rect> changingRegion() const override {
    if (moving()) return std::nullopt;  // the camera moves: every pixel changes
    return renderer_->headRegion();
  }

 private:
  bool moving() const { return style_.zoomStart != 1.0f || style_.zoomEnd != 1.0f; }

  void draw(int64_t index, cv::Mat& out, bool overEarlierFrame) {
    animate::FaceParams& params = plan_.at(static_cast<size_t>(index));
    if (mouth_) animate::setMouth(params, mouth_(index), style_);
    if (!moving()) {
      renderer_->render(params, out, overEarlierFrame);
      return;
    }
    // The face is drawn on its own canvas (kept between frames, as the renderer expects), then
    // the camera zooms about the face: eased from the first frame's zoom to the last's.
    const bool again = !canvas_.empty();
    renderer_->render(params, canvas_, again);
    const double t = frameCount() > 1 ? static_cast<double>(index) / (frameCount() - 1) : 0.0;
    const double ease = t * t * (3.0 - 2.0 * t);
    const double zoom = style_.zoomStart + (style_.zoomEnd - style_.zoomStart) * ease;
    // Zooming by >= 1 about a point inside the frame shows only what is inside the picture.
    const cv::Size size = canvas_.size();
    const double cx = std::clamp<double>(faceCentre_.x, 0.0, size.width - 1.0);
    const double cy = std::clamp<double>(faceCentre_.y, 0.0, size.height - 1.0);
    const cv::Matx23d m(zoom, 0.0, (1.0 - zoom) * cx, 0.0, zoom, (1.0 - zoom) * cy);
    cv::warpAffine(canvas_, out, m, size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }

  std::unique_ptr<render::FaceRenderer> renderer_;
  std::vector<animate::FaceParams> plan_;
  animate::Style style_;
  MouthFeed mouth_;
  cv::Point2f faceCentre_;
  cv::Mat canvas_;  // the face before the camera, when the camera moves
};

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
  const face::FaceAnalysis analysis = inputs.face ? *inputs.face : analyzePortrait(inputs.photo);
  progress.update(0.7);
  cv::Mat still;
  cv::resize(inputs.photo, still, inputs.outputSize, 0, 0, cv::INTER_AREA);
  const face::FaceAnalysis scaled = face::scaledTo(analysis, inputs.outputSize);

  const animate::Style style = animate::styleFromPrompt(inputs.options.prompt);
  std::vector<animate::FaceParams> plan =
      animate::planMotion(inputs.speech, style, inputs.options.seed);
  render::RendererOptions renderOptions;
  renderOptions.quality =
      inputs.options.mode == Mode::Pro ? render::Quality::Pro : render::Quality::Standard;
  auto renderer = std::make_unique<render::FaceRenderer>(still, scaled, renderOptions);
  progress.update(1.0);
  // The camera zooms about the middle of the eyes and the mouth.
  const auto& lm = scaled.landmarks;
  const cv::Point2f faceCentre = (lm[36] + lm[45] + lm[48] + lm[54]) * 0.25f;
  return std::make_unique<TalkingFaceSource>(std::move(renderer), std::move(plan), style,
                                             inputs.mouth, faceCentre);
}

}  // namespace dh::pipeline
