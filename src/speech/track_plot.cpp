#include "speech/track_plot.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "speech/phone_targets.h"

namespace dh::speech {
namespace {

constexpr int kLeft = 110;  // px for the row labels
constexpr int kRight = 20;
constexpr int kTitleHeight = 36;
constexpr int kWaveHeight = 150;
constexpr int kPhoneHeight = 46;
constexpr int kCurveHeight = 300;
constexpr int kAxisHeight = 34;
constexpr int kLegendHeight = 30;
constexpr int kGap = 8;

const cv::Scalar kBackground(255, 255, 255);
const cv::Scalar kInk(40, 40, 40);
const cv::Scalar kGrid(225, 225, 225);
const cv::Scalar kVoiceShade(220, 245, 220);

struct Series {
  const char* name;
  cv::Scalar colour;  // BGR
  int thickness;
};

// Curves in the order drawn (the jaw last, on top).
const Series kLoudness{"loudness", {160, 160, 160}, 1};
const Series kSpread{"spread", {60, 170, 60}, 1};
const Series kRound{"round", {180, 60, 180}, 1};
const Series kPress{"press (p b m)", {40, 40, 220}, 2};
const Series kTuck{"tuck (f v)", {0, 140, 255}, 1};
const Series kTongue{"tongue", {40, 90, 140}, 1};
const Series kJaw{"jaw open", {200, 90, 20}, 2};

cv::Scalar phoneColour(PhoneClass c) {
  switch (c) {
    case PhoneClass::Bilabial:
      return {150, 150, 250};
    case PhoneClass::Labiodental:
      return {130, 200, 255};
    case PhoneClass::Dental:
      return {200, 170, 210};
    case PhoneClass::Vowel:
      return {245, 215, 180};
    case PhoneClass::Consonant:
      return {225, 225, 225};
    case PhoneClass::Silence:
      return {255, 255, 255};
  }
  return {225, 225, 225};
}

void label(cv::Mat& img, const std::string& text, cv::Point at, double scale = 0.45,
           const cv::Scalar& colour = kInk, int thickness = 1) {
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv::LINE_AA);
}

void drawCurve(cv::Mat& img, const std::vector<float>& values, double fps, double xScale, int top,
               int height, const Series& s) {
  std::vector<cv::Point> points;
  points.reserve(values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    const int x = kLeft + static_cast<int>(std::lround(k / fps * xScale));
    const int y = top + height -
                  static_cast<int>(std::lround(std::clamp(values[k], 0.0f, 1.0f) * (height - 4))) -
                  2;
    points.emplace_back(x, y);
  }
  if (points.size() >= 2) {
    cv::polylines(img, points, false, s.colour, s.thickness, cv::LINE_AA);
  }
}

}  // namespace

std::string asciiPhone(const std::string& phone) {
  static const std::map<std::string, std::string> table = {
      {"ə", "@"}, {"ɪ", "I"},   {"ʊ", "U"},   {"ɛ", "E"},   {"æ", "{"},   {"ɑ", "A"},  {"ɔ", "O"},
      {"ʌ", "V"}, {"ʃ", "S"},   {"ʒ", "Z"},   {"θ", "T"},   {"ð", "D"},   {"ŋ", "N"},  {"ɹ", "r"},
      {"ː", ":"}, {"ɜ", "3"},   {"ɒ", "Q"},   {"ɐ", "6"},   {"ø", "2"},   {"œ", "9"},  {"ɲ", "J"},
      {"ʁ", "R"}, {"ɡ", "g"},   {"ɕ", "s\\"}, {"ʑ", "z\\"}, {"ʂ", "s`"},  {"ʐ", "z`"}, {"χ", "X"},
      {"ɥ", "H"}, {"ɯ", "M"},   {"ɤ", "7"},   {"ɨ", "1"},   {"ʉ", "}"},   {"ɾ", "4"},  {"ɫ", "5"},
      {"ʔ", "?"}, {"ɚ", "@`"},  {"ɝ", "3`"},  {"ʎ", "L"},   {"ɦ", "h\\"}, {"ˈ", "\""}, {"ˌ", "%"},
      {"̃", "~"},  {"ʅ", "i\\"}, {"ɿ", "i\\"}, {"ɵ", "8"}};
  std::string out;
  for (size_t i = 0; i < phone.size();) {
    const auto lead = static_cast<unsigned char>(phone[i]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    length = std::min(length, phone.size() - i);
    const std::string cp = phone.substr(i, length);
    i += length;
    if (length == 1) {
      out += cp;
    } else if (auto it = table.find(cp); it != table.end()) {
      out += it->second;
    } else {
      out += '?';
    }
  }
  return out;
}

cv::Mat drawTrackPlot(const std::vector<float>& mono16k, const SpeechAnalysis& analysis,
                      const TrackPlotOptions& options) {
  const ArticulationTrack& track = analysis.track;
  const double seconds = static_cast<double>(mono16k.size()) / kAnalysisSampleRate;
  const int plotWidth = std::clamp(static_cast<int>(seconds * options.pixelsPerSecond),
                                   options.minWidth, options.maxWidth);
  const double xScale = plotWidth / std::max(seconds, 1e-3);  // px per second
  const int width = kLeft + plotWidth + kRight;
  const int waveTop = kTitleHeight;
  const int phoneTop = waveTop + kWaveHeight + kGap;
  const int curveTop = phoneTop + kPhoneHeight + kGap;
  const int axisTop = curveTop + kCurveHeight;
  const int legendTop = axisTop + kAxisHeight;
  const int height = legendTop + kLegendHeight;
  cv::Mat img(height, width, CV_8UC3, kBackground);
  auto xOf = [&](double t) { return kLeft + static_cast<int>(std::lround(t * xScale)); };

  label(img, options.title, {10, 24}, 0.6, kInk, 1);

  // Voice activity shading behind the waveform and curves.
  const AcousticFeatures& f = analysis.features;
  for (size_t i = 0; i < f.size(); ++i) {
    if (!f.active[i]) continue;
    const int x0 = xOf(i * f.hopSeconds);
    const int x1 = std::max(x0 + 1, xOf((i + 1) * f.hopSeconds));
    cv::rectangle(img, {x0, waveTop}, {x1 - 1, waveTop + kWaveHeight}, kVoiceShade, cv::FILLED);
    cv::rectangle(img, {x0, curveTop}, {x1 - 1, curveTop + kCurveHeight}, {240, 250, 240},
                  cv::FILLED);
  }

  // Grid: one line per second.
  for (int s = 0; s <= static_cast<int>(seconds); ++s) {
    const int x = xOf(s);
    cv::line(img, {x, waveTop}, {x, axisTop}, kGrid, 1);
    label(img, std::to_string(s) + " s", {x - 8, axisTop + 22}, 0.45);
  }

  // Waveform: min/max per pixel column.
  const int mid = waveTop + kWaveHeight / 2;
  float peak = 1e-6f;
  for (float s : mono16k) peak = std::max(peak, std::abs(s));
  const double samplesPerPixel = kAnalysisSampleRate / xScale;
  for (int x = 0; x < plotWidth; ++x) {
    const auto a = static_cast<size_t>(x * samplesPerPixel);
    const auto b = std::min(mono16k.size(), static_cast<size_t>((x + 1) * samplesPerPixel));
    if (a >= b) continue;
    const auto [lo, hi] = std::minmax_element(mono16k.begin() + a, mono16k.begin() + b);
    const int y0 = mid - static_cast<int>(*hi / peak * (kWaveHeight / 2 - 4));
    const int y1 = mid - static_cast<int>(*lo / peak * (kWaveHeight / 2 - 4));
    cv::line(img, {kLeft + x, y0}, {kLeft + x, y1}, {90, 90, 90}, 1);
  }
  label(img, "waveform", {8, mid - 4});
  label(img, "(green: voice)", {8, mid + 14}, 0.38);

  // Phones.
  label(img, analysis.phonesRecognized ? "phones (rec.)" : "phones (TTS)", {8, phoneTop + 28});
  for (const auto& phone : analysis.phones) {
    const PhoneTarget target = targetForPhone(phone.phone);
    if (target.phoneClass == PhoneClass::Silence) continue;
    const int x0 = xOf(phone.start);
    const int x1 = std::max(x0 + 2, xOf(phone.end));
    cv::rectangle(img, {x0, phoneTop}, {x1, phoneTop + kPhoneHeight},
                  phoneColour(target.phoneClass), cv::FILLED);
    cv::rectangle(img, {x0, phoneTop}, {x1, phoneTop + kPhoneHeight}, {150, 150, 150}, 1);
    const std::string text = asciiPhone(phone.phone);
    int baseline = 0;
    const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.38, 1, &baseline);
    if (size.width <= x1 - x0 + 6) {
      label(img, text, {x0 + std::max(1, (x1 - x0 - size.width) / 2), phoneTop + 28}, 0.38);
    }
  }

  // Curves.
  cv::rectangle(img, {kLeft, curveTop}, {kLeft + plotWidth, curveTop + kCurveHeight},
                {180, 180, 180}, 1);
  label(img, "articulation", {8, curveTop + 20});
  label(img, "0..1", {8, curveTop + 40}, 0.38);
  std::vector<float> values(track.size());
  auto param = [&](auto getter) {
    for (size_t k = 0; k < track.size(); ++k) values[k] = getter(track.frames[k]);
    return values;
  };
  drawCurve(img, track.loudness, track.fps, xScale, curveTop, kCurveHeight, kLoudness);
  drawCurve(img, param([](const MouthPose& p) { return p.lipSpread; }), track.fps, xScale, curveTop,
            kCurveHeight, kSpread);
  drawCurve(img, param([](const MouthPose& p) { return p.lipRound; }), track.fps, xScale, curveTop,
            kCurveHeight, kRound);
  drawCurve(img, param([](const MouthPose& p) { return p.lipTuck; }), track.fps, xScale, curveTop,
            kCurveHeight, kTuck);
  drawCurve(img, param([](const MouthPose& p) { return p.tongueShow; }), track.fps, xScale,
            curveTop, kCurveHeight, kTongue);
  drawCurve(img, param([](const MouthPose& p) { return p.lipPress; }), track.fps, xScale, curveTop,
            kCurveHeight, kPress);
  drawCurve(img, param([](const MouthPose& p) { return p.jawOpen; }), track.fps, xScale, curveTop,
            kCurveHeight, kJaw);
  for (size_t k = 0; k < track.stressed.size(); ++k) {
    if (!track.stressed[k]) continue;
    const int x = xOf(k / track.fps);
    std::vector<cv::Point> triangle = {
        {x - 5, curveTop + 2}, {x + 5, curveTop + 2}, {x, curveTop + 11}};
    cv::fillConvexPoly(img, triangle, {0, 0, 0}, cv::LINE_AA);
  }

  // Legend.
  int x = kLeft;
  for (const Series* s : {&kJaw, &kLoudness, &kSpread, &kRound, &kPress, &kTuck, &kTongue}) {
    cv::line(img, {x, legendTop + 12}, {x + 24, legendTop + 12}, s->colour, 3);
    label(img, s->name, {x + 30, legendTop + 17});
    int baseline = 0;
    x += 40 + cv::getTextSize(s->name, cv::FONT_HERSHEY_SIMPLEX, 0.45, 1, &baseline).width + 18;
  }
  std::vector<cv::Point> triangle = {
      {x, legendTop + 6}, {x + 10, legendTop + 6}, {x + 5, legendTop + 15}};
  cv::fillConvexPoly(img, triangle, {0, 0, 0}, cv::LINE_AA);
  label(img, "stressed syllable (nod)", {x + 16, legendTop + 17});

  return img;
}

}  // namespace dh::speech
