#pragma once
// Chooses and builds the frame source for a render.
#include <functional>
#include <memory>

#include "core/progress.h"
#include "face/face_analysis.h"
#include "pipeline/frame_source.h"
#include "pipeline/render_settings.h"
#include "speech/articulation_track.h"
#include "speech/timed_phone.h"

namespace dh::pipeline {

struct FrameSourceInputs {
  const cv::Mat& photo;                     // decoded BGR photo at its own resolution
  const speech::ArticulationTrack& speech;  // one entry per output frame
  cv::Size outputSize;
  const RenderOptions& options;
  // The photo's face analysis when the caller runs it (beside the speech analysis): asked for
  // once, after the motion is planned, so the planning overlaps it too. Empty: the factory
  // analyses the photo itself.
  std::function<face::FaceAnalysis()> face = {};
  // Each frame's mouth pose when it is delivered as the voice is recognised (it may wait until
  // the pose is known); empty: the poses in `speech` are final.
  std::function<speech::MouthPose(int64_t frame)> mouth = {};
  // The spoken words when the voice was synthesised from a text: head gestures follow them.
  std::vector<speech::TimedWord> words = {};
  // The voice, mono at `voiceRate` Hz, when it is at hand: without words, a phrase whose pitch
  // rises at its end tilts the head as a question does. May be null.
  const std::vector<float>* voice = nullptr;
  int voiceRate = 0;
};

// Face analysis of the photo with the pipeline's error context (throws ContentRejected, "image").
face::FaceAnalysis analyzePortrait(const cv::Mat& photo);

std::unique_ptr<FrameSource> makeFrameSource(const FrameSourceInputs& inputs,
                                             const core::Progress& progress);

}  // namespace dh::pipeline
