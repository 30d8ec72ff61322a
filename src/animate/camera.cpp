#include "animate/camera.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "animate/motion_curves.h"

namespace dh::animate {
namespace {

// Zoom by `zoom` about `centre`: the point stays where it is.
cv::Matx33d zoomAbout(double zoom, cv::Point2d centre) {
  return {zoom, 0, (1 - zoom) * centre.x, 0, zoom, (1 - zoom) * centre.y, 0, 0, 1};
}

// Rotate by `degrees` and scale by `zoom` about `centre`, then shift by `shift`.
cv::Matx33d shakeAbout(double zoom, double degrees, cv::Point2d centre, cv::Point2d shift) {
  const double a = degrees * M_PI / 180.0;
  const double c = zoom * std::cos(a), s = zoom * std::sin(a);
  return {c, -s, centre.x - c * centre.x + s * centre.y + shift.x,
          s, c,  centre.y - s * centre.x - c * centre.y + shift.y,
          0, 0,  1};
}

cv::Matx23d affine(const cv::Matx33d& m) {
  return {m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2)};
}

}  // namespace

cv::Rect framingCrop(Framing framing, cv::Size photo, const face::Landmarks& lm, cv::Size output,
                     const CameraOptions& o) {
  const cv::Rect whole(cv::Point(0, 0), photo);
  if (framing == Framing::Photo || photo.width <= 0 || photo.height <= 0) return whole;
  const cv::Point2f brows = (lm[19] + lm[24]) * 0.5f;
  const double faceHeight = std::max(1.0f, lm[8].y - brows.y);
  const double wanted = framing == Framing::CloseUp ? o.closeUpFace : o.mediumFace;
  const double limit =
      std::max<double>(o.minCloseIn, o.maxMagnification * photo.height / output.height);
  const double zoom = std::clamp(wanted * photo.height / faceHeight, 1.0, limit);
  if (zoom < 1.01) return whole;
  const cv::Size size(static_cast<int>(std::lround(photo.width / zoom)),
                      static_cast<int>(std::lround(photo.height / zoom)));
  // The face in the middle across, its centre a little above the middle down.
  const cv::Point2f centre = (brows + lm[8]) * 0.5f;
  const int x = static_cast<int>(std::lround(centre.x - size.width * 0.5));
  const int y = static_cast<int>(std::lround(centre.y - size.height * 0.45));
  return {std::clamp(x, 0, photo.width - size.width), std::clamp(y, 0, photo.height - size.height),
          size.width, size.height};
}

CameraPath::CameraPath(const Style& style, cv::Size frame, cv::Point2f face, size_t frames,
                       double fps, uint64_t seed, const CameraOptions& options)
    : style_(style), frame_(frame), face_(face), frames_(frames), options_(options) {
  face_.x = std::clamp<float>(face_.x, 0.0f, frame.width - 1.0f);
  face_.y = std::clamp<float>(face_.y, 0.0f, frame.height - 1.0f);
  moves_ = style.zoomStart != 1.0f || style.zoomEnd != 1.0f || style.pan != 0.0f ||
           style.handheld > 0.0f;
  if (style.handheld <= 0.0f || frames == 0) return;
  Random rng(seed ^ 0xCA3E8A);
  const double side = std::min(frame.width, frame.height) * style.handheld;
  const std::vector<float> swayX = smoothDrift(rng, frames, fps, options.swaySeconds);
  const std::vector<float> swayY = smoothDrift(rng, frames, fps, options.swaySeconds);
  const std::vector<float> tremorX = smoothDrift(rng, frames, fps, options.tremorSeconds);
  const std::vector<float> tremorY = smoothDrift(rng, frames, fps, options.tremorSeconds);
  const std::vector<float> roll = smoothDrift(rng, frames, fps, options.swaySeconds * 1.3);
  shake_.resize(frames);
  for (size_t i = 0; i < frames; ++i) {
    shake_[i] = cv::Vec3f(static_cast<float>(side * (options.swayFraction * swayX[i] +
                                                     options.tremorFraction * tremorX[i])),
                          static_cast<float>(side * (options.swayFraction * 0.7 * swayY[i] +
                                                     options.tremorFraction * tremorY[i])),
                          static_cast<float>(options.rollDegrees * style.handheld * roll[i]));
  }
}

cv::Matx23d CameraPath::at(size_t index) const {
  if (!moves_) return {1, 0, 0, 0, 1, 0};
  const double t = frames_ > 1 ? static_cast<double>(index) / (frames_ - 1) : 0.0;
  const double ease = smoothstep(t);
  cv::Matx33d move = cv::Matx33d::eye();
  if (style_.pan != 0.0f) {
    // Zoomed in by as much as the pan travels; the zoom's centre runs across the frame.
    const double travel = std::abs(style_.pan);
    const double zoom = 1.0 + travel / (options_.panTo - options_.panFrom);
    const double from = style_.pan > 0 ? options_.panFrom : options_.panTo;
    const double to = style_.pan > 0 ? options_.panTo : options_.panFrom;
    move = zoomAbout(zoom, {frame_.width * (from + (to - from) * ease), face_.y});
  } else {
    const double zoom = style_.zoomStart + (style_.zoomEnd - style_.zoomStart) * ease;
    move = zoomAbout(zoom, face_);
  }
  if (shake_.empty()) return affine(move);
  // The shake moves within the margin of its own small zoom; if a rare large excursion would
  // show outside the picture, it is scaled down until it does not.
  const cv::Vec3f s = shake_[std::min(index, shake_.size() - 1)];
  const cv::Point2d middle(frame_.width * 0.5, frame_.height * 0.5);
  const double zoom = 1.0 + (options_.handheldZoom - 1.0) * std::min(1.5f, style_.handheld);
  for (double k = 1.0; k > 0.0; k -= 0.1) {
    const cv::Matx23d map =
        affine(shakeAbout(zoom, k * s[2], middle, cv::Point2d(k * s[0], k * s[1])) * move);
    if (staysInside(map, frame_)) return map;
  }
  return affine(shakeAbout(zoom, 0.0, middle, {0, 0}) * move);
}

bool staysInside(const cv::Matx23d& map, cv::Size size, double tolerance) {
  cv::Matx23d back;
  cv::invertAffineTransform(map, back);
  for (const cv::Point2d corner :
       {cv::Point2d(0, 0), cv::Point2d(size.width, 0), cv::Point2d(0, size.height),
        cv::Point2d(size.width, size.height)}) {
    const cv::Vec3d p(corner.x, corner.y, 1.0);
    const cv::Vec2d q = back * p;
    if (q[0] < -tolerance || q[1] < -tolerance || q[0] > size.width + tolerance ||
        q[1] > size.height + tolerance)
      return false;
  }
  return true;
}

}  // namespace dh::animate
