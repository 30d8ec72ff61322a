#include "animate/motion_planner.h"

#include <algorithm>
#include <cmath>

#include "animate/motion_curves.h"

namespace dh::animate {
namespace {

double blinkShape(double dt, const MotionOptions& o) {
  if (dt < 0.0) return 0.0;
  if (dt < o.blinkCloseSeconds) return smoothstep(dt / o.blinkCloseSeconds);
  dt -= o.blinkCloseSeconds;
  if (dt < o.blinkHoldSeconds) return 1.0;
  dt -= o.blinkHoldSeconds;
  if (dt < o.blinkOpenSeconds) return 1.0 - smoothstep(dt / o.blinkOpenSeconds);
  return 0.0;
}

// Frames that start a stressed syllable: the track's own cues, or loudness onsets when the track
// carries none (a rise above 0.55 after a dip below 0.35, at most one per 0.5 s).
std::vector<double> stressTimes(const speech::ArticulationTrack& track, double fps) {
  std::vector<double> times;
  for (size_t i = 0; i < track.stressed.size(); ++i) {
    if (track.stressed[i]) times.push_back(i / fps);
  }
  if (!times.empty()) return times;
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

// Blink starts: at phrase boundaries by chance, then spontaneous ones in the gaps, never closer
// than minBlinkGapSeconds. The mean interval is scaled by the style.
std::vector<double> blinkTimes(const std::vector<Phrase>& phrases, double duration,
                               const Style& style, Random& rng, const MotionOptions& o) {
  std::vector<double> boundary;
  for (const Phrase& p : phrases) {
    if (p.start > 0.3 && rng.chance(o.boundaryBlinkChance))
      boundary.push_back(p.start - rng.uniform(0.05, 0.2));
    if (p.end < duration - 0.5 && rng.chance(o.boundaryBlinkChance))
      boundary.push_back(p.end + rng.uniform(0.0, 0.25));
  }
  const double mean = o.blinkMeanSeconds * style.blinkInterval;
  const double jitter = std::min(o.blinkJitterSeconds, mean * 0.5);
  std::vector<double> spontaneous;
  for (double t = rng.uniform(0.6, mean); t < duration;
       t += rng.uniform(mean - jitter, mean + jitter))
    spontaneous.push_back(t);
  std::vector<double> all = boundary;
  all.insert(all.end(), spontaneous.begin(), spontaneous.end());
  std::sort(all.begin(), all.end());
  std::vector<double> kept;
  for (double t : all) {
    if (t < 0.5) continue;  // the photo's own eyes at the start
    if (!kept.empty() && t - kept.back() < o.minBlinkGapSeconds) continue;
    kept.push_back(t);
  }
  return kept;
}

// Gaze: fixation targets and when the eyes move to them.
struct Fixation {
  double start;
  float yaw, pitch;
};

std::vector<Fixation> gazePlan(double duration, const Style& style, Random& rng,
                               const MotionOptions& o) {
  std::vector<Fixation> plan{{0.0, 0.0f, 0.0f}};
  double t = rng.uniform(o.fixationMinSeconds, o.fixationMaxSeconds);
  while (t < duration) {
    Fixation f{t, 0.0f, 0.0f};
    double hold = rng.uniform(o.fixationMinSeconds, o.fixationMaxSeconds);
    if (rng.chance(o.lookAwayChance * style.headMotion)) {
      f.yaw = static_cast<float>(rng.sign() * o.lookAwayDegrees * rng.uniform(0.7, 1.1));
      f.pitch = static_cast<float>(rng.sign() * 0.4 * o.lookAwayDegrees * rng.uniform(0.3, 1.0));
      hold = rng.uniform(0.4, 1.0);
      plan.push_back(f);
      t += hold;
      plan.push_back({t, static_cast<float>(rng.uniform(-0.5, 0.5) * o.saccadeDegrees), 0.0f});
      t += rng.uniform(o.fixationMinSeconds, o.fixationMaxSeconds);
      continue;
    }
    f.yaw = static_cast<float>(rng.uniform(-1.0, 1.0) * o.saccadeDegrees);
    f.pitch = static_cast<float>(rng.uniform(-1.0, 1.0) * 0.6 * o.saccadeDegrees);
    plan.push_back(f);
    t += hold;
  }
  return plan;
}

// Sum over events at `times` (with per-event gains) of shape(t - time), for events not yet over.
template <typename Shape>
double eventsAt(double t, const std::vector<double>& times, const std::vector<double>& gains,
                double span, Shape shape) {
  double sum = 0.0;
  const auto first = std::lower_bound(times.begin(), times.end(), t - span);
  for (auto it = first; it != times.end() && *it <= t; ++it) {
    sum += gains[it - times.begin()] * shape(t - *it);
  }
  return sum;
}

// The text's gestures and the prompt's (at phrase ends), each with its gain, in time order.
struct Gestures {
  std::vector<GestureCue> cues;
  std::vector<double> gains;
};

Gestures allGestures(const std::vector<GestureCue>& spoken, const std::vector<Phrase>& phrases,
                     const Style& style) {
  // Energy scales gestures less than it scales the idle motion: a calm speaker still shakes.
  const double energy = 0.5 + 0.5 * style.nods;
  std::vector<std::pair<GestureCue, double>> all;
  for (const GestureCue& c : spoken) all.push_back({c, energy});
  for (const Phrase& p : phrases) {
    if (style.agreeNods > 0.0f)
      all.push_back(
          {{GestureKind::Nod, std::max(0.0, p.end - 0.25), 0.0}, energy * style.agreeNods});
    if (style.headShakes > 0.0f)
      all.push_back(
          {{GestureKind::Shake, std::max(0.0, p.end - 0.35), 0.0}, energy * style.headShakes});
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.first.start < b.first.start; });
  Gestures out;
  for (const auto& [cue, gain] : all) {
    out.cues.push_back(cue);
    out.gains.push_back(gain);
  }
  return out;
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
  params.frown = style.frown;
}

std::vector<FaceParams> planMotion(const speech::ArticulationTrack& track, const Style& style,
                                   uint64_t seed, const MotionOptions& o,
                                   const std::vector<GestureCue>& spokenGestures) {
  const size_t n = track.size();
  const double fps = track.fps > 0 ? track.fps : 25.0;
  const double duration = n / fps;
  std::vector<FaceParams> plan(n);
  Random rng(seed);

  const std::vector<Phrase> phrases = findPhrases(track, fps, o.phrasePauseSeconds);
  const std::vector<double> blinks = blinkTimes(phrases, duration, style, rng, o);
  const std::vector<Fixation> gaze = gazePlan(duration, style, rng, o);

  const std::vector<float> roll = smoothDrift(rng, n, fps, o.driftSeconds);
  const std::vector<float> yaw = smoothDrift(rng, n, fps, o.driftSeconds * 1.3);
  const std::vector<float> pitch = smoothDrift(rng, n, fps, o.driftSeconds);
  const std::vector<float> shiftX = smoothDrift(rng, n, fps, o.driftSeconds * 1.6);
  const std::vector<float> shiftY = smoothDrift(rng, n, fps, o.driftSeconds * 1.6);
  const std::vector<float> brow = smoothDrift(rng, n, fps, o.driftSeconds * 2.0);
  const double breathPhase = rng.uniform(0.0, 2.0 * M_PI);

  // Prosodic events with their random gains and directions.
  const std::vector<double> nods = stressTimes(track, fps);
  std::vector<double> nodGain(nods.size()), nodRoll(nods.size()), nodYaw(nods.size());
  for (size_t k = 0; k < nods.size(); ++k) {
    nodGain[k] = rng.uniform(0.6, 1.0);
    nodRoll[k] = rng.uniform(-1.0, 1.0);
    nodYaw[k] = rng.uniform(-1.0, 1.0);
  }
  std::vector<double> starts, ends, startTilt, startGain, endGain;
  for (const Phrase& p : phrases) {
    starts.push_back(std::max(0.0, p.start - 0.15));
    startTilt.push_back(rng.sign() * rng.uniform(0.5, 1.0));
    startGain.push_back(rng.uniform(0.6, 1.0));
    ends.push_back(p.end);
    endGain.push_back(rng.uniform(0.6, 1.0));
  }
  const Gestures gestures = allGestures(spokenGestures, phrases, style);
  const double tiltSide = (seed & 1) != 0 ? 1.0 : -1.0;
  auto nodShape = [](double dt) { return bump(dt, 0.14, 0.32); };
  auto liftShape = [](double dt) { return bump(dt, 0.35, 1.3); };
  auto settleShape = [](double dt) { return bump(dt, 0.4, 1.0); };

  // Activity: 1 while speaking, easing to stillLevel after stillAfterSeconds of silence.
  double silentFor = o.stillAfterSeconds;  // a silent start is calm
  double activity = o.stillLevel;
  const double ease = 1.0 - std::exp(-1.0 / (0.6 * fps));
  size_t fixation = 0;

  for (size_t i = 0; i < n; ++i) {
    const double t = i / fps;
    FaceParams& p = plan[i];
    setMouth(p, track.frames[i], style);

    double blink = 0.0;
    for (auto it = std::lower_bound(blinks.begin(), blinks.end(), t - 0.5);
         it != blinks.end() && *it <= t; ++it) {
      blink = std::max(blink, blinkShape(t - *it, o));
    }
    p.blink = static_cast<float>(blink);

    const bool voiced = i < track.voiced.size() && track.voiced[i];
    silentFor = voiced ? 0.0 : silentFor + 1.0 / fps;
    const double target = silentFor < o.stillAfterSeconds ? 1.0 : o.stillLevel;
    activity += ease * (target - activity);

    const double nod = eventsAt(t, nods, nodGain, 0.5, nodShape);
    const double nodR = eventsAt(t, nods, nodRoll, 0.5, nodShape);
    const double nodY = eventsAt(t, nods, nodYaw, 0.5, nodShape);
    const double lift = eventsAt(t, starts, startGain, 1.7, liftShape);
    const double tilt = eventsAt(t, starts, startTilt, 1.7, liftShape);
    const double settle = eventsAt(t, ends, endGain, 1.4, settleShape);
    const double breath =
        (1.0 - activity) * std::sin(2.0 * M_PI * t / o.breathSeconds + breathPhase);

    // Everything but the mouth eases in from the photo.
    const double in = smoothstep(t / o.easeInSeconds);
    const double a = in * activity * style.headMotion;
    const double events = in * style.nods;
    p.headRoll =
        static_cast<float>(in * style.headRoll + a * o.rollDegrees * roll[i] +
                           events * (o.nodTurnDegrees * nodR + o.phraseTiltDegrees * tilt));
    p.headYaw = static_cast<float>(a * o.yawDegrees * yaw[i] + events * o.nodTurnDegrees * nodY);
    p.headPitch = static_cast<float>(in * style.headPitch + a * o.pitchDegrees * pitch[i] +
                                     events * (o.nodDegrees * nod - o.phraseLiftDegrees * lift +
                                               o.phraseSettleDegrees * settle) +
                                     in * o.breathPitchDegrees * breath);
    const double gestureIn = smoothstep(t / o.gestureEaseSeconds);
    for (size_t g = 0; g < gestures.cues.size() && gestures.cues[g].start <= t; ++g) {
      const HeadAngles angles = gestureAt(gestures.cues[g], t - gestures.cues[g].start);
      const double gain = gestureIn * gestures.gains[g];
      p.headRoll += static_cast<float>(gain * tiltSide * angles.roll);
      p.headYaw += static_cast<float>(gain * angles.yaw);
      p.headPitch += static_cast<float>(gain * angles.pitch);
    }
    p.headShift =
        cv::Point2f(static_cast<float>(a * o.shiftIod * shiftX[i]),
                    static_cast<float>(a * o.shiftIod * 0.7 * shiftY[i] + in * 0.004 * breath));
    p.browRaise = static_cast<float>(
        std::clamp(in * (style.browLift + style.nods * (o.browNod * nod + o.browPhrase * lift) +
                         a * o.browDrift * (0.5 + 0.5 * brow[i]) + 0.2 * style.smile * nod),
                   0.0, 1.0));

    while (fixation + 1 < gaze.size() && gaze[fixation + 1].start <= t) ++fixation;
    const Fixation& now = gaze[fixation];
    const Fixation& before = fixation > 0 ? gaze[fixation - 1] : now;
    const double move = smoothstep((t - now.start) / o.saccadeSeconds);
    p.gazeYaw = static_cast<float>(in * (before.yaw + move * (now.yaw - before.yaw)));
    p.gazePitch = static_cast<float>(in * (before.pitch + move * (now.pitch - before.pitch)));

    p.photoHold = static_cast<float>(1.0 - smoothstep(t / o.mouthEaseSeconds));
  }
  return plan;
}

}  // namespace dh::animate
