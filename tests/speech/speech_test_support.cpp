#include "speech_test_support.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "media/audio_decoder.h"
#include "support/test_paths.h"

namespace dh::test {

std::vector<float> monoClip(const std::string& relative) {
  return media::resampleMono(media::decodeAudio(readData(relative)), 16000);
}

std::vector<double> frameLevelsDb(const std::vector<float>& mono16k, double fps) {
  const double hop = 16000.0 / fps;
  const auto frames = static_cast<size_t>(std::llround(mono16k.size() / hop));
  std::vector<double> levels(frames, -120.0);
  for (size_t f = 0; f < frames; ++f) {
    const auto a = static_cast<size_t>(f * hop);
    const auto b = std::min(mono16k.size(), static_cast<size_t>((f + 1) * hop));
    double energy = 0.0;
    for (size_t i = a; i < b; ++i) energy += double(mono16k[i]) * mono16k[i];
    if (b > a) levels[f] = 10.0 * std::log10(energy / (b - a) + 1e-12);
  }
  return levels;
}

double silenceThresholdDb(const std::vector<double>& levelsDb) {
  std::vector<double> sorted = levelsDb;
  std::sort(sorted.begin(), sorted.end());
  const double floorDb = sorted[sorted.size() / 10];
  const double loudDb = sorted[sorted.size() * 95 / 100];
  return std::max(floorDb + 6.0, loudDb - 30.0);
}

std::vector<std::pair<size_t, size_t>> silentRuns(const std::vector<double>& levelsDb, double fps,
                                                  double minSeconds) {
  const double threshold = silenceThresholdDb(levelsDb);
  std::vector<std::pair<size_t, size_t>> runs;
  size_t i = 0;
  while (i < levelsDb.size()) {
    if (levelsDb[i] >= threshold) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < levelsDb.size() && levelsDb[j] < threshold) ++j;
    if ((j - i) / fps >= minSeconds) runs.emplace_back(i, j);
    i = j;
  }
  return runs;
}

std::vector<float> minuteOfSpeech() {
  const auto jfk = monoClip("speech/en_m_jfk.wav");
  const auto libri = monoClip("speech/en_m_librivox_0870.wav");
  constexpr size_t kSamples = 60u * 16000u;
  std::vector<float> voice;
  for (int i = 0; voice.size() < kSamples; ++i) {
    const auto& clip = i % 2 == 0 ? jfk : libri;
    voice.insert(voice.end(), clip.begin(), clip.end());
  }
  voice.resize(kSamples);
  return voice;
}

std::vector<float> jawCurve(const speech::ArticulationTrack& track) {
  std::vector<float> jaw;
  for (const auto& pose : track.frames) jaw.push_back(pose.jawOpen);
  return jaw;
}

std::vector<float> silence16k(double seconds) {
  return std::vector<float>(static_cast<size_t>(seconds * 16000), 0.0f);
}

std::vector<float> whiteNoise16k(double seconds, double dbfs, unsigned seed) {
  std::mt19937 rng(seed);
  const double sigma = std::pow(10.0, dbfs / 20.0);
  std::normal_distribution<float> dist(0.0f, static_cast<float>(sigma));
  std::vector<float> out(static_cast<size_t>(seconds * 16000));
  for (float& s : out) s = std::clamp(dist(rng), -1.0f, 1.0f);
  return out;
}

}  // namespace dh::test
