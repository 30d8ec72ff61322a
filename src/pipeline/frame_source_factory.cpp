#include "pipeline/frame_source_factory.h"

#include "pipeline/still_frame_source.h"

namespace dh::pipeline {

std::unique_ptr<FrameSource> makeFrameSource(const FrameSourceInputs& inputs,
                                             const core::Progress& progress) {
  progress.update(1.0);
  return std::make_unique<StillFrameSource>(inputs.photo, inputs.outputSize,
                                            static_cast<int64_t>(inputs.speech.size()));
}

}  // namespace dh::pipeline
