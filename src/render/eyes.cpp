#include "render/eyes.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace dh::render {
namespace {

constexpr float kDegToRad = 3.14159265f / 180.0f;
constexpr float kCatchlightTravel = 0.3f;  // share of the iris's shift the catchlight moves

cv::Vec3f bilinear(const cv::Mat& m, float x, float y) {
  x = std::clamp(x, 0.0f, static_cast<float>(m.cols - 1) - 1e-3f);
  y = std::clamp(y, 0.0f, static_cast<float>(m.rows - 1) - 1e-3f);
  const int xi = std::min(static_cast<int>(x), m.cols - 2);
  const int yi = std::min(static_cast<int>(y), m.rows - 2);
  const float fx = x - xi, fy = y - yi;
  const cv::Vec3f* r0 = m.ptr<cv::Vec3f>(yi) + xi;
  const cv::Vec3f* r1 = m.ptr<cv::Vec3f>(yi + 1) + xi;
  return (r0[0] * (1 - fx) + r0[1] * fx) * (1 - fy) + (r1[0] * (1 - fx) + r1[1] * fx) * fy;
}

float bilinear1(const cv::Mat& m, float x, float y) {
  x = std::clamp(x, 0.0f, static_cast<float>(m.cols - 1) - 1e-3f);
  y = std::clamp(y, 0.0f, static_cast<float>(m.rows - 1) - 1e-3f);
  const int xi = std::min(static_cast<int>(x), m.cols - 2);
  const int yi = std::min(static_cast<int>(y), m.rows - 2);
  const float fx = x - xi, fy = y - yi;
  const float* r0 = m.ptr<float>(yi) + xi;
  const float* r1 = m.ptr<float>(yi + 1) + xi;
  return (r0[0] * (1 - fx) + r0[1] * fx) * (1 - fy) + (r1[0] * (1 - fx) + r1[1] * fx) * fy;
}

float lightOf(const cv::Vec3f& c) {
  return (c[0] + c[1] + c[2]) / 3.0f;
}

// The eye opening: a smooth closed curve through the six lid points `p` (the lid margins are
// curved; straight chords between the points would cut the iris off in straight lines).
std::vector<cv::Point2f> smoothOpening(const cv::Point2f* p) {
  constexpr int kSteps = 4;
  std::vector<cv::Point2f> out;
  for (int i = 0; i < 6; ++i) {
    const cv::Point2f& p0 = p[(i + 5) % 6];
    const cv::Point2f& p1 = p[i];
    const cv::Point2f& p2 = p[(i + 1) % 6];
    const cv::Point2f& p3 = p[(i + 2) % 6];
    for (int st = 0; st < kSteps; ++st) {
      const float t = static_cast<float>(st) / kSteps, t2 = t * t, t3 = t2 * t;
      out.push_back(0.5f *
                    ((2.0f * p1) + (-p0 + p2) * t + (2.0f * p0 - 5.0f * p1 + 4.0f * p2 - p3) * t2 +
                     (-p0 + 3.0f * p1 - 3.0f * p2 + p3) * t3));
    }
  }
  return out;
}

// px: how far around the iris's centre the white is filled in, and where the moved iris ends.
float fillRadius(float iris) {
  return 1.25f * iris + 1.5f;
}
float layerRadius(float iris) {
  return 1.1f * iris;
}

}  // namespace

EyeGaze::EyeGaze(const cv::Mat& photo, const face::Landmarks& lm, float interOcular,
                 const GazeOptions& options)
    : options_(options), unit_(std::max(1.0f, interOcular)) {
  eyes_[0].first = 36;
  eyes_[1].first = 42;
  for (Eye& eye : eyes_) prepare(eye, photo, lm);
}

void EyeGaze::prepare(Eye& eye, const cv::Mat& photo, const face::Landmarks& lm) {
  std::vector<cv::Point2f> outline(lm.begin() + eye.first, lm.begin() + eye.first + 6);
  const float width = static_cast<float>(cv::norm(lm[eye.first + 3] - lm[eye.first]));
  eye.radius = std::max(1.5f, options_.irisRadius * width);
  const int margin = static_cast<int>(std::ceil(eye.radius)) + 3;
  eye.box = cv::boundingRect(outline);
  eye.box.x -= margin, eye.box.y -= margin, eye.box.width += 2 * margin,
      eye.box.height += 2 * margin;
  eye.box &= cv::Rect(0, 0, photo.cols, photo.rows);
  photo(eye.box).convertTo(eye.photo, CV_32FC3);
  const cv::Point2f tl(eye.box.tl());

  cv::Mat mask = cv::Mat::zeros(eye.box.size(), CV_8U);
  std::vector<cv::Point> poly;
  for (const auto& p : smoothOpening(lm.data() + eye.first)) {
    poly.emplace_back(cvRound(p.x - tl.x), cvRound(p.y - tl.y));
  }
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, 255);
  cv::Mat gray(eye.box.size(), CV_32F);
  for (int y = 0; y < gray.rows; ++y)
    for (int x = 0; x < gray.cols; ++x)
      gray.at<float>(y, x) = lightOf(eye.photo.at<cv::Vec3f>(y, x));

  // The iris: the disc of the iris's size in the middle of the eye opening, darkest against
  // the rest.
  const cv::Rect opening = cv::boundingRect(poly);
  float best = 1e9f;
  cv::Point2f center(opening.x + opening.width * 0.5f, opening.y + opening.height * 0.5f);
  const float r2 = eye.radius * eye.radius;
  for (int cy = opening.y; cy < opening.y + opening.height; ++cy) {
    for (int cx = opening.x + static_cast<int>(0.2f * opening.width);
         cx <= opening.x + static_cast<int>(0.8f * opening.width); ++cx) {
      double in = 0, out = 0;
      int nIn = 0, nOut = 0;
      for (int y = opening.y; y < opening.y + opening.height; ++y) {
        const uint8_t* m = mask.ptr<uint8_t>(y);
        const float* g = gray.ptr<float>(y);
        for (int x = opening.x; x < opening.x + opening.width; ++x) {
          if (!m[x]) continue;
          const float d2 = static_cast<float>((x - cx) * (x - cx) + (y - cy) * (y - cy));
          if (d2 <= r2)
            in += g[x], ++nIn;
          else
            out += g[x], ++nOut;
        }
      }
      if (nIn < 4 || nOut < 4) continue;
      // Darkest against the rest, and mostly inside the opening (not the liner at a corner).
      const float inside = std::min(1.0f, nIn / (3.14159f * r2));
      const float score = static_cast<float>(in / nIn - out / nOut) + 40.0f * (1.0f - inside);
      if (score < best) best = score, center = cv::Point2f(static_cast<float>(cx), cy);
    }
  }
  eye.iris = center + tl;

  // The white of the eye and the iris's own colour.
  std::vector<float> irisLight;
  cv::Vec3f sclera(0, 0, 0);
  int scleraCount = 0;
  for (int y = 0; y < gray.rows; ++y) {
    for (int x = 0; x < gray.cols; ++x) {
      if (!mask.at<uint8_t>(y, x)) continue;
      const float d = std::hypot(x - center.x, y - center.y);
      if (d < eye.radius * 0.9f) irisLight.push_back(gray.at<float>(y, x));
      if (d > eye.radius + 1.5f) sclera += eye.photo.at<cv::Vec3f>(y, x), ++scleraCount;
    }
  }
  sclera = scleraCount ? sclera / static_cast<float>(scleraCount) : cv::Vec3f(200, 200, 200);
  std::sort(irisLight.begin(), irisLight.end());
  const float irisMedian = irisLight.empty() ? 60.0f : irisLight[irisLight.size() / 2];

  // The catchlight: pixels of the iris far brighter than it, a small spot (a wide bright area
  // is a reflection in glasses or a coloured iris: the threshold rises until it is small).
  eye.catchlight = cv::Mat::zeros(eye.box.size(), CV_32F);
  float threshold = irisMedian + std::max(25.0f, 0.4f * (lightOf(sclera) - irisMedian));
  for (int attempt = 0; attempt < 8; ++attempt) {
    int bright = 0, inside = 0;
    for (int y = 0; y < gray.rows; ++y) {
      for (int x = 0; x < gray.cols; ++x) {
        if (std::hypot(x - center.x, y - center.y) > eye.radius) continue;
        ++inside;
        if (gray.at<float>(y, x) > threshold) ++bright;
      }
    }
    if (bright * 12 <= inside) break;
    threshold += 15.0f;
  }
  cv::Vec3f irisColor(0, 0, 0);
  int irisCount = 0;
  for (int y = 0; y < gray.rows; ++y) {
    for (int x = 0; x < gray.cols; ++x) {
      const float d = std::hypot(x - center.x, y - center.y);
      if (d > eye.radius) continue;
      const float g = gray.at<float>(y, x);
      eye.catchlight.at<float>(y, x) = std::clamp((g - threshold) / 20.0f + 0.5f, 0.0f, 1.0f);
      if (g <= irisMedian * 1.2f + 5.0f) irisColor += eye.photo.at<cv::Vec3f>(y, x), ++irisCount;
    }
  }
  irisColor = irisCount ? irisColor / static_cast<float>(irisCount) : cv::Vec3f(60, 60, 60);
  cv::GaussianBlur(eye.catchlight, eye.catchlight, cv::Size(0, 0), 0.7);
  cv::min(eye.catchlight * 1.5, 1.0, eye.catchlight);
  // What moves: the iris disc (soft-edged) where the photo shows it, not the lid over its top.
  cv::Mat open;
  mask.convertTo(open, CV_32F, 1.0 / 255.0);
  cv::GaussianBlur(open, open, cv::Size(0, 0), 0.7);
  eye.irisAlpha = cv::Mat::zeros(eye.box.size(), CV_32F);
  const float layer = layerRadius(eye.radius);
  for (int y = 0; y < gray.rows; ++y) {
    for (int x = 0; x < gray.cols; ++x) {
      const float d = std::hypot(x - center.x, y - center.y);
      eye.irisAlpha.at<float>(y, x) =
          std::clamp((layer + 0.75f - d) / 1.5f, 0.0f, 1.0f) * open.at<float>(y, x);
    }
  }
  eye.irisLayer = eye.photo.clone();
  for (int y = 0; y < gray.rows; ++y) {
    for (int x = 0; x < gray.cols; ++x) {
      const float a = eye.catchlight.at<float>(y, x);
      auto& c = eye.irisLayer.at<cv::Vec3f>(y, x);
      c = c * (1.0f - a) + irisColor * a;
    }
  }

  // Behind the iris: each row's white of the eye, from just left and right of the iris, joined
  // across (the shading under the lid stays); rows with no white on either side take the mean.
  // The fill reaches past the iris's soft rim so no dark crescent is left behind.
  eye.background = eye.photo.clone();
  const float fill = fillRadius(eye.radius);
  for (int y = 0; y < gray.rows; ++y) {
    const float dy = y - center.y;
    const float half = dy * dy < fill * fill ? std::sqrt(fill * fill - dy * dy) : 0.0f;
    if (half <= 0.0f) continue;
    const int xl = static_cast<int>(std::floor(center.x - half)) - 1;
    const int xr = static_cast<int>(std::ceil(center.x + half)) + 1;
    auto side = [&](int x) -> std::pair<bool, cv::Vec3f> {
      if (x < 0 || x >= gray.cols || !mask.at<uint8_t>(y, x)) return {false, sclera};
      return {true, eye.photo.at<cv::Vec3f>(y, x)};
    };
    const auto [hasLeft, left] = side(xl);
    const auto [hasRight, right] = side(xr);
    const cv::Vec3f l = hasLeft ? left : (hasRight ? right : sclera);
    const cv::Vec3f r = hasRight ? right : l;
    for (int x = std::max(0, xl + 1); x < std::min(gray.cols, xr); ++x) {
      const float t = static_cast<float>(x - xl) / static_cast<float>(xr - xl);
      eye.background.at<cv::Vec3f>(y, x) = l * (1.0f - t) + r * t;
    }
  }
  sourceCorners_.push_back(lm[eye.first]);
  sourceCorners_.push_back(lm[eye.first + 3]);
}

void EyeGaze::draw(const std::vector<cv::Point2f>& points, float yawDegrees, float pitchDegrees,
                   cv::Mat& frame) {
  if (std::abs(yawDegrees) < options_.minDegrees && std::abs(pitchDegrees) < options_.minDegrees)
    return;
  const float r = options_.eyeballRadius * unit_;
  const cv::Point2f shift(r * std::sin(yawDegrees * kDegToRad),
                          r * std::sin(pitchDegrees * kDegToRad));
  for (const Eye& eye : eyes_) drawEye(eye, points, shift, frame);
}

void EyeGaze::drawEye(const Eye& eye, const std::vector<cv::Point2f>& points, cv::Point2f shift,
                      cv::Mat& frame) {
  // Frame to photo: the similarity that takes this frame's eye corners to the photo's.
  const cv::Point2f c0 = points[eye.first], c1 = points[eye.first + 3];
  const int k = eye.first == 36 ? 0 : 2;
  const cv::Point2f s0 = sourceCorners_[k], s1 = sourceCorners_[k + 1];
  const cv::Point2f dc = c1 - c0, ds = s1 - s0;
  const float len2 = std::max(1e-3f, dc.dot(dc));
  const float a = (ds.x * dc.x + ds.y * dc.y) / len2, b = (ds.y * dc.x - ds.x * dc.y) / len2;
  const float scale = std::sqrt(a * a + b * b);
  if (scale < 1e-3f) return;
  // The shift is in the photo's pixels; the eye opening in this frame clips the moved iris.
  // The eye opening, in fixed point.
  constexpr int kShift = 3;
  std::vector<cv::Point> poly;
  for (const cv::Point2f& q : smoothOpening(points.data() + eye.first)) {
    poly.emplace_back(cvRound(q.x * (1 << kShift)), cvRound(q.y * (1 << kShift)));
  }
  std::vector<cv::Point2f> outline(points.begin() + eye.first, points.begin() + eye.first + 6);
  cv::Rect rect = cv::boundingRect(outline);
  rect.x -= 2, rect.y -= 2, rect.width += 4, rect.height += 4;
  rect &= cv::Rect(0, 0, frame.cols, frame.rows);
  if (rect.width < 3 || rect.height < 2) return;
  cv::Mat mask = cv::Mat::zeros(rect.size(), CV_8U);
  for (auto& p : poly) p -= cv::Point(rect.x << kShift, rect.y << kShift);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, 255, cv::LINE_AA, kShift);

  const cv::Point2f irisLocal = eye.iris - cv::Point2f(eye.box.tl());
  const float reach = fillRadius(eye.radius) + 1.0f;
  auto composite = [&](float qx, float qy, cv::Point2f sh) {
    const float irisAlpha = bilinear1(eye.irisAlpha, qx - sh.x, qy - sh.y);
    cv::Vec3f c = bilinear(eye.background, qx, qy);
    if (irisAlpha > 0.0f) {
      c = c * (1.0f - irisAlpha) + bilinear(eye.irisLayer, qx - sh.x, qy - sh.y) * irisAlpha;
    }
    // The reflection sits on the cornea, whose centre of curvature is nearer the eye's centre
    // of rotation than the pupil is: it travels a fraction of the iris's way.
    const float lx = qx - kCatchlightTravel * sh.x, ly = qy - kCatchlightTravel * sh.y;
    const float light = bilinear1(eye.catchlight, lx, ly);
    if (light > 0.0f) c = c * (1.0f - light) + bilinear(eye.photo, lx, ly) * light;
    return c;
  };
  const cv::Point2f tl(eye.box.tl());
  for (int y = 0; y < rect.height; ++y) {
    const uint8_t* m = mask.ptr<uint8_t>(y);
    auto* px = frame.ptr<cv::Vec3b>(y + rect.y) + rect.x;
    for (int x = 0; x < rect.width; ++x) {
      if (!m[x]) continue;
      const cv::Point2f p(static_cast<float>(x + rect.x) - c0.x,
                          static_cast<float>(y + rect.y) - c0.y);
      const float qx = s0.x + a * p.x - b * p.y - tl.x;
      const float qy = s0.y + b * p.x + a * p.y - tl.y;
      const float d = std::hypot(qx - irisLocal.x, qy - irisLocal.y);
      const float moved = std::hypot(qx - shift.x - irisLocal.x, qy - shift.y - irisLocal.y);
      if (d > reach && moved > reach) continue;  // the iris neither left nor came here
      const cv::Vec3f delta = composite(qx, qy, shift) - composite(qx, qy, {0.0f, 0.0f});
      const float w = m[x] / 255.0f;
      for (int c = 0; c < 3; ++c) {
        px[x][c] = static_cast<uint8_t>(std::clamp(std::lround(px[x][c] + w * delta[c]), 0L, 255L));
      }
    }
  }
}

}  // namespace dh::render
