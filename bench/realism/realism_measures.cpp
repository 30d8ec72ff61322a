#include "realism_measures.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <opencv2/calib3d.hpp>

#include "speech/acoustic_features.h"

namespace dh::bench {
namespace {

double median(std::vector<float> v) {
  if (v.empty()) return 0.0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

double stddev(const std::vector<float>& v) {
  if (v.size() < 2) return 0.0;
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  double s = 0.0;
  for (float x : v) s += (x - mean) * (x - mean);
  return std::sqrt(s / v.size());
}

// A generic rigid head in millimetres (x right, y down, z towards the camera), for the landmarks
// that do not move with expression: eye corners, nose and the jaw line at ear level. Rounded
// anthropometric averages (eye corners ~90 mm apart outer, ~35 mm inner; nose tip ~30 mm in
// front of the eye corners; face width at the ears ~140 mm).
struct ModelPoint {
  int landmark;
  cv::Point3f position;
};
const ModelPoint kHead[] = {
    {36, {-45, 0, -8}},  {39, {-17, 0, -2}},  {42, {17, 0, -2}},   {45, {45, 0, -8}},
    {27, {0, 0, 8}},     {30, {0, 45, 30}},   {31, {-13, 52, 12}}, {33, {0, 55, 18}},
    {35, {13, 52, 12}},  {0, {-70, 10, -75}}, {16, {70, 10, -75}}, {2, {-67, 55, -65}},
    {14, {67, 55, -65}},
};

// Yaw and pitch, degrees, of a frame's landmarks by solvePnP against the generic head; the
// previous frame's pose seeds the solver.
void headPose(const face::Landmarks& lm, cv::Size image, cv::Mat& rvec, cv::Mat& tvec,
              bool haveGuess, float& yaw, float& pitch) {
  std::vector<cv::Point3f> object;
  std::vector<cv::Point2f> points;
  for (const auto& m : kHead) {
    object.push_back(m.position);
    points.push_back(lm[m.landmark]);
  }
  const double f = std::max(image.width, image.height);
  const cv::Matx33d camera(f, 0, image.width / 2.0, 0, f, image.height / 2.0, 0, 0, 1);
  // The model's z points towards the camera; OpenCV's camera looks along +z, so flip z.
  for (auto& p : object) p.z = -p.z;
  cv::solvePnP(object, points, camera, cv::noArray(), rvec, tvec, haveGuess,
               cv::SOLVEPNP_ITERATIVE);
  cv::Matx33d r;
  cv::Rodrigues(rvec, r);
  // Euler angles of R = Ry(yaw) Rx(pitch) about the head: yaw from the forward axis' x,
  // pitch from its y.
  const cv::Vec3d forward(r(0, 2), r(1, 2), r(2, 2));
  yaw = static_cast<float>(std::atan2(forward[0], forward[2]) * 180.0 / M_PI);
  pitch = static_cast<float>(std::atan2(-forward[1], std::hypot(forward[0], forward[2])) * 180.0 /
                             M_PI);
}

}  // namespace

FaceCurves measureCurves(const TrackedVideo& video) {
  FaceCurves c;
  std::vector<float> iods;
  for (const auto& lm : video.landmarks) iods.push_back(face::interOcularDistance(lm));
  const double iod = std::max(1.0, median(iods));
  cv::Mat rvec, tvec;
  bool guess = false;
  for (const auto& lm : video.landmarks) {
    c.mouth.push_back(static_cast<float>(face::innerLipGap(lm) / iod));
    c.roll.push_back(face::eyeLineDegrees(lm));
    float yaw = 0, pitch = 0;
    headPose(lm, cv::Size(video.width, video.height), rvec, tvec, guess, yaw, pitch);
    guess = true;
    c.yaw.push_back(yaw);
    c.pitch.push_back(pitch);
    const cv::Point2f le = face::eyeCenter(lm, true), re = face::eyeCenter(lm, false);
    c.at.push_back((le + re) * static_cast<float>(0.5 / iod));
    // Brow height: mean distance of the ten brow points from the eye line, per this frame's IOD.
    const cv::Point2f ex =
        (re - le) * (1.0f / std::max(1.0f, static_cast<float>(cv::norm(re - le))));
    const cv::Point2f ey(-ex.y, ex.x);
    const cv::Point2f mid = (le + re) * 0.5f;
    double h = 0.0;
    for (int i = 17; i <= 26; ++i) h += -(lm[i] - mid).dot(ey);
    c.brow.push_back(static_cast<float>(h / 10.0 / std::max(1.0f, face::interOcularDistance(lm))));
    c.eye.push_back(face::eyeOpening(lm));
  }
  return c;
}

SoundCurves measureSound(const std::vector<float>& mono16k, double fps, size_t frames) {
  const speech::AcousticFeatures f = speech::analyzeAcoustics(mono16k);
  SoundCurves s;
  for (size_t k = 0; k < frames; ++k) {
    const double t0 = (k - 0.5) / fps, t1 = (k + 0.5) / fps;
    const auto lo = static_cast<long>(std::max(0.0, std::floor(t0 / f.hopSeconds)));
    const auto hi = std::min<long>(static_cast<long>(f.size()) - 1,
                                   static_cast<long>(std::ceil(t1 / f.hopSeconds)) - 1);
    double loud = 0.0;
    int active = 0, count = 0;
    for (long i = lo; i <= hi; ++i, ++count) {
      loud += f.loudness[i];
      active += f.active[i];
    }
    s.loudness.push_back(count ? static_cast<float>(loud / count) : 0.0f);
    s.speech.push_back(count && 2 * active >= count);
  }
  return s;
}

double pearson(const std::vector<float>& a, const std::vector<float>& b, int lagOfA) {
  // Pairs a[t + lag] with b[t].
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  int n = 0;
  for (long t = 0; t < static_cast<long>(b.size()); ++t) {
    const long ta = t + lagOfA;
    if (ta < 0 || ta >= static_cast<long>(a.size())) continue;
    const double x = a[ta], y = b[t];
    sa += x, sb += y, saa += x * x, sbb += y * y, sab += x * y;
    ++n;
  }
  if (n < 3) return 0.0;
  const double cov = sab / n - (sa / n) * (sb / n);
  const double va = saa / n - (sa / n) * (sa / n), vb = sbb / n - (sb / n) * (sb / n);
  if (va <= 1e-12 || vb <= 1e-12) return 0.0;
  return cov / std::sqrt(va * vb);
}

LagCorrelation mouthCorrelation(const std::vector<float>& ours, const std::vector<float>& real,
                                double fps, double maxLagSeconds) {
  LagCorrelation r;
  r.atZero = pearson(ours, real, 0);
  r.best = r.atZero;
  const int maxLag = static_cast<int>(std::lround(maxLagSeconds * fps));
  for (int lag = -maxLag; lag <= maxLag; ++lag) {
    const double c = pearson(ours, real, lag);
    if (c > r.best) {
      r.best = c;
      r.bestLagSeconds = lag / fps;
    }
  }
  return r;
}

int countBlinks(const std::vector<float>& eye) {
  if (eye.empty()) return 0;
  std::vector<float> sorted = eye;
  std::sort(sorted.begin(), sorted.end());
  const float typical = sorted[sorted.size() * 7 / 10];
  const float threshold = 0.75f * typical;
  int blinks = 0;
  size_t i = 0;
  while (i < eye.size()) {
    if (eye[i] >= threshold) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < eye.size() && eye[j] < threshold) ++j;
    if (j - i <= 12) ++blinks;
    i = j;
  }
  return blinks;
}

ClipStats clipStats(const FaceCurves& face, const SoundCurves& sound, double fps) {
  ClipStats s;
  double open = 0.0;
  int speechFrames = 0;
  for (size_t k = 0; k < face.mouth.size() && k < sound.speech.size(); ++k) {
    if (!sound.speech[k]) continue;
    open += face.mouth[k];
    ++speechFrames;
  }
  s.meanOpenSpeech = speechFrames ? open / speechFrames : 0.0;
  s.rollStd = stddev(face.roll);
  s.yawStd = stddev(face.yaw);
  s.pitchStd = stddev(face.pitch);
  cv::Point2f mean(0, 0);
  for (const auto& p : face.at) mean += p;
  mean *= 1.0f / std::max<size_t>(1, face.at.size());
  double spread = 0.0;
  for (const auto& p : face.at) spread += (p - mean).dot(p - mean);
  s.shiftStd = std::sqrt(spread / std::max<size_t>(1, face.at.size()));
  s.browStd = stddev(face.brow);
  const double minutes = face.eye.size() / fps / 60.0;
  s.blinksPerMinute = minutes > 0 ? countBlinks(face.eye) / minutes : 0.0;
  s.loudnessCorr = pearson(face.mouth, sound.loudness, 0);
  return s;
}

}  // namespace dh::bench
