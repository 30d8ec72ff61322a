#include "fit_clips.h"

#include <algorithm>
#include <iostream>

#include "clip_list.h"
#include "core/file_io.h"
#include "media/audio_decoder.h"
#include "realism_measures.h"
#include "speech/speech_analysis.h"

namespace dh::bench {

constexpr double kMaxLipGap = 0.32;  // IOD at jawOpen = 1 (animate::RigOptions::maxLipGap)

std::vector<FitClip> loadFitClips(const std::string& listPath) {
  std::vector<FitClip> clips;
  const speech::SpeechAnalysisConfig analysis;
  for (const Clip& clip : readClipList(listPath)) {
    FitClip f;
    f.name = clip.name;
    const TrackedVideo video = trackVideo(clip.real);
    f.fps = video.fps;
    f.realMouth = measureCurves(video).mouth;
    f.mono = media::resampleMono(
        media::decodeAudio(core::readFileBytes(clip.voice, "voice"), "voice"), 16000);
    f.speech = measureSound(f.mono, f.fps, f.realMouth.size()).speech;
    f.features = speech::analyzeAcoustics(f.mono, analysis.acoustic);
    f.phones = speech::recognizePhones(f.mono, analysis.recognizer,
                                       speech::silencesToSkip(f.features, analysis));
    std::cerr << clip.name << ": " << f.realMouth.size() << " frames, " << f.phones.size()
              << " phones\n";
    clips.push_back(std::move(f));
  }
  return clips;
}

std::vector<float> predictedGap(const FitClip& clip, const speech::ArticulationConfig& config) {
  const speech::ArticulationTrack track =
      speech::buildArticulationTrack(clip.phones, clip.features, clip.fps, config);
  std::vector<float> gap;
  for (const auto& m : track.frames) {
    gap.push_back(static_cast<float>(kMaxLipGap * (m.jawOpen + 0.05 * m.lipRound) *
                                     (1.0 - m.lipPress) * (1.0 - m.lipTuck)));
  }
  return gap;
}

double meanOver(const std::vector<float>& v, const std::vector<bool>& use) {
  double sum = 0.0;
  int n = 0;
  for (size_t k = 0; k < v.size() && k < use.size(); ++k) {
    if (use[k]) sum += v[k], ++n;
  }
  return n ? sum / n : 0.0;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace dh::bench
