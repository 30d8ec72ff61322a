#include "face/face_colors.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace dh::face {
namespace {

std::vector<cv::Point> polygon(const Landmarks& p, std::initializer_list<int> indices,
                               cv::Point offset) {
  std::vector<cv::Point> out;
  for (int i : indices) out.emplace_back(cvRound(p[i].x) - offset.x, cvRound(p[i].y) - offset.y);
  return out;
}

float median(std::vector<float>& v) {
  if (v.empty()) return 0.0f;
  auto mid = v.begin() + static_cast<long>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

}  // namespace

cv::Vec3f medianColor(const cv::Mat& bgr, const cv::Mat& mask, cv::Vec3f fallback) {
  std::vector<float> ch[3];
  for (int y = 0; y < bgr.rows; ++y) {
    const auto* px = bgr.ptr<cv::Vec3b>(y);
    const auto* m = mask.ptr<uint8_t>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      if (!m[x]) continue;
      for (int c = 0; c < 3; ++c) ch[c].push_back(px[x][c]);
    }
  }
  if (ch[0].empty()) return fallback;
  return {median(ch[0]), median(ch[1]), median(ch[2])};
}

void measureColors(const cv::Mat& source, FaceAnalysis& a) {
  cv::Mat bgr;
  if (source.channels() == 1) {
    cv::cvtColor(source, bgr, cv::COLOR_GRAY2BGR);
  } else {
    bgr = source;
  }
  const Landmarks& p = a.landmarks;
  cv::Rect roi = a.box;
  roi.x -= roi.width / 4;
  roi.y -= roi.height / 4;
  roi.width += roi.width / 2;
  roi.height += roi.height / 2;
  roi &= cv::Rect(0, 0, bgr.cols, bgr.rows);
  const cv::Mat face = bgr(roi);
  const cv::Point off = roi.tl();

  // Skin: the cheeks between the eyes' lower lids, the nose wings and the jaw.
  cv::Mat skinMask = cv::Mat::zeros(face.size(), CV_8U);
  std::vector<std::vector<cv::Point>> cheeks = {polygon(p, {1, 2, 3, 48, 31, 40, 41}, off),
                                                polygon(p, {15, 14, 13, 54, 35, 47, 46}, off)};
  cv::fillPoly(skinMask, cheeks, 255);
  a.skinColor = medianColor(face, skinMask, {120, 140, 180});

  // Lips: between the outer and inner lip contours.
  cv::Mat lipMask = cv::Mat::zeros(face.size(), CV_8U);
  std::vector<std::vector<cv::Point>> outer = {
      polygon(p, {48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59}, off)};
  std::vector<std::vector<cv::Point>> inner = {polygon(p, {60, 61, 62, 63, 64, 65, 66, 67}, off)};
  cv::fillPoly(lipMask, outer, 255);
  cv::fillPoly(lipMask, inner, 0);
  a.lipColor = medianColor(face, lipMask, a.skinColor * 0.85f);

  // Teeth: bright, low-saturation pixels inside the inner lip contour.
  cv::Mat innerMask = cv::Mat::zeros(face.size(), CV_8U);
  cv::fillPoly(innerMask, inner, 255);
  const float skinLight = (a.skinColor[0] + a.skinColor[1] + a.skinColor[2]) / 3.0f;
  cv::Mat teethMask = cv::Mat::zeros(face.size(), CV_8U);
  int innerCount = 0, teethCount = 0;
  for (int y = 0; y < face.rows; ++y) {
    const auto* px = face.ptr<cv::Vec3b>(y);
    const auto* m = innerMask.ptr<uint8_t>(y);
    auto* t = teethMask.ptr<uint8_t>(y);
    for (int x = 0; x < face.cols; ++x) {
      if (!m[x]) continue;
      ++innerCount;
      const int hi = std::max({px[x][0], px[x][1], px[x][2]});
      const int lo = std::min({px[x][0], px[x][1], px[x][2]});
      const float light = (px[x][0] + px[x][1] + px[x][2]) / 3.0f;
      if (light > 0.8f * skinLight && hi - lo < 0.35f * hi) {
        t[x] = 255;
        ++teethCount;
      }
    }
  }
  a.teethVisible = a.mouth == MouthState::Open && innerCount > 0 && teethCount > innerCount / 5;
  // Default teeth: a warm ivory brighter than the skin, within a plausible range, under
  // the photo's light: the skin's departure from a typical skin tone (BGR ratios to their mean
  // of about 0.80 : 0.95 : 1.25) is the colour cast, and half of it is applied, so teeth in a
  // pink-lit photo are not greenish-white.
  const float teethLight = std::clamp(skinLight * 1.35f, 180.0f, 235.0f);
  cv::Vec3f teeth = cv::Vec3f(0.86f, 0.95f, 1.0f) * teethLight;
  const cv::Vec3f typicalSkin(0.80f, 0.95f, 1.25f);
  for (int k = 0; k < 3; ++k) {
    const float ratio = a.skinColor[k] / std::max(1.0f, skinLight) / typicalSkin[k];
    teeth[k] = std::min(250.0f, teeth[k] * std::sqrt(std::clamp(ratio, 0.7f, 1.4f)));
  }
  const cv::Vec3f defaultTeeth = teeth;
  a.teethColor = a.teethVisible ? medianColor(face, teethMask, defaultTeeth) : defaultTeeth;

  // Grain: the spread of the high-pass residue on the cheeks.
  cv::Mat gray, blurred, residue;
  cv::cvtColor(face, gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(gray, CV_32F);
  cv::GaussianBlur(gray, blurred, cv::Size(5, 5), 1.2);
  residue = gray - blurred;
  cv::Scalar mean, stddev;
  cv::meanStdDev(residue, mean, stddev, skinMask);
  a.grainSigma = static_cast<float>(stddev[0]);
}

float measureBlur(const cv::Mat& source, const FaceAnalysis& a) {
  std::vector<cv::Point2f> features(a.landmarks.begin() + 17, a.landmarks.end());
  cv::Rect roi = cv::boundingRect(features);
  roi.x -= 8, roi.y -= 8, roi.width += 16, roi.height += 16;
  roi &= cv::Rect(0, 0, source.cols, source.rows);
  if (roi.width < 24 || roi.height < 24) return 1.0f;
  cv::Mat gray;
  if (source.channels() == 1) {
    source(roi).convertTo(gray, CV_32F);
  } else {
    cv::cvtColor(source(roi), gray, cv::COLOR_BGR2GRAY);
    gray.convertTo(gray, CV_32F);
  }
  cv::Mat gx, gy, magnitude;
  cv::Sobel(gray, gx, CV_32F, 1, 0, 3, 1.0 / 8.0);
  cv::Sobel(gray, gy, CV_32F, 0, 1, 3, 1.0 / 8.0);
  cv::magnitude(gx, gy, magnitude);
  // The strongest 2% of the gradients, where they peak across the edge.
  std::vector<float> all(magnitude.begin<float>(), magnitude.end<float>());
  const auto cut = all.begin() + static_cast<long>(all.size() * 98 / 100);
  std::nth_element(all.begin(), cut, all.end());
  const float threshold = std::max(4.0f, *cut);
  auto at = [&](const cv::Mat& m, float x, float y) {
    const int xi = std::clamp(static_cast<int>(x), 0, m.cols - 2);
    const int yi = std::clamp(static_cast<int>(y), 0, m.rows - 2);
    const float fx = std::clamp(x - xi, 0.0f, 1.0f), fy = std::clamp(y - yi, 0.0f, 1.0f);
    return (1 - fy) * ((1 - fx) * m.at<float>(yi, xi) + fx * m.at<float>(yi, xi + 1)) +
           fy * ((1 - fx) * m.at<float>(yi + 1, xi) + fx * m.at<float>(yi + 1, xi + 1));
  };
  std::vector<float> sigmas;
  constexpr float kReach = 6.0f;  // px either side where the edge's plateaus are read
  for (int y = 8; y < gray.rows - 8; ++y) {
    for (int x = 8; x < gray.cols - 8; ++x) {
      const float g = magnitude.at<float>(y, x);
      if (g < threshold) continue;
      const float nx = gx.at<float>(y, x) / g, ny = gy.at<float>(y, x) / g;
      if (at(magnitude, x + nx, y + ny) > g || at(magnitude, x - nx, y - ny) > g) continue;
      const float contrast =
          at(gray, x + kReach * nx, y + kReach * ny) - at(gray, x - kReach * nx, y - kReach * ny);
      if (contrast <= g) continue;
      // A step of height C blurred by sigma peaks at C / (sigma sqrt(2 pi)); the central
      // difference itself spreads it by about a third of a pixel squared.
      const float sigma = contrast / (g * 2.5066f);
      sigmas.push_back(std::sqrt(std::max(0.0f, sigma * sigma - 0.33f)));
    }
  }
  if (sigmas.size() < 20) return 1.0f;
  return std::clamp(median(sigmas), 0.3f, 4.0f);
}

}  // namespace dh::face
