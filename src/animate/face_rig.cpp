#include "animate/face_rig.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace dh::animate {
namespace {

constexpr float kDegToRad = static_cast<float>(M_PI / 180.0);

cv::Point2f catmullMid(const cv::Point2f& a, const cv::Point2f& b, const cv::Point2f& c,
                       const cv::Point2f& d) {
  return (-a + 9.0f * b + 9.0f * c - d) * (1.0f / 16.0f);
}

// Forward depth of the 68 landmarks on a rough head shape (IOD units).
float landmarkDepth(int i, float x, float halfWidth) {
  const float r = std::clamp(x / (halfWidth * 1.05f), -1.0f, 1.0f);
  float z = 0.9f * std::sqrt(std::max(0.0f, 1.0f - r * r));
  static constexpr float nose[9] = {0.10f, 0.2f, 0.3f, 0.45f, 0.15f, 0.22f, 0.28f, 0.22f, 0.15f};
  if (i >= 27 && i <= 35) z += nose[i - 27];
  if (i >= 48) z += 0.1f;  // lips stand forward of the cheeks
  return z;
}

// How much jaw-contour landmark i (0..16) moves with the chin: 1 at the chin, 0 at the ears.
float jawWeight(int i) {
  const float c =
      std::cos(static_cast<float>(M_PI) / 2.0f * static_cast<float>(std::abs(i - 8)) / 8.0f);
  return std::pow(std::max(0.0f, c), 1.2f);
}

}  // namespace

FaceRig::FaceRig(const face::FaceAnalysis& analysis, const RigOptions& options)
    : options_(options) {
  const face::Landmarks& lm = analysis.landmarks;
  const cv::Point2f le = face::eyeCenter(lm, true);
  const cv::Point2f re = face::eyeCenter(lm, false);
  origin_ = (le + re) * 0.5f;
  unit_ = std::max(1.0f, static_cast<float>(cv::norm(re - le)));
  ex_ = (re - le) * (1.0f / unit_);
  ey_ = cv::Point2f(-ex_.y, ex_.x);

  // Landmarks in the face frame, then the mouth closed (the neutral pose).
  std::vector<cv::Point2f> q(face::kLandmarkCount);
  for (int i = 0; i < face::kLandmarkCount; ++i) q[i] = toFace(lm[i]);
  faceHalfWidth_ = std::max(0.5f, (q[16].x - q[0].x) / 2.0f);
  const int upperInner[3] = {61, 62, 63}, lowerInner[3] = {67, 66, 65};
  const int upperOuter[3] = {50, 51, 52}, lowerOuter[3] = {58, 57, 56};
  std::vector<cv::Point2f> closed = q;
  float meanGap = 0.0f;
  for (int k = 0; k < 3; ++k) {
    const float gap = std::max(0.0f, q[lowerInner[k]].y - q[upperInner[k]].y);
    meanGap += gap / 3.0f;
    const cv::Point2f meet = q[upperInner[k]] + cv::Point2f(0, 0.3f * gap);
    const cv::Point2f meetX(0.5f * (q[upperInner[k]].x + q[lowerInner[k]].x), meet.y);
    closed[upperInner[k]] = meetX;
    closed[lowerInner[k]] = meetX;
    closed[upperOuter[k]].y += 0.3f * gap;
    closed[lowerOuter[k]].y -= 0.7f * gap;
  }
  for (int i : {49, 53}) closed[i].y += 0.3f * meanGap * 0.6f;
  for (int i : {59, 55}) closed[i].y -= 0.7f * meanGap * 0.6f;
  for (int i = 0; i <= 16; ++i) {
    closed[i].y -= 0.6f * meanGap * jawWeight(i);
  }
  mouthCenterX_ = 0.5f * (closed[48].x + closed[54].x);
  mouthHalfWidth_ = std::max(0.1f, 0.5f * (closed[54].x - closed[48].x));
  chinY_ = closed[8].y;

  for (int i = 0; i < face::kLandmarkCount; ++i) {
    Point p;
    p.neutral = closed[i];
    p.depth = landmarkDepth(i, q[i].x, faceHalfWidth_);
    face_.push_back(p);
    source_.push_back(lm[i]);
  }

  // Pro: Catmull-Rom midpoints along the jaw and both lip contours.
  if (options_.contourDensity > 1) {
    auto addMid = [&](int a, int b, int c, int d) {
      Point p;
      p.midOf[0] = a, p.midOf[1] = b, p.midOf[2] = c, p.midOf[3] = d;
      p.depth = 0.5f * (face_[b].depth + face_[c].depth);
      face_.push_back(p);
      source_.push_back(catmullMid(lm[a], lm[b], lm[c], lm[d]));
    };
    for (int i = 0; i < 16; ++i) addMid(std::max(0, i - 1), i, i + 1, std::min(16, i + 2));
    for (int i = 0; i < 12; ++i)
      addMid(48 + (i + 11) % 12, 48 + i, 48 + (i + 1) % 12, 48 + (i + 2) % 12);
  }

  // Lid creases between each upper lid and its brow: the blink stretches only the lid skin below
  // them, so brows (and glasses rims) stay put.
  creaseStart_ = static_cast<int>(face_.size());
  for (const auto& pair :
       {std::pair{37, 19}, std::pair{38, 20}, std::pair{43, 23}, std::pair{44, 24}}) {
    Point p;
    p.neutral = closed[pair.first] + 0.4f * (closed[pair.second] - closed[pair.first]);
    p.depth = landmarkDepth(-1, p.neutral.x, faceHalfWidth_);
    face_.push_back(p);
  }
  // Forehead row above the brows: moves with the head.
  float browY = 0.0f;
  for (int i = 17; i <= 26; ++i) browY += closed[i].y / 10.0f;
  for (float fx : {-0.95f, -0.5f, 0.0f, 0.5f, 0.95f}) {
    Point p;
    p.neutral = cv::Point2f(fx * faceHalfWidth_, browY - 0.55f);
    p.depth = landmarkDepth(-1, p.neutral.x, faceHalfWidth_);
    face_.push_back(p);
  }
  // Head ring (moves with the head; the lower part follows the jaw a little), two rings further
  // out that follow the head less and less (hair, neck and shoulders go along, and a straight
  // background line next to the head bends in a smooth curve instead of kinking at one ring),
  // and the fixed anchor ring around them.
  const float top = browY - 1.35f;
  const float centerY = 0.5f * (top + chinY_);
  auto ring = [&](float scale, float below, float above, float weight, int count) {
    for (int k = 0; k < count; ++k) {
      const float a = 2.0f * static_cast<float>(M_PI) * k / count;
      const float s = std::sin(a);  // > 0: lower half
      const float ry = s > 0 ? (chinY_ + below - centerY) : (centerY - top + above);
      Point p;
      p.neutral = cv::Point2f(std::cos(a) * faceHalfWidth_ * scale, centerY + s * ry);
      const float lower = std::max(0.0f, s);
      p.headWeight = weight * (1.0f - 0.5f * lower);
      p.jawWeight = weight >= 1.0f ? 0.35f * lower * lower : 0.0f;
      face_.push_back(p);
    }
  };
  const float inner = options_.headRingScale, outer = options_.anchorRingScale;
  ring(inner, 0.4f, 0.0f, 1.0f, 16);
  ring(inner + (outer - inner) / 3.0f, 0.7f, 0.35f, 0.6f, 16);
  ring(inner + 2.0f * (outer - inner) / 3.0f, 1.0f, 0.7f, 0.25f, 16);
  ring(outer, 1.3f, 1.0f, 0.0f, 16);
  for (size_t i = source_.size(); i < face_.size(); ++i)
    source_.push_back(toImage(face_[i].neutral));
  work_.resize(face_.size());
}

cv::Point2f FaceRig::toFace(cv::Point2f p) const {
  const cv::Point2f d = p - origin_;
  return cv::Point2f(d.dot(ex_), d.dot(ey_)) * (1.0f / unit_);
}

void FaceRig::deformLandmarks(const FaceParams& prm, std::vector<cv::Point2f>& q) const {
  for (int i = 0; i < face::kLandmarkCount; ++i) q[i] = face_[i].neutral;
  const float press = std::clamp(prm.lipPress, 0.0f, 1.0f);
  const float tuck = std::clamp(prm.lipTuck, 0.0f, 1.0f);
  const float round = std::clamp(prm.lipRound, 0.0f, 1.0f);
  const float spread = std::clamp(prm.lipSpread, 0.0f, 1.0f);
  const float smile = std::clamp(prm.smile, 0.0f, 1.0f);
  const float jaw = std::clamp(prm.jawOpen, 0.0f, 1.0f);
  const float gap = options_.maxLipGap * (jaw + 0.05f * round) * (1.0f - press) * (1.0f - tuck);
  auto column = [&](float x) {
    const float r = (x - mouthCenterX_) / mouthHalfWidth_;
    return std::sqrt(std::clamp(1.0f - r * r, 0.0f, 1.0f));
  };
  auto side = [&](int i) { return face_[i].neutral.x < mouthCenterX_ ? -1.0f : 1.0f; };

  // Jaw: the lower lip drops with the chin, the upper lip lifts a little, the corners follow.
  const float jawGap = options_.maxLipGap * jaw;
  for (int i = 0; i <= 16; ++i) {
    q[i].y += 0.85f * jawGap * jawWeight(i);
  }
  for (int i : {55, 56, 57, 58, 59, 65, 66, 67}) q[i].y += 0.78f * gap * column(q[i].x);
  for (int i : {49, 50, 51, 52, 53, 61, 62, 63}) q[i].y -= 0.22f * gap * column(q[i].x);
  for (int i : {48, 54, 60, 64}) {
    q[i].y += 0.3f * gap;
    q[i].x -= side(i) * 0.15f * jawGap;
  }
  // Lips keep their volume: stretched (spread, smile) they thin, pressed or rounded they bunch
  // up and look fuller. Pressed lips also push a little outward at the middle.
  const float stretch = spread + 0.6f * smile;
  for (int i : {50, 51, 52}) q[i].y += 0.018f * stretch - 0.025f * round - 0.008f * press;
  for (int i : {56, 57, 58}) q[i].y -= 0.02f * stretch - 0.025f * round - 0.01f * press;
  for (int i : {49, 53}) q[i].y += 0.01f * stretch - 0.012f * round;
  for (int i : {55, 59}) q[i].y -= 0.01f * stretch - 0.012f * round;
  // f, v: the upper lip lifts off the upper teeth and the lower lip rolls in and up under them.
  for (int i : {61, 62, 63}) q[i].y -= 0.045f * tuck * column(q[i].x);
  for (int i : {50, 51, 52}) q[i].y -= 0.012f * tuck;
  for (int i : {56, 57, 58}) q[i].y -= 0.04f * tuck * column(q[i].x);
  for (int i : {55, 59}) q[i].y -= 0.025f * tuck;
  // Spread lifts the upper lip off the teeth a little; rounding closes the opening to an o.
  for (int i : {61, 62, 63}) q[i].y += 0.03f * round * jaw - 0.012f * spread * column(q[i].x);
  for (int i : {65, 66, 67}) q[i].y -= 0.015f * round * jaw;
  for (int i : {61, 63, 65, 67}) q[i].x -= side(i) * 0.025f * round;
  // Spread and round move the corners sideways; round also pushes the lips out.
  const float sideways = 0.07f * spread - 0.09f * round + 0.05f * smile;
  for (int i : {48, 54, 60, 64}) q[i].x += side(i) * sideways;
  for (int i : {49, 53, 55, 59, 61, 63, 65, 67}) q[i].x += side(i) * 0.5f * sideways;
  // Smile lifts the corners and, a little, the lower lids.
  for (int i : {48, 54, 60, 64}) q[i].y -= 0.06f * smile;
  for (int i : {49, 53, 55, 59}) q[i].y -= 0.03f * smile;
  for (int i : {61, 63, 65, 67}) q[i].y -= 0.015f * smile;
  for (int i : {40, 41, 46, 47}) q[i].y -= 0.012f * smile;
  // Rounded lips gather into an o: the corners come to the opening's middle height (a smiling
  // photo's upturned line would otherwise bend the opening into a V) and the inner lips follow
  // an ellipse through the corners and the middle points.
  if (round > 0.0f) {
    const float midY = 0.5f * (q[62].y + q[66].y);
    for (int i : {60, 64}) q[i].y += 0.85f * round * (midY - q[i].y);
    for (int i : {48, 54}) q[i].y += 0.5f * round * (midY - q[i].y);
    // Puckered, the opening narrows far more than the mouth.
    const float innerHalf = 0.5f * (q[64].x - q[60].x);
    for (int i : {60, 64}) q[i].x -= side(i) * 0.3f * round * innerHalf;
    for (int i : {61, 63, 65, 67}) q[i].x -= side(i) * 0.18f * round * innerHalf;
    for (int i : {48, 54}) q[i].x -= side(i) * 0.08f * round * innerHalf;
    const float centreX = 0.5f * (q[60].x + q[64].x);
    const float halfWidth = std::max(1e-3f, 0.5f * (q[64].x - q[60].x));
    const float halfHeight = std::max(0.0f, 0.5f * (q[66].y - q[62].y));
    auto onEllipse = [&](int i, float sign) {
      q[i].x += round * (centreX + side(i) * 0.6f * halfWidth - q[i].x);
      const float r = std::clamp((q[i].x - centreX) / halfWidth, -1.0f, 1.0f);
      const float y = midY + sign * halfHeight * std::sqrt(1.0f - r * r);
      q[i].y += round * (y - q[i].y);
    };
    for (int i : {61, 63}) onEllipse(i, -1.0f);
    for (int i : {65, 67}) onEllipse(i, 1.0f);
  }
  // A frown pulls the corners down and a little in.
  const float frown = std::clamp(prm.frown, 0.0f, 1.0f);
  for (int i : {48, 54, 60, 64}) {
    q[i].y += 0.07f * frown;
    q[i].x -= side(i) * 0.015f * frown;
  }
  for (int i : {49, 53, 55, 59}) q[i].y += 0.02f * frown;
  // Brows.
  for (int i = 17; i <= 26; ++i) q[i].y -= 0.08f * std::clamp(prm.browRaise, 0.0f, 1.0f);
  // Blink: the upper lid comes down onto the lower lid. Looking down lowers it too (a quarter
  // of the way at 10 degrees), as real lids follow the eye.
  const float gazeDown = std::clamp(prm.gazePitch / 40.0f, 0.0f, 0.3f);
  const float blink = 0.97f * std::max(std::clamp(prm.blink, 0.0f, 1.0f), gazeDown);
  const int lids[4][2] = {{37, 41}, {38, 40}, {43, 47}, {44, 46}};
  for (const auto& l : lids) {
    q[l[0]] += (q[l[1]] - q[l[0]]) * blink;
    q[l[1]].y -= 0.02f * blink * (q[l[1]].y - q[l[0]].y);
  }
}

cv::Point2f FaceRig::applyHead(cv::Point2f q, float depth, float weight,
                               const FaceParams& p) const {
  if (weight <= 0.0f) return q;
  const cv::Point2f center(0.0f, 0.7f);
  const float yaw = p.headYaw * kDegToRad * weight;
  const float pitch = p.headPitch * kDegToRad * weight;
  const float roll = p.headRoll * kDegToRad * weight;
  const cv::Point2f d = q - center;
  // Turns and nods pivot at about the eyes' depth, so the eyes stay nearly in place while the
  // nose swings and the far cheek foreshortens (a face-following camera sees the same); the
  // tilt pivots at the chin.
  constexpr float kPivotDepth = 0.7f;
  const float z0 = depth - kPivotDepth;
  const float x1 = d.x * std::cos(yaw) + z0 * std::sin(yaw);
  const float z1 = -d.x * std::sin(yaw) + z0 * std::cos(yaw);
  const float y1 = d.y * std::cos(pitch) + z1 * std::sin(pitch);
  const cv::Point2f pivot(0.0f, chinY_);
  const cv::Point2f r = center + cv::Point2f(x1, y1) - pivot;
  const cv::Point2f rolled(r.x * std::cos(roll) - r.y * std::sin(roll),
                           r.x * std::sin(roll) + r.y * std::cos(roll));
  return pivot + rolled + p.headShift * weight;
}

void FaceRig::pose(const FaceParams& params, std::vector<cv::Point2f>& out) const {
  std::vector<cv::Point2f>& q = work_;
  deformLandmarks(params, q);
  const cv::Point2f chinMove = q[8] - face_[8].neutral;
  const size_t n = face_.size();
  for (size_t i = face::kLandmarkCount; i < n; ++i) {
    const Point& p = face_[i];
    if (p.midOf[0] >= 0) {
      q[i] = catmullMid(q[p.midOf[0]], q[p.midOf[1]], q[p.midOf[2]], q[p.midOf[3]]);
    } else {
      q[i] = p.neutral + chinMove * p.jawWeight;
    }
  }
  out.resize(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = toImage(applyHead(q[i], face_[i].depth, face_[i].headWeight, params));
  // Toward the photo as it was sent (its own mouth, open or closed) at the start of a video.
  const float hold = std::clamp(params.photoHold, 0.0f, 1.0f);
  if (hold > 0.0f) {
    for (size_t i = 0; i < n; ++i) out[i] += (source_[i] - out[i]) * hold;
  }
}

std::vector<cv::Point2f> FaceRig::triangulationLayout() const {
  FaceParams open;
  open.jawOpen = 0.8f;
  std::vector<cv::Point2f> points;
  pose(open, points);
  return points;
}

cv::Rect FaceRig::anchorBounds() const {
  std::vector<cv::Point2f> ring(source_.end() - 16, source_.end());
  return cv::boundingRect(ring);
}

}  // namespace dh::animate
