#include "speech/acoustic_features.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "speech/signal_utils.h"

namespace dh::speech {
namespace {

constexpr int kFftSize = 1024;        // zero-padded so the autocorrelation does not wrap
constexpr int kBlockFrames = 256;     // frames transformed together
constexpr int kLpcOrder = 10;         // for the 0-4 kHz band
constexpr double kMinPitchHz = 80.0;  // lags up to half the window: the window correction
                                      // (Boersma's method) is unreliable beyond that
constexpr double kMaxPitchHz = 400.0;
constexpr double kFricativeHz = 4000.0;
constexpr double kMouthBandLowHz = 1800.0;  // AcousticFeatures::mouthBandDb
constexpr double kMouthBandHighHz = 3200.0;
constexpr double kFormantBandHz = 4000.0;  // formants are estimated in 0..4 kHz
constexpr double kEnvelopeStepHz = 25.0;
constexpr double kEnvelopeLowHz = 150.0;
constexpr double kEnvelopeHighHz = 3500.0;
constexpr int kBinsPerBand = 6;  // about 94 Hz at 16 kHz

double percentile(std::vector<float> values, double p) {
  if (values.empty()) return -120.0;
  const auto k = static_cast<size_t>(p * (values.size() - 1));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

// Levinson-Durbin: predictor a[0..order] (a[0] = 1) from autocorrelation r[0..order].
bool levinson(const double* r, int order, double* a) {
  std::array<double, kLpcOrder + 1> tmp{};
  a[0] = 1.0;
  for (int i = 1; i <= order; ++i) a[i] = 0.0;
  double error = r[0];
  if (error <= 0.0) return false;
  for (int i = 1; i <= order; ++i) {
    double acc = r[i];
    for (int j = 1; j < i; ++j) acc += a[j] * r[i - j];
    const double k = -acc / error;
    for (int j = 0; j <= order; ++j) tmp[j] = a[j];
    for (int j = 1; j < i; ++j) a[j] = tmp[j] + k * tmp[i - j];
    a[i] = k;
    error *= (1.0 - k * k);
    if (error <= 0.0) return false;
  }
  return true;
}

// Precomputed tables shared by all frames.
struct Tables {
  std::vector<float> window;           // Hann
  std::vector<double> windowAc;        // the window's own normalised autocorrelation
  std::vector<double> lpcCos;          // [lag][bin] cos for 0..4 kHz autocorrelation
  std::vector<double> lpcWeight;       // [bin] pre-emphasis and trapezoid edge weight
  std::vector<double> envelopeHz;      // frequencies where the LPC envelope is evaluated
  std::vector<double> envCos, envSin;  // [point][lag]
  int formantBins = 0;
  double binHz = 0.0;
};

Tables makeTables(int windowSize, int sampleRate) {
  Tables t;
  t.window.resize(windowSize);
  for (int n = 0; n < windowSize; ++n) {
    t.window[n] =
        static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / (windowSize - 1)));
  }
  t.windowAc.assign(windowSize, 0.0);
  double energy = 0.0;
  for (int n = 0; n < windowSize; ++n) energy += t.window[n] * t.window[n];
  for (int lag = 0; lag < windowSize; ++lag) {
    double acc = 0.0;
    for (int n = 0; n + lag < windowSize; ++n) acc += t.window[n] * t.window[n + lag];
    t.windowAc[lag] = acc / energy;
  }
  t.binHz = static_cast<double>(sampleRate) / kFftSize;
  t.formantBins = static_cast<int>(kFormantBandHz / t.binHz);
  for (int k = 0; k <= t.formantBins; ++k) {
    const double w = std::numbers::pi * k / t.formantBins;
    const double emphasis = 1.0 + 0.9025 - 1.9 * std::cos(w);  // |1 - 0.95 z^-1|^2
    const double edge = (k == 0 || k == t.formantBins) ? 0.5 : 1.0;
    t.lpcWeight.push_back(edge * emphasis);
  }
  t.lpcCos.resize((kLpcOrder + 1) * (t.formantBins + 1));
  for (int lag = 0; lag <= kLpcOrder; ++lag) {
    for (int k = 0; k <= t.formantBins; ++k) {
      t.lpcCos[lag * (t.formantBins + 1) + k] =
          std::cos(std::numbers::pi * lag * k / t.formantBins);
    }
  }
  for (double f = kEnvelopeLowHz; f <= kEnvelopeHighHz; f += kEnvelopeStepHz) {
    t.envelopeHz.push_back(f);
  }
  for (double f : t.envelopeHz) {
    const double w = 2.0 * std::numbers::pi * f / (2.0 * kFormantBandHz);
    for (int lag = 0; lag <= kLpcOrder; ++lag) {
      t.envCos.push_back(std::cos(w * lag));
      t.envSin.push_back(std::sin(w * lag));
    }
  }
  return t;
}

// F1 and F2 from the power spectrum's 0-4 kHz band via an LPC envelope (pre-emphasised).
void estimateFormants(const Tables& t, const float* power, float& f1, float& f2) {
  f1 = 0.0f;
  f2 = 0.0f;
  std::array<double, kLpcOrder + 1> r{};
  const int bins = t.formantBins;
  for (int lag = 0; lag <= kLpcOrder; ++lag) {
    double acc = 0.0;
    const double* cosRow = &t.lpcCos[lag * (bins + 1)];
    for (int k = 0; k <= bins; ++k) acc += t.lpcWeight[k] * power[k] * cosRow[k];
    r[lag] = acc;
  }
  if (r[0] <= 0.0) return;
  r[0] *= 1.0001;  // a touch of white-noise conditioning
  std::array<double, kLpcOrder + 1> a{};
  if (!levinson(r.data(), kLpcOrder, a.data())) return;
  const size_t points = t.envelopeHz.size();
  std::vector<double> env(points);
  for (size_t p = 0; p < points; ++p) {
    double re = 0.0;
    double im = 0.0;
    for (int lag = 0; lag <= kLpcOrder; ++lag) {
      re += a[lag] * t.envCos[p * (kLpcOrder + 1) + lag];
      im -= a[lag] * t.envSin[p * (kLpcOrder + 1) + lag];
    }
    env[p] = 1.0 / (re * re + im * im + 1e-12);
  }
  for (size_t p = 1; p + 1 < points; ++p) {
    if (env[p] < env[p - 1] || env[p] < env[p + 1]) continue;
    const double hz = t.envelopeHz[p];
    if (f1 == 0.0f) {
      if (hz >= 200.0 && hz <= 1000.0) f1 = static_cast<float>(hz);
    } else if (hz >= f1 + 200.0 && hz <= 3000.0) {
      f2 = static_cast<float>(hz);
      break;
    }
  }
}

// Removes active runs shorter than minRun frames and bridges gaps shorter than maxGap.
void cleanActivity(std::vector<uint8_t>& active, size_t minRun, size_t maxGap) {
  auto runs = [&active](uint8_t value, size_t maxLength, uint8_t replacement, bool interiorOnly) {
    size_t i = 0;
    while (i < active.size()) {
      if (active[i] != value) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < active.size() && active[j] == value) ++j;
      const bool interior = i > 0 && j < active.size();
      if (j - i < maxLength && (!interiorOnly || interior)) {
        std::fill(active.begin() + i, active.begin() + j, replacement);
      }
      i = j;
    }
  };
  runs(0, maxGap, 1, true);
  runs(1, minRun, 0, false);
}

// A voice's pitch moves smoothly: a frame counts as voiced only when a neighbour found nearly the
// same pitch period. Peaks in noise land on unrelated lags from frame to frame.
void keepSteadyPitch(std::vector<float>& voicing, const std::vector<int>& lag) {
  std::vector<float> out(voicing.size(), 0.0f);
  auto close = [&](size_t a, size_t b) {
    return lag[a] > 0 && lag[b] > 0 && std::abs(lag[a] - lag[b]) <= std::max(2, lag[a] / 12);
  };
  for (size_t f = 0; f < voicing.size(); ++f) {
    const bool steady = (f > 0 && close(f, f - 1)) || (f + 1 < voicing.size() && close(f, f + 1));
    out[f] = steady ? voicing[f] : 0.5f * voicing[f];
  }
  voicing = std::move(out);
}

// Sound without any pitched frame (a cough, a rustle, applause) is not speech.
void dropUnvoicedRuns(std::vector<uint8_t>& active, const std::vector<float>& voicing,
                      size_t minVoiced) {
  size_t i = 0;
  while (i < active.size()) {
    if (!active[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    size_t voiced = 0;
    while (j < active.size() && active[j]) {
      if (voicing[j] >= 0.5f) ++voiced;
      ++j;
    }
    if (voiced < minVoiced) std::fill(active.begin() + i, active.begin() + j, 0);
    i = j;
  }
}

// Frame levels (dB) of the power left after subtracting each band's noise: its quiet-percentile
// power times the over-subtraction factor (spectral subtraction). The result is floored a little
// below the loudest speech so that frames of pure noise sit well under the speech level.
std::vector<float> levelAboveNoise(const std::vector<float>& bandPower, int bands, int windowSize,
                                   const AcousticConfig& config) {
  const size_t frames = bandPower.size() / bands;
  std::vector<double> noise(bands);
  std::vector<float> column(frames);
  for (int band = 0; band < bands; ++band) {
    for (size_t f = 0; f < frames; ++f) column[f] = bandPower[f * bands + band];
    noise[band] = percentile(column, config.noiseBandPercentile);
  }
  std::vector<float> level(frames);
  for (size_t f = 0; f < frames; ++f) {
    double left = 0.0;
    for (int band = 0; band < bands; ++band) {
      left += std::max(0.0, bandPower[f * bands + band] - config.overSubtraction * noise[band]);
    }
    // The FFT power of a Hann-windowed frame, back to the mean-square scale of levelDb.
    left /= static_cast<double>(windowSize) * windowSize * 0.375 / 2.0;
    level[f] = static_cast<float>(10.0 * std::log10(left + 1e-12));
  }
  const double top = percentile(level, config.speechPercentile);
  for (float& l : level) l = std::max(l, static_cast<float>(top - 60.0));
  return level;
}

}  // namespace

AcousticFeatures analyzeAcoustics(const std::vector<float>& mono, const AcousticConfig& config) {
  AcousticFeatures out;
  out.hopSeconds = config.hopSeconds;
  const int hop = static_cast<int>(std::lround(config.hopSeconds * config.sampleRate));
  const int windowSize = std::min(
      kFftSize / 2, static_cast<int>(std::lround(config.windowSeconds * config.sampleRate)));
  const size_t frames = mono.empty() ? 0 : (mono.size() + hop - 1) / hop;
  out.levelDb.assign(frames, -120.0f);
  out.voicing.assign(frames, 0.0f);
  out.f1.assign(frames, 0.0f);
  out.f2.assign(frames, 0.0f);
  out.fricative.assign(frames, 0.0f);
  out.mouthBandDb.assign(frames, -120.0f);
  if (frames == 0) return out;

  const Tables tables = makeTables(windowSize, config.sampleRate);
  const int minLag = static_cast<int>(config.sampleRate / kMaxPitchHz);
  const int maxLag = std::min(windowSize / 2, static_cast<int>(config.sampleRate / kMinPitchHz));
  const int fricativeBin = static_cast<int>(kFricativeHz / tables.binHz);
  const int lowBin = static_cast<int>(100.0 / tables.binHz);
  const int mouthFirst = static_cast<int>(kMouthBandLowHz / tables.binHz);
  const int mouthLast = static_cast<int>(kMouthBandHighHz / tables.binHz);

  std::vector<int> pitchLag(frames, 0);
  // Power in coarse bands of the speech range per frame, for the noisy-recording level below.
  const int bandFirst = lowBin, bandLast = static_cast<int>(kEnvelopeHighHz / tables.binHz);
  const int bands = std::max(1, (bandLast - bandFirst) / kBinsPerBand);
  std::vector<float> bandPower(frames * bands, 0.0f);
  cv::Mat block(kBlockFrames, kFftSize, CV_32F);
  cv::Mat spectrum;
  cv::Mat powerPacked(kBlockFrames, kFftSize, CV_32F);
  cv::Mat autocorr;
  std::vector<float> power(kFftSize / 2 + 1);
  for (size_t first = 0; first < frames; first += kBlockFrames) {
    const int count = static_cast<int>(std::min<size_t>(kBlockFrames, frames - first));
    block.setTo(0.0f);
    for (int b = 0; b < count; ++b) {
      const size_t frame = first + b;
      // Centre the window on the frame's time.
      const long centre = static_cast<long>(frame) * hop + hop / 2;
      const long start = centre - windowSize / 2;
      float* row = block.ptr<float>(b);
      double energy = 0.0;
      for (int n = 0; n < windowSize; ++n) {
        const long i = start + n;
        const float x = (i >= 0 && i < static_cast<long>(mono.size())) ? mono[i] : 0.0f;
        energy += static_cast<double>(x) * x;
        row[n] = x * tables.window[n];
      }
      out.levelDb[frame] = static_cast<float>(10.0 * std::log10(energy / windowSize + 1e-12));
    }
    cv::Mat rows = block.rowRange(0, count);
    cv::dft(rows, spectrum, cv::DFT_ROWS);  // CCS-packed real spectrum
    cv::Mat packed = powerPacked.rowRange(0, count);
    packed.setTo(0.0f);
    for (int b = 0; b < count; ++b) {
      const float* s = spectrum.ptr<float>(b);
      float* p = packed.ptr<float>(b);
      power[0] = s[0] * s[0];
      for (int k = 1; k < kFftSize / 2; ++k) {
        power[k] = s[2 * k - 1] * s[2 * k - 1] + s[2 * k] * s[2 * k];
      }
      power[kFftSize / 2] = s[kFftSize - 1] * s[kFftSize - 1];
      p[0] = power[0];
      for (int k = 1; k < kFftSize / 2; ++k) p[2 * k - 1] = power[k];
      p[kFftSize - 1] = power[kFftSize / 2];

      const size_t frame = first + b;
      double high = 0.0;
      double total = 0.0;
      double mouth = 0.0;
      for (int k = lowBin; k <= kFftSize / 2; ++k) {
        total += power[k];
        if (k >= fricativeBin) high += power[k];
        if (k >= mouthFirst && k <= mouthLast) mouth += power[k];
      }
      out.fricative[frame] = total > 0.0 ? static_cast<float>(high / total) : 0.0f;
      out.mouthBandDb[frame] = static_cast<float>(10.0 * std::log10(mouth + 1e-12));
      for (int band = 0; band < bands; ++band) {
        double sum = 0.0;
        for (int k = bandFirst + band * kBinsPerBand; k < bandFirst + (band + 1) * kBinsPerBand;
             ++k) {
          sum += power[k];
        }
        bandPower[frame * bands + band] = static_cast<float>(sum);
      }
      estimateFormants(tables, power.data(), out.f1[frame], out.f2[frame]);
    }
    cv::dft(packed, autocorr, cv::DFT_ROWS | cv::DFT_INVERSE);
    for (int b = 0; b < count; ++b) {
      const float* r = autocorr.ptr<float>(b);
      if (r[0] <= 0.0f) continue;
      // The pitch peak: a local maximum of the window-corrected autocorrelation, preceded by a
      // clear dip. Narrow-band noise (rumble, hum) decays smoothly from lag 0 and has no dip.
      double best = 0.0;
      int bestLag = 0;
      double lowest = 1.0;
      auto normalised = [&](int lag) { return r[lag] / (r[0] * tables.windowAc[lag]); };
      for (int lag = 1; lag < minLag; ++lag) lowest = std::min(lowest, normalised(lag));
      double previous = normalised(minLag - 1);
      for (int lag = minLag; lag < maxLag; ++lag) {
        const double value = normalised(lag);
        lowest = std::min(lowest, value);
        const double next = normalised(lag + 1);
        if (value >= previous && value >= next && lowest < 0.3 && value > best) {
          best = value;
          bestLag = lag;
        }
        previous = value;
      }
      out.voicing[first + b] = static_cast<float>(std::clamp(best, 0.0, 1.0));
      pitchLag[first + b] = bestLag;
    }
  }

  keepSteadyPitch(out.voicing, pitchLag);
  out.pitchHz.assign(frames, 0.0f);
  for (size_t f = 0; f < frames; ++f) {
    if (out.voicing[f] >= 0.5f && pitchLag[f] > 0)
      out.pitchHz[f] = static_cast<float>(config.sampleRate) / pitchLag[f];
  }
  out.speechLevelDb = percentile(out.levelDb, config.speechPercentile);
  out.noiseFloorDb = percentile(out.levelDb, config.floorPercentile);
  if (out.speechLevelDb - out.noiseFloorDb < config.noisyRangeDb) {
    // Speech under loud noise (a crowd, music): the broadband level barely moves, so the level
    // is taken from what stands above each band's own noise floor instead.
    out.levelDb = levelAboveNoise(bandPower, bands, windowSize, config);
    out.speechLevelDb = percentile(out.levelDb, config.speechPercentile);
    out.noiseFloorDb = percentile(out.levelDb, config.floorPercentile);
    out.denoised = true;
  }
  const double low = std::max(out.speechLevelDb - config.loudnessRangeDb, out.noiseFloorDb + 3.0);
  const double span = std::max(1.0, out.speechLevelDb - low);
  const double activeThreshold = std::max(out.noiseFloorDb + config.activityAboveFloorDb,
                                          out.speechLevelDb - config.activityBelowSpeechDb);
  out.loudness.resize(frames);
  out.active.resize(frames);
  for (size_t f = 0; f < frames; ++f) {
    out.loudness[f] = static_cast<float>(std::clamp((out.levelDb[f] - low) / span, 0.0, 1.0));
    out.active[f] = out.levelDb[f] > activeThreshold ? 1 : 0;
  }
  smoothZeroPhase(out.loudness, 0.02 / config.hopSeconds);
  cleanActivity(out.active, static_cast<size_t>(config.minSpeechRunSeconds / config.hopSeconds),
                static_cast<size_t>(config.fillGapSeconds / config.hopSeconds));
  dropUnvoicedRuns(out.active, out.voicing,
                   static_cast<size_t>(config.minVoicedSeconds / config.hopSeconds));
  for (size_t f = 0; f < frames; ++f) {
    if (out.voicing[f] < 0.4f || !out.active[f]) {
      out.f1[f] = 0.0f;
      out.f2[f] = 0.0f;
    }
  }
  return out;
}

bool containsSpeech(const AcousticFeatures& features, std::string* reason) {
  auto fail = [reason](const std::string& why) {
    if (reason != nullptr) *reason = why;
    return false;
  };
  if (features.size() == 0) return fail("the audio is empty");
  if (features.speechLevelDb < -60.0) return fail("the audio is silent");
  if (features.speechLevelDb - features.noiseFloorDb < 12.0) {
    return fail("the level is steady like noise, not speech");
  }
  size_t active = 0;
  size_t voiced = 0;
  for (size_t f = 0; f < features.size(); ++f) {
    if (!features.active[f]) continue;
    ++active;
    if (features.voicing[f] >= 0.5f) ++voiced;
  }
  if (active * features.hopSeconds < 0.25) return fail("too little sound above the noise");
  if (voiced * features.hopSeconds < 0.15) return fail("no voiced (pitched) sound");
  return true;
}

}  // namespace dh::speech
