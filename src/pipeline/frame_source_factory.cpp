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
                    std::vector<animate::FaceParams> plan, animate::Style style, MouthFeed mouth)
      : renderer_(std::move(renderer)),
        plan_(std::move(plan)),
        style_(style),
        mouth_(std::move(mouth)) {}

  cv::Size frameSize() const override { return renderer_->photo().size(); }
  int64_t frameCount() const override { return static_cast<int64_t>(plan_.size()); }
  void render(int64_t index, cv::Mat& out) override { draw(index, out, false); }
  void redraw(int64_t index, cv::Mat& out) override { draw(index, out, true); }
  std::optional<cv::Rect> changingRegion() const override { return renderer_->headRegion(); }

 private:
  void draw(int64_t index, cv::Mat& out, bool overEarlierFrame) {
    animate::FaceParams& params = plan_.at(static_cast<size_t>(index));
    if (mouth_) animate::setMouth(params, mouth_(index), style_);
    renderer_->render(params, out, overEarlierFrame);
  }

  std::unique_ptr<render::FaceRenderer> renderer_;
  std::vector<animate::FaceParams> plan_;
  animate::Style style_;
  MouthFeed mouth_;
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
  return std::make_unique<TalkingFaceSource>(std::move(renderer), std::move(plan), style,
                                             inputs.mouth);
}

}  // namespace dh::pipeline
