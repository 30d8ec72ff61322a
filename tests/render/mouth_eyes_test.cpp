// The parts a viewer looks at first, measured on rendered pixels of the real shared portraits:
// teeth that read as separate teeth (bright crowns with darker gaps, edges across them), less of
// them behind rounded lips than spread ones, a tongue that rises for th, a cavity dark but not
// black, closed lids that carry the skin's texture and irises that follow the gaze.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

#include "animate/face_params.h"
#include "face/face_analysis.h"
#include "media/image_decoder.h"
#include "media/output_size.h"
#include "render/face_renderer.h"
#include "support/test_paths.h"

namespace dh {
namespace {

struct Scene {
  cv::Mat still;
  face::FaceAnalysis analysis;
};

Scene loadScene(const std::string& relative, int shortSide = 720) {
  const cv::Mat photo = media::decodeImage(test::readData(relative));
  Scene s;
  const cv::Size size = media::outputSizeFor(photo.size(), shortSide);
  cv::resize(photo, s.still, size, 0, 0, cv::INTER_AREA);
  s.analysis = face::scaledTo(face::analyzeFace(photo), size);
  return s;
}

// The sound classes the renderer must draw convincingly.
animate::FaceParams sound(const std::string& name) {
  animate::FaceParams p;
  if (name == "ee") p.jawOpen = 0.25f, p.lipSpread = 0.8f;
  if (name == "oo") p.jawOpen = 0.3f, p.lipRound = 0.9f;
  if (name == "ah") p.jawOpen = 1.0f, p.lipSpread = 0.1f;
  if (name == "f") p.jawOpen = 0.12f, p.lipSpread = 0.1f, p.lipTuck = 1.0f;
  if (name == "th") p.jawOpen = 0.18f, p.lipSpread = 0.1f, p.tongueShow = 1.0f;
  if (name == "jaw18") p.jawOpen = 0.18f, p.lipSpread = 0.1f;
  return p;
}

cv::Mat grayOf(const cv::Mat& bgr) {
  cv::Mat g;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  g.convertTo(g, CV_32F);
  return g;
}

struct Rendered {
  cv::Mat frame;
  std::vector<cv::Point2f> lm;
  float iod;
};

Rendered renderSound(render::FaceRenderer& r, const animate::FaceParams& p) {
  Rendered out;
  r.render(p, out.frame);
  out.lm = r.lastLandmarks();
  out.iod = static_cast<float>(
      cv::norm(0.5f * (out.lm[42] + out.lm[45]) - 0.5f * (out.lm[36] + out.lm[39])));
  return out;
}

// Mask of the mouth opening (inside the inner-lip outline 60..67).
cv::Mat openingMask(const Rendered& r) {
  cv::Mat mask = cv::Mat::zeros(r.frame.size(), CV_8U);
  std::vector<cv::Point> poly;
  for (int i = 60; i < 68; ++i) poly.emplace_back(cvRound(r.lm[i].x), cvRound(r.lm[i].y));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, 255);
  return mask;
}

// The upper teeth's band: just under the upper lip, across the front teeth.
cv::Rect upperTeethBand(const Rendered& r) {
  const cv::Point2f mid = r.lm[62];
  const float halfWidth = std::min(0.26f * r.iod, 0.45f * (r.lm[64].x - r.lm[60].x));
  return cv::Rect(cvRound(mid.x - halfWidth), cvRound(mid.y + 0.012f * r.iod),
                  cvRound(2 * halfWidth), std::max(2, cvRound(0.018f * r.iod)));
}

// Dips along a horizontal profile that are at least `depth` grey levels below the brighter
// regions on both sides: the gaps between separate bright regions.
int countGaps(const std::vector<float>& profile, float depth) {
  int gaps = 0;
  const int n = static_cast<int>(profile.size());
  for (int i = 1; i + 1 < n; ++i) {
    if (!(profile[i] <= profile[i - 1] && profile[i] < profile[i + 1])) continue;
    // The nearest peaks on either side: up to where the profile falls below the dip again.
    float l = profile[i], r = profile[i];
    for (int k = i - 1; k >= 0 && profile[k] >= profile[i]; --k) l = std::max(l, profile[k]);
    for (int k = i + 1; k < n && profile[k] >= profile[i]; ++k) r = std::max(r, profile[k]);
    if (std::min(l, r) - profile[i] >= depth) ++gaps;
  }
  return gaps;
}

std::vector<float> rowProfile(const cv::Mat& gray, const cv::Rect& band) {
  cv::Mat mean;
  cv::reduce(gray(band), mean, 0, cv::REDUCE_AVG);
  return std::vector<float>(mean.begin<float>(), mean.end<float>());
}

class MouthAndEyes : public ::testing::TestWithParam<std::string> {};

TEST_P(MouthAndEyes, UpperTeethAreSeparateBrightTeethWithDarkerGaps) {
  const Scene s = loadScene(GetParam());
  for (auto quality : {render::Quality::Standard, render::Quality::Pro}) {
    const Scene& scene = quality == render::Quality::Pro ? loadScene(GetParam(), 1080) : s;
    render::FaceRenderer renderer(scene.still, scene.analysis, {quality});
    const float skin =
        (scene.analysis.skinColor[0] + scene.analysis.skinColor[1] + scene.analysis.skinColor[2]) /
        3.0f;
    for (const std::string name : {"ee", "ah", "f"}) {
      const Rendered r = renderSound(renderer, sound(name));
      const cv::Mat gray = grayOf(r.frame);
      const cv::Rect band = upperTeethBand(r);
      const std::vector<float> profile = rowProfile(gray, band);
      // At least the gaps between both central incisors and their lateral neighbours.
      const int gaps = countGaps(profile, 6.0f);
      EXPECT_GE(gaps, 3) << name << " quality " << static_cast<int>(quality);
      // The teeth themselves are bright: their brightest parts near the skin's lightness.
      const float brightest = *std::max_element(profile.begin(), profile.end());
      EXPECT_GT(brightest, 0.75f * skin) << name;

      // Edges across the teeth (their sides), not only along them (lip line, biting edge), over
      // the height of the visible upper teeth.
      const cv::Rect region(band.x, band.y - cvRound(0.006f * r.iod), band.width,
                            std::max(5, cvRound(0.034f * r.iod)));
      cv::Mat gx, gy;
      cv::Sobel(gray(region).clone(), gx, CV_32F, 1, 0);
      cv::Sobel(gray(region).clone(), gy, CV_32F, 0, 1);
      const double across = cv::norm(gx), along = cv::norm(gy);
      EXPECT_GT(across, 0.3 * along) << name << " across " << across << " along " << along;

      // The same measures on a flat pale band (each row at its mean, the old look) find no gaps
      // and no edges across: they can fail.
      cv::Mat flat = gray.clone();
      for (int y = region.y; y < region.y + region.height; ++y) {
        const cv::Rect row(region.x, y, region.width, 1);
        flat(row).setTo(cv::mean(gray(row))[0]);
      }
      EXPECT_EQ(countGaps(rowProfile(flat, band), 6.0f), 0);
      cv::Sobel(flat(region).clone(), gx, CV_32F, 1, 0);
      EXPECT_LT(cv::norm(gx), 0.1 * across);
      std::cout << GetParam() << " " << name << " q" << static_cast<int>(quality) << ": gaps "
                << gaps << ", brightest " << brightest << " (skin " << skin << "), across/along "
                << across / along << "\n";
    }
  }
}

TEST_P(MouthAndEyes, RoundedLipsShowLessTeethThanSpreadOnes) {
  const Scene s = loadScene(GetParam());
  render::FaceRenderer renderer(s.still, s.analysis);
  const float skin =
      (s.analysis.skinColor[0] + s.analysis.skinColor[1] + s.analysis.skinColor[2]) / 3.0f;
  auto brightArea = [&](const std::string& name) {
    const Rendered r = renderSound(renderer, sound(name));
    cv::Mat bright = (grayOf(r.frame) > 0.7f * skin) & openingMask(r);
    return cv::countNonZero(bright) / (r.iod * r.iod);
  };
  const double ee = brightArea("ee"), oo = brightArea("oo");
  EXPECT_GT(ee, 1.5 * oo) << "ee " << ee << ", oo " << oo;
  EXPECT_GT(ee, 0.01);  // a visible band of teeth, in IOD squared
  std::cout << GetParam() << ": teeth area ee " << ee << ", oo " << oo << " IOD^2\n";
}

TEST_P(MouthAndEyes, TongueRisesForThAndTheCavityIsDarkButNotBlack) {
  const Scene s = loadScene(GetParam());
  render::FaceRenderer renderer(s.still, s.analysis);
  // th against the same opening without the tongue: between the teeth it is lighter and redder.
  const Rendered th = renderSound(renderer, sound("th"));
  const Rendered plain = renderSound(renderer, sound("jaw18"));
  // The middle of the opening's lower half, where the tip shows.
  cv::Mat mask = openingMask(plain) & openingMask(th);
  const cv::Point2f mid = 0.5f * (th.lm[62] + th.lm[66]);
  cv::Mat middle = cv::Mat::zeros(mask.size(), CV_8U);
  cv::rectangle(middle, cv::Point2f(mid.x - 0.15f * th.iod, mid.y),
                cv::Point2f(mid.x + 0.15f * th.iod, th.lm[66].y + 2), 255, cv::FILLED);
  mask &= middle;
  auto redness = [&](const cv::Mat& frame) {
    const cv::Scalar mean = cv::mean(frame, mask);
    return mean[2] - mean[1];
  };
  const double tongue = redness(th.frame) - redness(plain.frame);
  EXPECT_GT(tongue, 4.0) << "red over green inside the opening";
  // Wide open: the back of the mouth is dark, lighter than black, and not grey.
  const Rendered ah = renderSound(renderer, sound("ah"));
  const cv::Mat gray = grayOf(ah.frame);
  std::vector<float> inside;
  const cv::Mat open = openingMask(ah);
  for (int y = 0; y < gray.rows; ++y)
    for (int x = 0; x < gray.cols; ++x)
      if (open.at<uint8_t>(y, x)) inside.push_back(gray.at<float>(y, x));
  std::sort(inside.begin(), inside.end());
  const float darkest = inside[inside.size() / 20], median = inside[inside.size() / 2];
  EXPECT_GT(darkest, 6.0f);
  EXPECT_LT(darkest, 60.0f);
  EXPECT_LT(median, 110.0f);
  std::cout << GetParam() << ": th redness +" << tongue << ", cavity 5% " << darkest << " median "
            << median << "\n";
}

// Band-pass energy (structure a few pixels across, above the grain and below the shading).
double texture(const cv::Mat& gray, const cv::Mat& mask) {
  cv::Mat fine, coarse;
  cv::GaussianBlur(gray, fine, cv::Size(0, 0), 0.8);
  cv::GaussianBlur(gray, coarse, cv::Size(0, 0), 3.0);
  cv::Scalar mean, stddev;
  cv::meanStdDev(fine - coarse, mean, stddev, mask);
  return stddev[0];
}

TEST_P(MouthAndEyes, ClosedLidCarriesTheSkinsTexture) {
  const Scene s = loadScene(GetParam());
  render::FaceRenderer renderer(s.still, s.analysis);
  animate::FaceParams p;
  p.blink = 1.0f;
  const Rendered closed = renderSound(renderer, p);
  const cv::Mat gray = grayOf(closed.frame), photo = grayOf(s.still);
  const face::Landmarks& src = s.analysis.landmarks;
  double lid = 0, skin = 0;
  for (int eye = 0; eye < 2; ++eye) {
    const int a = eye == 0 ? 37 : 43, b = eye == 0 ? 38 : 44;
    // Where the eye was open in the photo, now the closed lid: between the photo's upper lid and
    // the closed lid line, away from the lash line.
    const float x0 = src[a].x, x1 = src[b].x;
    const float y0 = std::min(src[a].y, src[b].y) + 1.0f;
    const float y1 = std::max(closed.lm[a].y, closed.lm[b].y) - 0.03f * closed.iod;
    ASSERT_GT(y1 - y0, 2.0f);
    cv::Mat mask = cv::Mat::zeros(gray.size(), CV_8U);
    cv::rectangle(mask, cv::Point2f(x0, y0), cv::Point2f(x1, y1), 255, cv::FILLED);
    lid += texture(gray, mask) / 2;
    // The photo's own skin next to the eye: below the lower lid (above it a glasses' rim or the
    // brow would count as texture).
    cv::Mat skinMask = cv::Mat::zeros(gray.size(), CV_8U);
    const float lower = std::max(src[eye == 0 ? 40 : 46].y, src[eye == 0 ? 41 : 47].y);
    cv::rectangle(skinMask, cv::Point2f(x0, lower + 0.05f * closed.iod),
                  cv::Point2f(x1, lower + 0.15f * closed.iod), 255, cv::FILLED);
    skin += texture(photo, skinMask) / 2;
  }
  // A flat fill with grain scores a small fraction of the skin's texture.
  EXPECT_GT(lid, 0.6 * skin) << "closed lid " << lid << ", lid skin in the photo " << skin;
  std::cout << GetParam() << ": closed-lid texture " << lid << ", photo lid skin " << skin << "\n";
}

// Pixels of the eye opening (landmarks first..first+5) with their grey level.
std::vector<std::pair<cv::Point2f, float>> eyePixels(const cv::Mat& gray,
                                                     const std::vector<cv::Point2f>& lm,
                                                     int first) {
  std::vector<cv::Point> poly;
  for (int i = first; i < first + 6; ++i) poly.emplace_back(cvRound(lm[i].x), cvRound(lm[i].y));
  cv::Mat mask = cv::Mat::zeros(gray.size(), CV_8U);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, 255);
  std::vector<std::pair<cv::Point2f, float>> out;
  for (int y = 0; y < gray.rows; ++y)
    for (int x = 0; x < gray.cols; ++x)
      if (mask.at<uint8_t>(y, x)) out.push_back({cv::Point2f(x, y), gray.at<float>(y, x)});
  return out;
}

// Darkness-weighted centroid of the darkest quarter of the eye opening: the iris and pupil.
cv::Point2f irisOf(const std::vector<std::pair<cv::Point2f, float>>& px) {
  std::vector<float> v;
  for (const auto& p : px) v.push_back(p.second);
  std::nth_element(v.begin(), v.begin() + v.size() / 4, v.end());
  const float dark = v[v.size() / 4];
  cv::Point2f sum(0, 0);
  double w = 0;
  for (const auto& [p, g] : px) {
    if (g <= dark) sum += p * (dark + 1 - g), w += dark + 1 - g;
  }
  return sum * static_cast<float>(1.0 / w);
}

// Centroid of the brightest few pixels near `around` (the catchlight on the cornea).
cv::Point2f catchlightOf(const std::vector<std::pair<cv::Point2f, float>>& px, cv::Point2f around,
                         float radius) {
  std::vector<std::pair<cv::Point2f, float>> near;
  for (const auto& p : px)
    if (cv::norm(p.first - around) < radius) near.push_back(p);
  std::sort(near.begin(), near.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  cv::Point2f sum(0, 0);
  const size_t n = std::max<size_t>(1, near.size() / 25);
  for (size_t i = 0; i < n && i < near.size(); ++i) sum += near[i].first;
  return sum * (1.0f / static_cast<float>(n));
}

TEST_P(MouthAndEyes, IrisFollowsTheGazeAndTheCatchlightStays) {
  const Scene s = loadScene(GetParam());
  render::FaceRenderer renderer(s.still, s.analysis);
  animate::FaceParams left, right;
  left.gazeYaw = -15.0f;
  right.gazeYaw = 15.0f;
  const Rendered l = renderSound(renderer, left), r = renderSound(renderer, right);
  const Rendered still = renderSound(renderer, animate::FaceParams{});
  const cv::Mat gl = grayOf(l.frame), gr = grayOf(r.frame), g0 = grayOf(still.frame);
  for (int first : {36, 42}) {
    const auto pl = eyePixels(gl, l.lm, first), pr = eyePixels(gr, r.lm, first);
    const float shift = (irisOf(pr).x - irisOf(pl).x) / l.iod;
    EXPECT_GT(shift, 0.04f) << "eye " << first;
    // The catchlight, looked for around the iris of the unmoved eye, does not travel with the
    // iris (the white the iris uncovers can pull the measure the other way).
    const cv::Point2f center = irisOf(eyePixels(g0, still.lm, first));
    const float light =
        (catchlightOf(pr, center, 0.06f * l.iod).x - catchlightOf(pl, center, 0.06f * l.iod).x) /
        l.iod;
    EXPECT_LT(light, 0.4f * shift) << "eye " << first;
    std::cout << GetParam() << " eye " << first << ": iris moves " << shift << " IOD, catchlight "
              << light << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Faces, MouthAndEyes, ::testing::ValuesIn(test::sharedFaces()),
                         [](const auto& p) { return "face" + std::to_string(p.index + 1); });

}  // namespace
}  // namespace dh
