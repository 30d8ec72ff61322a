// Fits the articulation model to real speakers: for each real clip, its phones (recognised from
// its sound, as a render would) and the acoustic cues go through the articulation model under a
// grid of settings, and the jaw track's predicted lip gap is compared with the lip gap the
// tracker measures on the real speaker. Prints the settings ranked by the median correlation at
// the best lag, the gain that matches the real opening, and the real opening per phone.
//
// Usage: articulation_fit --list FILE [--dump DIR | --bands]   (FILE: the clip list
// bench/realism/realism.sh writes; --dump writes each clip's real and predicted curves as CSV
// instead of fitting; --bands prints how well each band of the voice's spectrum follows the real
// lip gap)
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "fit_clips.h"
#include "realism_measures.h"
#include "spectral_bands.h"
#include "speech/signal_utils.h"
#include "speech/speech_analysis.h"

namespace dh::bench {
namespace {

// Opening peaks that stand at least 20% of the curve's range above the dips on both sides, per
// second of speech: how often the mouth opens and closes again.
double openingsPerSecond(const std::vector<float>& curve, const std::vector<bool>& speech,
                         double fps) {
  if (curve.empty()) return 0.0;
  const auto [lo, hi] = std::minmax_element(curve.begin(), curve.end());
  const size_t peaks = speech::prominentPeaks(curve, 0.2f * (*hi - *lo));
  const double seconds = std::count(speech.begin(), speech.end(), true) / fps;
  return seconds > 0 ? peaks / seconds : 0.0;
}

struct Score {
  speech::ArticulationConfig config;
  double lag0 = 0, best = 0, lagMs = 0, openRatio = 0, openings = 0;
};

Score score(const std::vector<FitClip>& clips, const speech::ArticulationConfig& config) {
  std::vector<double> lag0, best, lag, ratio, openings;
  for (const auto& clip : clips) {
    const std::vector<float> ours = predictedGap(clip, config);
    openings.push_back(openingsPerSecond(ours, clip.speech, clip.fps));
    const LagCorrelation c = mouthCorrelation(ours, clip.realMouth, clip.fps);
    lag0.push_back(c.atZero);
    best.push_back(c.best);
    lag.push_back(c.bestLagSeconds * 1000);
    const double real = meanOver(clip.realMouth, clip.speech);
    if (real > 0) ratio.push_back(meanOver(ours, clip.speech) / real);
  }
  return {config, median(lag0), median(best), median(lag), median(ratio), median(openings)};
}

void printPhoneOpenings(const std::vector<FitClip>& clips, double leadSeconds) {
  // Real opening at each phone's middle (shifted by the lead), relative to the clip's mean
  // opening during speech.
  std::map<std::string, std::pair<double, int>> byPhone;
  for (const auto& clip : clips) {
    const double mean = meanOver(clip.realMouth, clip.speech);
    if (mean <= 0) continue;
    for (const auto& p : clip.phones) {
      std::string base;
      for (char ch : p.phone)
        if (std::isupper(static_cast<unsigned char>(ch))) base += ch;
      const auto k =
          static_cast<long>(std::lround((0.5 * (p.start + p.end) - leadSeconds) * clip.fps));
      if (k < 0 || k >= static_cast<long>(clip.realMouth.size())) continue;
      auto& slot = byPhone[base];
      slot.first += clip.realMouth[k] / mean;
      slot.second += 1;
    }
  }
  std::cout << "\nreal opening at the phone's middle / clip's mean opening in speech (lead "
            << leadSeconds * 1000 << " ms):\n";
  for (const auto& [phone, sum] : byPhone) {
    if (sum.second < 5) continue;
    std::cout << "  " << std::setw(5) << std::left << phone << std::right << std::setw(5)
              << sum.second << "  " << std::fixed << std::setprecision(2) << sum.first / sum.second
              << "\n";
  }
}

// Which part of the voice's spectrum follows the real lip gap: per mel band, the median over the
// clips of the correlation between the band's log power and the real lip gap (lag 0 and best
// lag within +-200 ms), then the same for the loudness envelope.
void printBandCorrelations(const std::vector<FitClip>& clips) {
  std::vector<BandLevels> levels;
  for (const auto& clip : clips)
    levels.push_back(melBandLevels(clip.mono, clip.fps, clip.realMouth.size()));
  auto report = [&](const std::string& label, auto curveOf) {
    std::vector<double> lag0, best;
    for (size_t c = 0; c < clips.size(); ++c) {
      const LagCorrelation r = mouthCorrelation(curveOf(c), clips[c].realMouth, clips[c].fps);
      lag0.push_back(r.atZero);
      best.push_back(r.best);
    }
    std::cout << std::fixed << std::setprecision(2) << label << ": r0 " << median(lag0) << " best "
              << median(best) << "\n";
  };
  const auto& edges = levels.front().edgesHz;
  for (size_t b = 0; b < edges.size(); ++b) {
    std::ostringstream label;
    label << "band " << std::setw(2) << b << " " << std::setw(5) << std::lround(edges[b].first)
          << "-" << std::setw(5) << std::lround(edges[b].second) << " Hz";
    report(label.str(), [&](size_t c) { return levels[c].level[b]; });
  }
  report("loudness envelope", [&](size_t c) {
    return speech::buildArticulationTrack(clips[c].phones, clips[c].features, clips[c].fps)
        .loudness;
  });
}

// Writes one CSV per clip (frame, real lip gap, predicted lip gap, speech, loudness) for
// analysis outside the program.
void dumpCurves(const std::vector<FitClip>& clips, const std::string& dir) {
  // Variants of the model isolate its parts: the phone shapes alone, the formant cue alone, the
  // loudness envelope alone, and the whole model without lip closures.
  speech::ArticulationConfig phonesOnly, formantsOnly, loudnessOnly, noClosures;
  phonesOnly.loudnessWeight = 0.0;
  phonesOnly.phoneShapeWeight = 1.0;
  formantsOnly.loudnessWeight = 0.0;
  formantsOnly.phoneShapeWeight = 0.0;
  loudnessOnly.loudnessWeight = 1.0;
  loudnessOnly.shapeFloor = 1.0;
  noClosures.closureDepth = 0.0;
  for (const auto& clip : clips) {
    const speech::ArticulationTrack track =
        speech::buildArticulationTrack(clip.phones, clip.features, clip.fps, {});
    const std::vector<std::vector<float>> columns = {
        predictedGap(clip, {}), predictedGap(clip, phonesOnly), predictedGap(clip, formantsOnly),
        predictedGap(clip, loudnessOnly), predictedGap(clip, noClosures)};
    std::ofstream out(dir + "/" + clip.name + ".csv");
    out << "frame,real,ours,speech,loudness,phones,formants,envelope,noclose,voiced\n";
    for (size_t k = 0; k < clip.realMouth.size() && k < columns[0].size(); ++k) {
      out << k << "," << clip.realMouth[k] << "," << columns[0][k] << "," << clip.speech[k] << ","
          << track.loudness[k];
      for (size_t c = 1; c < columns.size(); ++c) out << "," << columns[c][k];
      out << "," << static_cast<int>(track.voiced[k]) << "\n";
    }
  }
}

int run(const std::string& listPath, const std::string& dumpDir, bool bands) {
  std::vector<FitClip> clips = loadFitClips(listPath);
  if (!dumpDir.empty()) {
    dumpCurves(clips, dumpDir);
    return 0;
  }
  if (bands) {
    printBandCorrelations(clips);
    return 0;
  }
  const speech::SpeechAnalysisConfig analysis;
  std::vector<double> realOpenings;
  for (const auto& clip : clips)
    realOpenings.push_back(openingsPerSecond(clip.realMouth, clip.speech, clip.fps));
  std::cout << "real speakers: " << median(realOpenings) << " openings/s of speech (median)\n";
  const speech::ArticulationConfig current;
  const Score base = score(clips, current);
  std::vector<Score> scores;
  for (double weight : {0.25, 0.5})
    for (double closure : {0.0, 0.35, 0.7})
      for (double band : {0.0, 0.3, 0.5})
        for (double bandLead : {0.0, 0.04})
          for (double shapeWeight : {0.5, 0.65, 0.8}) {
            speech::ArticulationConfig c = current;
            c.loudnessWeight = weight;
            c.closureDepth = closure;
            c.mouthBandWeight = band;
            c.mouthBandLeadSeconds = bandLead;
            c.phoneShapeWeight = shapeWeight;
            scores.push_back(score(clips, c));
          }
  // The recogniser's phone language-model weight, with the shipped articulation settings.
  for (double weight : {2.0, 4.0, 8.0, 12.0}) {
    std::vector<FitClip> variant = clips;
    speech::PhoneRecognizerConfig recognizer = analysis.recognizer;
    recognizer.languageWeight = weight;
    for (auto& clip : variant) {
      clip.phones = speech::recognizePhones(clip.mono, recognizer,
                                            speech::silencesToSkip(clip.features, analysis));
    }
    const Score s = score(variant, current);
    std::cout << std::fixed << std::setprecision(2) << "recogniser -lw " << weight << ": r0 "
              << s.lag0 << " best " << s.best << " at " << std::setprecision(0) << s.lagMs
              << " ms\n";
  }
  std::sort(scores.begin(), scores.end(),
            [](const Score& a, const Score& b) { return a.best > b.best; });
  auto print = [](const char* label, const Score& s) {
    std::cout << std::fixed << std::setprecision(2) << label << " loudnessWeight "
              << s.config.loudnessWeight << " shapeFloor " << s.config.shapeFloor << " closure "
              << s.config.closureDepth << " band " << s.config.mouthBandWeight << " band lead "
              << s.config.mouthBandLeadSeconds << " phone shape " << s.config.phoneShapeWeight
              << " smooth " << s.config.jawSmoothingSeconds << "  | r0 " << s.lag0 << " best "
              << s.best << " at " << std::setprecision(0) << s.lagMs << " ms, open x"
              << std::setprecision(2) << s.openRatio << ", " << s.openings
              << " openings/s (jawGain to match " << s.config.jawGain / std::max(1e-6, s.openRatio)
              << ")\n";
  };
  print("current:", base);
  for (size_t i = 0; i < std::min<size_t>(25, scores.size()); ++i) print("fit:", scores[i]);
  std::cout << "per clip, with the shipped settings:\n";
  for (const auto& clip : clips) {
    const std::vector<float> ours = predictedGap(clip, current);
    const LagCorrelation c = mouthCorrelation(ours, clip.realMouth, clip.fps);
    std::cout << std::fixed << std::setprecision(2) << "  " << clip.name << ": r0 " << c.atZero
              << " best " << c.best << " at " << std::setprecision(0) << c.bestLagSeconds * 1000
              << " ms\n";
  }
  printPhoneOpenings(clips, scores.front().config.phoneLeadSeconds);
  return 0;
}

}  // namespace
}  // namespace dh::bench

int main(int argc, char** argv) {
  CLI::App app("Fits the articulation model to real speakers' measured lip motion");
  std::string list;
  app.add_option("--list", list, "Clip list written by bench/realism/realism.sh")->required();
  std::string dump;
  app.add_option("--dump", dump, "Write each clip's curves as CSV into this folder and stop");
  bool bands = false;
  app.add_flag("--bands", bands,
               "Print how well each mel band of the voice follows the real lip gap and stop");
  CLI11_PARSE(app, argc, argv);
  try {
    return dh::bench::run(list, dump, bands);
  } catch (const std::exception& e) {
    std::cerr << "articulation_fit: " << e.what() << "\n";
    return 1;
  }
}
