#include "speech/articulation_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "speech/phone_targets.h"
#include "speech/signal_utils.h"

namespace dh::speech {
namespace {

// The coarticulated parameters, sampled on the acoustic grid.
struct Curves {
  std::vector<float> jaw, spread, round, press, tuck, tongue;
  explicit Curves(size_t n)
      : jaw(n, 0.0f),
        spread(n, 0.0f),
        round(n, 0.0f),
        press(n, 0.0f),
        tuck(n, 0.0f),
        tongue(n, 0.0f) {}
};

// Seconds over which a phone's dominance falls by e before (anticipation) and after it.
double anticipationSeconds(PhoneClass c) {
  switch (c) {
    case PhoneClass::Vowel:
      return 0.06;
    case PhoneClass::Bilabial:
    case PhoneClass::Labiodental:
      return 0.015;
    case PhoneClass::Silence:
      return 0.03;
    default:
      return 0.03;
  }
}
double carryoverSeconds(PhoneClass c) {
  return c == PhoneClass::Vowel ? 0.04 : 0.025;
}

// Cohen-Massaro style blending: each parameter is the dominance-weighted mean of the targets of
// the phones around that time, so neighbours shape each other instead of switching hard.
Curves blendPhones(const std::vector<TimedPhone>& phones, size_t n, double step,
                   const ArticulationConfig& config, double closureDepth) {
  Curves curves(n);
  constexpr int kParams = 5;  // jaw, spread, round, tuck, tongue (press is handled separately)
  std::vector<std::array<double, kParams>> weighted(n), weights(n);
  for (auto& w : weighted) w.fill(0.0);
  for (auto& w : weights) w.fill(1e-6);  // a faint neutral rest everywhere
  for (const auto& phone : phones) {
    const PhoneTarget target = targetForPhone(phone.phone);
    const double start = phone.start - config.phoneLeadSeconds;
    const double end = std::max(start + step, phone.end - config.phoneLeadSeconds);
    const double before = config.coarticulationScale * anticipationSeconds(target.phoneClass);
    const double after = config.coarticulationScale * carryoverSeconds(target.phoneClass);
    // Short (unstressed, fast) vowels do not reach their full opening.
    float jawTarget = target.pose.jawOpen;
    if (target.phoneClass == PhoneClass::Vowel && config.vowelFullSeconds > 0.0) {
      const double length = phone.end - phone.start;
      jawTarget *=
          static_cast<float>(std::sqrt(std::clamp(length / config.vowelFullSeconds, 0.16, 1.0)));
    }
    const std::array<float, kParams> values = {jawTarget, target.pose.lipSpread,
                                               target.pose.lipRound, target.pose.lipTuck,
                                               target.pose.tongueShow};
    const std::array<float, kParams> strength = {target.jawDominance, target.lipDominance,
                                                 target.lipDominance, target.lipDominance,
                                                 target.tongueDominance};
    const auto first = static_cast<long>(std::floor((start - 6 * before) / step));
    const auto last = static_cast<long>(std::ceil((end + 6 * after) / step));
    for (long i = std::max(0L, first); i <= std::min<long>(last, n - 1); ++i) {
      const double t = i * step;
      double d = 1.0;
      if (t < start) d = std::exp(-(start - t) / before);
      if (t > end) d = std::exp(-(t - end) / after);
      for (int p = 0; p < kParams; ++p) {
        weighted[i][p] += strength[p] * d * values[p];
        weights[i][p] += strength[p] * d;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    curves.jaw[i] = static_cast<float>(weighted[i][0] / weights[i][0]);
    curves.spread[i] = static_cast<float>(weighted[i][1] / weights[i][1]);
    curves.round[i] = static_cast<float>(weighted[i][2] / weights[i][2]);
    curves.tuck[i] = static_cast<float>(weighted[i][3] / weights[i][3]);
    curves.tongue[i] = static_cast<float>(weighted[i][4] / weights[i][4]);
  }
  // Lip closure for p/b/m is not negotiable: the lips seal during the phone, reaching half
  // closure `closureLeadSeconds` before it starts.
  const double ramp = config.closureRampSeconds;
  for (const auto& phone : phones) {
    if (targetForPhone(phone.phone).phoneClass != PhoneClass::Bilabial) continue;
    const double sealStart = phone.start - config.closureLeadSeconds - ramp / 2;
    const double openStart = std::max(sealStart + ramp, phone.end - ramp / 2);
    const auto first = static_cast<long>(std::floor(sealStart / step));
    const auto last = static_cast<long>(std::ceil((openStart + ramp) / step));
    for (long i = std::max(0L, first); i <= std::min<long>(last, n - 1); ++i) {
      const double t = i * step;
      double v = 1.0;
      if (t < sealStart + ramp) v = (t - sealStart) / ramp;
      if (t > openStart) v = 1.0 - (t - openStart) / ramp;
      curves.press[i] =
          std::max(curves.press[i], static_cast<float>(closureDepth * std::clamp(v, 0.0, 1.0)));
    }
  }
  return curves;
}

// 1 in speech and short pauses, 0 inside pauses of at least `pauseSeconds` (and before the
// first and after the last sound), with short ramps so the mouth eases shut and opens early.
std::vector<float> speechGate(const AcousticFeatures& f, const ArticulationConfig& config) {
  const size_t n = f.size();
  std::vector<float> gate(n, 1.0f);
  const double step = f.hopSeconds;
  size_t i = 0;
  while (i < n) {
    if (f.active[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && !f.active[j]) ++j;
    const bool atStart = i == 0;
    const bool atEnd = j == n;
    if ((j - i) * step >= config.pauseSeconds || atStart || atEnd) {
      // Closing starts `relaxSeconds` before the voice stops and ends with it, so the picture
      // does not lag the sound; opening is complete `onsetLeadSeconds` before the voice returns.
      const auto from = static_cast<long>(i) - static_cast<long>(config.relaxSeconds / step);
      for (long k = std::max(0L, from); k < static_cast<long>(j); ++k) {
        const double sinceStop = atStart ? 1e9 : (k - static_cast<long>(i) + 1) * step;
        const double untilStart = atEnd ? 1e9 : (static_cast<long>(j) - k) * step;
        const double close = std::clamp(-sinceStop / config.relaxSeconds, 0.0, 1.0);
        const double open =
            std::clamp(1.0 - (untilStart - config.onsetLeadSeconds) / 0.04, 0.0, 1.0);
        gate[k] = std::min(gate[k], static_cast<float>(std::max(close, open)));
      }
    }
    i = j;
  }
  return gate;
}

// The loudness envelope with the jaw's anticipation added at voice onsets: where the sound rises
// out of quiet, a smooth ramp starts `onsetLeadSeconds` earlier and meets the envelope at the
// syllable's first peak (linearly). Inside running speech the envelope is left as it is.
std::vector<float> leadOnsets(const std::vector<float>& loudness, double step,
                              const ArticulationConfig& config) {
  std::vector<float> out = loudness;
  const size_t n = loudness.size();
  const auto lead = static_cast<size_t>(std::lround(config.onsetLeadSeconds / step));
  const auto minQuiet = static_cast<size_t>(std::lround(0.1 / step));
  const auto maxRise = static_cast<size_t>(std::lround(0.15 / step));
  size_t quietRun = minQuiet;  // the clip's start counts as quiet
  for (size_t i = 0; i + 1 < n; ++i) {
    const bool quiet = loudness[i] < config.quietLevel;
    if (quiet) {
      ++quietRun;
      continue;
    }
    if (quietRun >= minQuiet) {
      // An onset at i: find the first peak of the rise.
      size_t peak = i;
      while (peak + 1 < n && peak < i + maxRise && loudness[peak + 1] >= loudness[peak]) ++peak;
      const size_t begin = i > lead ? i - lead : 0;
      const double length = static_cast<double>(peak - begin);
      for (size_t k = begin; k <= peak && length > 0; ++k) {
        const double x = (k - begin) / length;
        const double ramp = loudness[peak] * x;
        out[k] = std::max(out[k], static_cast<float>(ramp));
      }
    }
    quietRun = 0;
  }
  return out;
}

// Gaussian smoothing with a kernel cut at ±3 sigma (samples): each value depends only on its
// neighbourhood, so a track built piece by piece matches the whole one exactly.
std::vector<float> smoothFinite(const std::vector<float>& values, double sigma) {
  if (sigma <= 0.0) return values;
  const int half = static_cast<int>(std::ceil(3.0 * sigma));
  std::vector<double> kernel(2 * half + 1);
  for (int k = -half; k <= half; ++k) kernel[k + half] = std::exp(-0.5 * k * k / (sigma * sigma));
  std::vector<float> out(values.size());
  const long n = static_cast<long>(values.size());
  for (long i = 0; i < n; ++i) {
    double sum = 0.0, weight = 0.0;
    for (long k = std::max(0L, i - half); k <= std::min(n - 1, i + half); ++k) {
      sum += kernel[k - i + half] * values[k];
      weight += kernel[k - i + half];
    }
    out[i] = static_cast<float>(sum / weight);
  }
  return out;
}

// Per acoustic frame, the factor the jaw is scaled by for the level of the band around F2 and F3
// (ArticulationConfig::mouthBandWeight): 1 where the band sits at the voice's mean level, more
// where it is stronger. Mean and spread come from the frames of speech activity.
std::vector<float> mouthBandScale(const AcousticFeatures& f, const ArticulationConfig& config) {
  const size_t n = f.size();
  std::vector<float> scale(n, 1.0f);
  if (config.mouthBandWeight <= 0.0 || f.mouthBandDb.size() != n) return scale;
  double sum = 0.0, squares = 0.0;
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!f.active[i]) continue;
    sum += f.mouthBandDb[i];
    squares += static_cast<double>(f.mouthBandDb[i]) * f.mouthBandDb[i];
    ++count;
  }
  if (count < 10) return scale;
  const double mean = sum / count;
  const double spread = std::sqrt(std::max(1e-6, squares / count - mean * mean));
  const auto lead = static_cast<long>(std::lround(config.mouthBandLeadSeconds / f.hopSeconds));
  for (size_t i = 0; i < n; ++i) {
    const auto from = static_cast<size_t>(std::clamp<long>(static_cast<long>(i) + lead, 0, n - 1));
    const double z = std::clamp((f.mouthBandDb[from] - mean) / spread, -config.mouthBandLimit,
                                config.mouthBandLimit);
    scale[i] = static_cast<float>(std::exp(config.mouthBandWeight * z));
  }
  return scale;
}

float clamp01(double v) {
  return static_cast<float>(std::clamp(v, 0.0, 1.0));
}

// Semitones by which the voice's highest pitch within `radius` samples of `i` stands above the
// clip's median pitch (0 where unvoiced): how strongly a syllable carries a pitch accent.
float accentSemitones(const std::vector<float>& pitch, float medianHz, size_t i, size_t radius) {
  if (medianHz <= 0.0f) return 0.0f;
  float top = 0.0f;
  for (size_t k = i > radius ? i - radius : 0; k <= i + radius && k < pitch.size(); ++k)
    top = std::max(top, pitch[k]);
  return top > 0.0f ? static_cast<float>(12.0 * std::log2(top / medianHz)) : 0.0f;
}

// Frames where a prominent syllable begins, spaced for natural nods: loudness peaks, made more
// prominent by a pitch accent (the voice rising above its usual pitch), so that an accented but
// quieter syllable can count too.
std::vector<double> stressOnsets(const std::vector<float>& loudness,
                                 const std::vector<float>& pitch, double step,
                                 double minGapSeconds) {
  struct Peak {
    size_t index;
    float prominence;
  };
  std::vector<float> voicedPitch;
  for (float f : pitch)
    if (f > 0.0f) voicedPitch.push_back(f);
  float medianHz = 0.0f;
  if (!voicedPitch.empty()) {
    std::nth_element(voicedPitch.begin(), voicedPitch.begin() + voicedPitch.size() / 2,
                     voicedPitch.end());
    medianHz = voicedPitch[voicedPitch.size() / 2];
  }
  std::vector<Peak> peaks;
  const auto window = static_cast<size_t>(0.15 / step);
  const auto radius = static_cast<size_t>(0.08 / step);
  for (size_t i = 1; i + 1 < loudness.size(); ++i) {
    if (loudness[i] < loudness[i - 1] || loudness[i] < loudness[i + 1] || loudness[i] < 0.6f) {
      continue;
    }
    const float accent = std::clamp(accentSemitones(pitch, medianHz, i, radius) / 4.0f, 0.0f, 1.0f);
    if (loudness[i] < 0.75f && accent < 0.5f) continue;
    float lowest = loudness[i];
    for (size_t k = i > window ? i - window : 0; k < i; ++k) lowest = std::min(lowest, loudness[k]);
    const float prominence = loudness[i] - lowest + 0.25f * accent;
    if (prominence >= 0.25f) peaks.push_back({i, prominence});
  }
  std::sort(peaks.begin(), peaks.end(),
            [](const Peak& a, const Peak& b) { return a.prominence > b.prominence; });
  std::vector<size_t> kept;
  for (const auto& peak : peaks) {
    const bool farEnough = std::all_of(kept.begin(), kept.end(), [&](size_t k) {
      return std::abs(static_cast<double>(k) - static_cast<double>(peak.index)) * step >=
             minGapSeconds;
    });
    if (farEnough) kept.push_back(peak.index);
  }
  std::vector<double> onsets;
  for (size_t peak : kept) {
    // The syllable starts where the rise to the peak began (half the peak's height).
    size_t k = peak;
    while (k > 0 && loudness[k - 1] < loudness[k] && loudness[k] > 0.5f * loudness[peak]) --k;
    onsets.push_back(k * step);
  }
  std::sort(onsets.begin(), onsets.end());
  return onsets;
}

}  // namespace

ArticulationTrack buildArticulationTrack(const std::vector<TimedPhone>& phones,
                                         const AcousticFeatures& features, double fps,
                                         const ArticulationConfig& config, bool phonesExact) {
  const size_t n = features.size();
  const double step = features.hopSeconds;
  if (n == 0) {
    ArticulationTrack empty;
    empty.fps = fps;
    return empty;
  }
  const Curves shapes = blendPhones(phones, n, step, config,
                                    phonesExact ? config.exactClosureDepth : config.closureDepth);
  const std::vector<float> gate = speechGate(features, config);
  const bool havePhones = !phones.empty();
  const std::vector<float> envelopeLead = leadOnsets(features.loudness, step, config);
  const std::vector<float> bandScale = mouthBandScale(features, config);

  Curves fine(n);
  for (size_t i = 0; i < n; ++i) {
    // Amplitude: the loudness envelope, taken early at onsets (never later than the sound).
    const double envelope = envelopeLead[i];
    // Formant cues (voiced frames only): F1 tracks openness, low F2 rounding, high F2 spread.
    const bool formants = features.f1[i] > 0.0f && features.f2[i] > 0.0f;
    const double openCue = (features.f1[i] - 250.0) / 500.0;
    const double roundCue = (1300.0 - features.f2[i]) / 500.0;
    const double spreadCue = (features.f2[i] - 1700.0) / 600.0;
    double jawShape = havePhones ? shapes.jaw[i] : 0.6;
    double spread = havePhones ? shapes.spread[i] : 0.0;
    double round = havePhones ? shapes.round[i] : 0.0;
    if (formants) {
      const double w = havePhones ? config.phoneShapeWeight : 0.0;
      jawShape = w * jawShape + (1.0 - w) * std::clamp(openCue, 0.0, 1.0);
      spread = w * spread + (1.0 - w) * std::clamp(spreadCue, 0.0, 1.0);
      round = w * round + (1.0 - w) * std::clamp(roundCue, 0.0, 1.0);
    }
    // Hissing sounds hold the teeth nearly together.
    const double hiss = features.voicing[i] < 0.4f
                            ? std::clamp((features.fricative[i] - 0.3) / 0.4, 0.0, 1.0)
                            : 0.0;
    const double press = shapes.press[i];
    // Without phones the envelope is all there is to open the mouth with.
    const double weight = havePhones ? config.loudnessWeight : 1.0;
    const double amplitude = (1.0 - weight) + weight * std::pow(envelope, config.loudnessExponent);
    // The lips' closures and the pause gate are applied after the jaw's inertia (below).
    fine.jaw[i] = clamp01(config.jawGain * amplitude * bandScale[i] *
                          (config.shapeFloor + (1.0 - config.shapeFloor) * jawShape) *
                          (1.0 - 0.4 * hiss) * (1.0 - 0.4 * shapes.tuck[i]));
    const double lipAmount = gate[i] * std::min(1.0, 0.4 + envelope);
    fine.spread[i] = clamp01(lipAmount * spread);
    fine.round[i] = clamp01(lipAmount * round);
    fine.press[i] = clamp01(press);  // lips may close in a pause too
    fine.tuck[i] = clamp01(gate[i] * shapes.tuck[i]);
    fine.tongue[i] = clamp01(lipAmount * shapes.tongue[i]);
  }
  fine.jaw = smoothFinite(fine.jaw, config.jawSmoothingSeconds / step);
  // Real jaws run ahead of their sound as a whole, not only at onsets. The pause gate and the
  // lip closures keep their own timing (they are set by the sound and the phones).
  const auto lead = static_cast<size_t>(std::lround(config.visualLeadSeconds / step));
  if (lead > 0 && n > lead) {
    std::rotate(fine.jaw.begin(), fine.jaw.begin() + lead, fine.jaw.end());
    std::fill(fine.jaw.end() - lead, fine.jaw.end(), fine.jaw[n - lead - 1]);
  }
  for (size_t i = 0; i < n; ++i) fine.jaw[i] *= gate[i] * (1.0f - 0.95f * fine.press[i]);

  ArticulationTrack track;
  track.fps = fps;
  const auto frames = static_cast<size_t>(frameCountFor(features.seconds(), fps));
  track.frames.resize(frames);
  track.loudness.resize(frames);
  track.voiced.resize(frames);
  track.stressed.assign(frames, 0);
  const double half = 0.5 / fps;
  for (size_t k = 0; k < frames; ++k) {
    const double t = k / fps;
    // Average over the frame's time span (no aliasing at low frame rates); lip closures take the
    // maximum so a short /p/ is never skipped between two frames.
    const auto lo = static_cast<long>(std::floor((t - half) / step));
    const auto hi = std::max(lo, static_cast<long>(std::ceil((t + half) / step)) - 1);
    double sums[6] = {0, 0, 0, 0, 0, 0};
    float pressMax = 0.0f;
    double loud = 0.0;
    int count = 0;
    int active = 0;
    for (long i = std::max(0L, lo); i <= std::min<long>(hi, n - 1); ++i) {
      sums[0] += fine.jaw[i];
      sums[1] += fine.spread[i];
      sums[2] += fine.round[i];
      sums[4] += fine.tuck[i];
      sums[5] += fine.tongue[i];
      pressMax = std::max(pressMax, fine.press[i]);
      loud += features.loudness[i];
      active += features.active[i];
      ++count;
    }
    MouthPose& pose = track.frames[k];
    if (count > 0) {
      pose.jawOpen = static_cast<float>(sums[0] / count);
      pose.lipSpread = static_cast<float>(sums[1] / count);
      pose.lipRound = static_cast<float>(sums[2] / count);
      pose.lipTuck = static_cast<float>(sums[4] / count);
      pose.tongueShow = static_cast<float>(sums[5] / count);
      track.loudness[k] = static_cast<float>(loud / count);
      track.voiced[k] = 2 * active >= count ? 1 : 0;
    } else {
      const auto i = static_cast<size_t>(std::clamp<long>(std::lround(t / step), 0, n - 1));
      pose.jawOpen = fine.jaw[i];
      pose.lipSpread = fine.spread[i];
      pose.lipRound = fine.round[i];
      pose.lipTuck = fine.tuck[i];
      pose.tongueShow = fine.tongue[i];
      pressMax = fine.press[i];
      track.loudness[k] = features.loudness[i];
      track.voiced[k] = features.active[i];
    }
    pose.lipPress = pressMax;
  }
  for (double onset :
       stressOnsets(features.loudness, features.pitchHz, step, config.minStressGapSeconds)) {
    const auto k = static_cast<size_t>(std::lround(onset * fps));
    if (k < frames) track.stressed[k] = 1;
  }
  return track;
}

}  // namespace dh::speech
