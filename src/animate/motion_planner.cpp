#include "animate/motion_planner.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace dh::animate {
namespace {

// Uniform in [0, 1) from a 64-bit engine, identical on every standard library.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed ^ 0x9E3779B97F4A7C15ull) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

 private:
  std::mt19937_64 engine_;
};

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3.0 - 2.0 * x);
}

// A slow smooth wobble: three sines with seeded frequencies and phases, peak about 1.
struct Wobble {
  double freq[3];
  double phase[3];
  double weight[3];
  explicit Wobble(Random& rng) {
    const double bands[3][2] = {{0.08, 0.18}, {0.2, 0.4}, {0.45, 0.8}};
    const double weights[3] = {0.6, 0.3, 0.15};
    for (int i = 0; i < 3; ++i) {
      freq[i] = rng.uniform(bands[i][0], bands[i][1]);
      phase[i] = rng.uniform(0.0, 2.0 * M_PI);
      weight[i] = weights[i];
    }
  }
  double at(double t) const {
    double v = 0.0;
    for (int i = 0; i < 3; ++i) v += weight[i] * std::sin(2.0 * M_PI * freq[i] * t + phase[i]);
    return v;
  }
};

double blinkShape(double dt, const MotionOptions& o) {
  if (dt < 0.0) return 0.0;
  if (dt < o.blinkCloseSeconds) return smoothstep(dt / o.blinkCloseSeconds);
  dt -= o.blinkCloseSeconds;
  if (dt < o.blinkHoldSeconds) return 1.0;
  dt -= o.blinkHoldSeconds;
  if (dt < o.blinkOpenSeconds) return 1.0 - smoothstep(dt / o.blinkOpenSeconds);
  return 0.0;
}

// A nod: pitch rises over 120 ms and settles over 280 ms.
double nodShape(double dt) {
  if (dt < 0.0) return 0.0;
  if (dt < 0.12) return smoothstep(dt / 0.12);
  if (dt < 0.40) return 1.0 - smoothstep((dt - 0.12) / 0.28);
  return 0.0;
}

// Frames that start a stressed syllable: the track's own cues, or loudness onsets when the track
// carries none (a rise above 0.55 after a dip below 0.35, at most one per 0.5 s).
std::vector<double> stressTimes(const speech::ArticulationTrack& track) {
  std::vector<double> times;
  const double fps = track.fps > 0 ? track.fps : 25.0;
  bool any = false;
  for (size_t i = 0; i < track.stressed.size(); ++i) {
    if (track.stressed[i]) {
      any = true;
      times.push_back(i / fps);
    }
  }
  if (any) return times;
  bool armed = true;
  double last = -1e9;
  for (size_t i = 0; i < track.loudness.size(); ++i) {
    const float l = track.loudness[i];
    if (l < 0.35f) armed = true;
    if (armed && l > 0.55f && i / fps - last > 0.5) {
      times.push_back(i / fps);
      last = i / fps;
      armed = false;
    }
  }
  return times;
}

}  // namespace

void setMouth(FaceParams& params, const speech::MouthPose& mouth, const Style& style) {
  params.jawOpen = std::clamp(mouth.jawOpen * style.jaw, 0.0f, 1.0f);
  params.lipSpread = mouth.lipSpread;
  params.lipRound = mouth.lipRound;
  params.lipPress = mouth.lipPress;
  params.lipTuck = mouth.lipTuck;
  params.tongueShow = mouth.tongueShow;
  params.smile = style.smile;
}

std::vector<FaceParams> planMotion(const speech::ArticulationTrack& track, const Style& style,
                                   uint64_t seed, const MotionOptions& o) {
  const size_t n = track.size();
  const double fps = track.fps > 0 ? track.fps : 25.0;
  std::vector<FaceParams> plan(n);
  Random rng(seed);

  // Blinks at random intervals, mean scaled by the style but kept within 15..26 a minute.
  const double mean =
      std::clamp(o.blinkMeanSeconds * style.blinkInterval, 60.0 / 25.0, 60.0 / 16.0);
  const double jitter = std::min(o.blinkJitterSeconds, mean * 0.3);
  std::vector<double> blinks;
  const double duration = n / fps;
  for (double t = rng.uniform(0.4, mean); t < duration;
       t += rng.uniform(mean - jitter, mean + jitter)) {
    blinks.push_back(t);
  }

  const Wobble roll(rng), yaw(rng), pitch(rng), shiftX(rng), shiftY(rng);
  const std::vector<double> nods = stressTimes(track);
  std::vector<double> nodGain(nods.size());
  for (double& g : nodGain) g = rng.uniform(0.6, 1.0);

  // Activity: 1 while speaking, easing to stillLevel after stillAfterSeconds of silence.
  double silentFor = o.stillAfterSeconds;  // a silent start is calm
  double activity = o.stillLevel;
  const double ease = 1.0 - std::exp(-1.0 / (0.6 * fps));

  size_t nextBlink = 0, nextNod = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = i / fps;
    FaceParams& p = plan[i];
    setMouth(p, track.frames[i], style);

    while (nextBlink < blinks.size() && blinks[nextBlink] + 0.5 < t) ++nextBlink;
    double blink = 0.0;
    for (size_t b = nextBlink; b < blinks.size() && blinks[b] <= t; ++b) {
      blink = std::max(blink, blinkShape(t - blinks[b], o));
    }
    p.blink = static_cast<float>(blink);

    const bool voiced = i < track.voiced.size() && track.voiced[i];
    silentFor = voiced ? 0.0 : silentFor + 1.0 / fps;
    const double target = silentFor < o.stillAfterSeconds ? 1.0 : o.stillLevel;
    activity += ease * (target - activity);

    while (nextNod < nods.size() && nods[nextNod] + 0.5 < t) ++nextNod;
    double nod = 0.0;
    for (size_t k = nextNod; k < nods.size() && nods[k] <= t; ++k) {
      nod = std::max(nod, nodGain[k] * nodShape(t - nods[k]));
    }

    const double a = activity * style.headMotion;
    p.headRoll = static_cast<float>(a * o.rollDegrees * roll.at(t));
    p.headYaw = static_cast<float>(a * o.yawDegrees * yaw.at(t));
    p.headPitch =
        static_cast<float>(a * o.pitchDegrees * pitch.at(t) + style.nods * o.nodDegrees * nod);
    p.headShift = cv::Point2f(static_cast<float>(a * o.shiftIod * shiftX.at(t)),
                              static_cast<float>(a * o.shiftIod * 0.6 * shiftY.at(t)));
    p.browRaise = static_cast<float>(0.35 * nod * (0.5 + style.smile));
  }
  return plan;
}

}  // namespace dh::animate
