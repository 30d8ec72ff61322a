#include "pipeline/pipeline.h"

#include <filesystem>
#include <future>
#include <system_error>

#include "core/error.h"
#include "core/log.h"
#include "core/thread_name.h"
#include "media/audio_decoder.h"
#include "media/image_decoder.h"
#include "media/output_size.h"
#include "media/video_encoder.h"
#include "pipeline/frame_drawing_thread.h"
#include "pipeline/frame_source_factory.h"
#include "speech/articulation_feed.h"
#include "speech/tts.h"

namespace dh::pipeline {
namespace {

// Removes the temporary file unless the render committed it.
class TempOutput {
 public:
  explicit TempOutput(std::string finalPath)
      : finalPath_(std::move(finalPath)), tempPath_(finalPath_ + ".part") {}
  ~TempOutput() {
    if (!committed_) {
      std::error_code ignored;
      std::filesystem::remove(tempPath_, ignored);
    }
  }
  const std::string& path() const { return tempPath_; }
  void commit() {
    std::filesystem::rename(tempPath_, finalPath_);
    committed_ = true;
  }

 private:
  std::string finalPath_;
  std::string tempPath_;
  bool committed_ = false;
};

void encodeFrames(FrameSource& source, const media::AudioClip& audio,
                  const media::VideoSettings& settings, const std::string& path,
                  const core::Progress& progress) {
  media::VideoEncoder encoder(path, settings, &audio);
  const int64_t total = source.frameCount();
  const int64_t reportEvery = std::max<int64_t>(1, settings.fps / 5);
  // Frames are drawn on their own thread while this one converts and encodes the previous ones.
  FrameDrawingThread drawing(source);
  try {
    for (int64_t i = 0; i < total; ++i) {
      if (i % reportEvery == 0) progress.update(static_cast<double>(i) / total);
      encoder.writeFrame(drawing.next(), source.changingRegion());
      drawing.release();
    }
    encoder.finish();
  } catch (const std::exception& e) {
    // Cancelled (the worker shuts down and hands the task back): another render resumes the
    // live stream. Any other failure ends it, as the encoder does when it is destroyed.
    const core::Error* error = core::findError(e);
    if (error && error->kind() == core::ErrorKind::Cancelled) encoder.leaveStreamOpen();
    throw;
  }
  progress.update(1.0);
}

}  // namespace

void setSpeechFromText(RenderRequest& request, const std::string& text, const std::string& voiceId,
                       const std::string& language, double speed) {
  const speech::SpeechAudio speech = speech::synthesize(text, voiceId, language, speed);
  request.audio = speech::encodeWav(speech);
  request.phones = speech.phones;
  request.words = speech.words;
}

RenderResult render(const RenderRequest& request, const std::string& outputPath,
                    const core::Progress& progress, const std::string& streamDirectory) {
  const ModeSettings mode = settingsFor(request.options.mode);

  const core::Progress decoding = progress.stage("decode", 0.0, 0.05);
  const cv::Mat photo = media::decodeImage(request.image, request.imageField);
  // The face is analysed in the background from here on, while the voice is decoded and analysed
  // and the motion planned; the voice is recognised in the background while the frames are drawn:
  // a frame waits only if its mouth pose is not yet known.
  auto faceAnalysis = std::async(std::launch::async, [&] {
    core::nameThisThread("dh-face");
    return analyzePortrait(photo);
  });
  const media::AudioClip audio = media::decodeAudio(request.audio, request.audioField);
  decoding.update(1.0);

  const core::Progress analysing = progress.stage("analyse", 0.05, 0.15);
  const std::vector<float> voice = media::resampleMono(audio, speech::kAnalysisSampleRate);
  // One recognition thread: the pieces are then recognised one after the other in time order, so
  // the first piece (the first frame waits for it) has a core of its own beside the face analysis
  // instead of sharing it with the second piece. The live stream's first segment comes sooner;
  // the video is the same and the render no slower (docs/BENCHMARKS.md, "Live stream").
  speech::SpeechAnalysisConfig speechConfig;
  speechConfig.recognizer.threads = 1;
  speech::ArticulationFeed speech(voice, mode.fps, request.phones, request.audioField,
                                  speechConfig);
  const cv::Size size = media::outputSizeFor(photo.size(), mode.shortSide);
  const RenderOptions& options = request.options;
  FrameSourceInputs inputs{photo, speech.cues(), size, options};
  inputs.face = [&faceAnalysis, &analysing] {
    face::FaceAnalysis face = faceAnalysis.get();
    analysing.update(1.0);
    return face;
  };
  inputs.words = request.words;
  inputs.voice = &voice;
  inputs.voiceRate = speech::kAnalysisSampleRate;
  inputs.mouth = [&speech](int64_t frame) {
    try {
      return speech.pose(static_cast<size_t>(frame));
    } catch (...) {
      core::rethrowWithContext("speech analysis");
    }
  };
  auto source = makeFrameSource(inputs, progress.stage("face", 0.15, 0.2));

  media::VideoSettings video;
  video.size = size;
  video.fps = mode.fps;
  video.crf = mode.crf;
  video.preset = mode.preset;
  video.x264Params = mode.x264Params;
  video.live.directory = streamDirectory;
  TempOutput output(outputPath);
  try {
    encodeFrames(*source, audio, video, output.path(), progress.stage("render", 0.2, 1.0));
    output.commit();
  } catch (...) {
    core::rethrowWithContext("rendering " + outputPath);
  }

  RenderResult result;
  result.audioSeconds = audio.durationSeconds();
  result.frames = source->frameCount();
  result.fps = mode.fps;
  result.videoSeconds = static_cast<double>(result.frames) / mode.fps;
  result.size = size;
  core::logger("pipeline")
      ->debug("rendered {} frames {}x{} to {}", result.frames, size.width, size.height, outputPath);
  return result;
}

}  // namespace dh::pipeline
