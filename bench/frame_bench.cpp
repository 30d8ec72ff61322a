// Per-frame synthesis time of the talking face, separately from encoding, and contact sheets.
//   frame_bench --image FACE --audio VOICE [--mode std|pro] [--threads 1]
//   frame_bench --image FACE --sheet OUT.png [--mode std|pro] [--mesh MESH.png]
//   frame_bench --image FACE --sheet OUT.png --compare REAL_CLIPS_DIR
// The second form draws the contact sheet (sound classes, blink, gaze); the third the mouth
// comparison sheet: real speakers' mouths at several openings next to ours.
// Timing renders every frame of the voice's motion plan into one reused frame and reports the
// mean, median and 95th percentile in milliseconds.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "animate/motion_planner.h"
#include "core/error.h"
#include "core/file_io.h"
#include "face/face_analysis.h"
#include "media/audio_decoder.h"
#include "media/image_decoder.h"
#include "media/output_size.h"
#include "pipeline/render_settings.h"
#include "render/face_renderer.h"
#include "speech/loudness_track.h"

namespace {

using namespace dh;

struct Args {
  std::string image, audio, sheet, mesh, compare, mode = "std";
  int threads = 1;
};

struct Prepared {
  cv::Mat still;
  face::FaceAnalysis face;
  pipeline::ModeSettings settings;
};

Prepared prepare(const Args& args) {
  Prepared p;
  const cv::Mat photo = media::decodeImage(core::readFileBytes(args.image));
  p.settings = pipeline::settingsFor(pipeline::parseMode(args.mode));
  const cv::Size size = media::outputSizeFor(photo.size(), p.settings.shortSide);
  cv::resize(photo, p.still, size, 0, 0, cv::INTER_AREA);
  p.face = face::scaledTo(face::analyzeFace(photo), size);
  return p;
}

render::Quality qualityOf(const std::string& mode) {
  return mode == "pro" ? render::Quality::Pro : render::Quality::Standard;
}

// The poses of the contact sheet: the sound classes a viewer watches most, a blink and the gaze.
struct Pose {
  const char* label;
  animate::FaceParams params;
};

std::vector<Pose> sheetPoses() {
  std::vector<Pose> poses;
  auto add = [&](const char* label, auto set) {
    Pose pose{label, {}};
    set(pose.params);
    poses.push_back(pose);
  };
  add("closed", [](animate::FaceParams&) {});
  add("ee", [](animate::FaceParams& p) { p.jawOpen = 0.25f, p.lipSpread = 0.8f; });
  add("oo", [](animate::FaceParams& p) { p.jawOpen = 0.3f, p.lipRound = 0.9f; });
  add("ah wide", [](animate::FaceParams& p) { p.jawOpen = 1.0f, p.lipSpread = 0.1f; });
  add("f", [](animate::FaceParams& p) { p.jawOpen = 0.12f, p.lipSpread = 0.1f, p.lipTuck = 1; });
  add("th",
      [](animate::FaceParams& p) { p.jawOpen = 0.18f, p.lipSpread = 0.1f, p.tongueShow = 1; });
  add("smile", [](animate::FaceParams& p) { p.jawOpen = 0.3f, p.lipSpread = 0.3f, p.smile = 1; });
  add("blink", [](animate::FaceParams& p) { p.blink = 1.0f; });
  add("gaze left", [](animate::FaceParams& p) { p.gazeYaw = -15.0f; });
  add("gaze right", [](animate::FaceParams& p) { p.gazeYaw = 15.0f; });
  return poses;
}

cv::Rect centeredRect(cv::Point2f center, float width, float height, cv::Size bounds) {
  return cv::Rect(cvRound(center.x - width / 2), cvRound(center.y - height / 2), cvRound(width),
                  cvRound(height)) &
         cv::Rect(0, 0, bounds.width, bounds.height);
}

// `crop` of `frame` scaled into a `size` tile (aspect kept, centred), labelled.
cv::Mat tileOf(const cv::Mat& frame, const cv::Rect& crop, cv::Size size,
               const std::string& label) {
  cv::Mat tile(size, CV_8UC3, cv::Scalar(40, 40, 40));
  const double scale = std::min(static_cast<double>(size.width) / crop.width,
                                static_cast<double>(size.height) / crop.height);
  cv::Mat scaled;
  cv::resize(frame(crop), scaled, cv::Size(), scale, scale, cv::INTER_CUBIC);
  scaled =
      scaled(cv::Rect(0, 0, std::min(scaled.cols, size.width), std::min(scaled.rows, size.height)));
  scaled.copyTo(tile(cv::Rect((size.width - scaled.cols) / 2, (size.height - scaled.rows) / 2,
                              scaled.cols, scaled.rows)));
  if (!label.empty()) {
    cv::putText(tile, label, {8, 24}, cv::FONT_HERSHEY_SIMPLEX, 0.7, {0, 0, 0}, 4, cv::LINE_AA);
    cv::putText(tile, label, {8, 24}, cv::FONT_HERSHEY_SIMPLEX, 0.7, {255, 255, 255}, 2,
                cv::LINE_AA);
  }
  return tile;
}

// Contact sheet: per pose a column of the face (brows to chin), the mouth magnified and the eyes
// magnified, five poses a row.
int writeSheet(const Args& args) {
  const Prepared p = prepare(args);
  render::FaceRenderer renderer(p.still, p.face, {qualityOf(args.mode)});
  const std::vector<Pose> poses = sheetPoses();
  const face::Landmarks& lm = p.face.landmarks;
  const float iod = face::interOcularDistance(lm);
  const cv::Point2f eyes = 0.5f * (face::eyeCenter(lm, true) + face::eyeCenter(lm, false));
  const cv::Point2f mouth = 0.5f * (lm[48] + lm[54]) + cv::Point2f(0, 0.08f * iod);
  const cv::Point2f middle = 0.5f * (eyes + mouth) + cv::Point2f(0, 0.1f * iod);
  const cv::Size bounds = p.still.size();
  const cv::Rect faceCrop = centeredRect(middle, 2.3f * iod, 2.3f * iod, bounds);
  const cv::Rect mouthCrop = centeredRect(mouth, 1.3f * iod, 0.75f * iod, bounds);
  const cv::Rect eyeCrop = centeredRect(eyes, 2.0f * iod, 0.5f * iod, bounds);
  const int width = 320;
  std::vector<cv::Mat> columns;
  cv::Mat frame;
  for (const Pose& pose : poses) {
    renderer.render(pose.params, frame);
    std::vector<cv::Mat> parts = {tileOf(frame, faceCrop, {width, width}, pose.label),
                                  tileOf(frame, mouthCrop, {width, width * 75 / 130}, ""),
                                  tileOf(frame, eyeCrop, {width, width / 4}, "")};
    cv::Mat column;
    cv::vconcat(parts, column);
    columns.push_back(column);
  }
  std::vector<cv::Mat> rows;
  for (size_t i = 0; i < columns.size(); i += 5) {
    std::vector<cv::Mat> row(columns.begin() + static_cast<long>(i),
                             columns.begin() + static_cast<long>(std::min(columns.size(), i + 5)));
    while (row.size() < 5)
      row.push_back(cv::Mat(columns[0].size(), CV_8UC3, cv::Scalar(40, 40, 40)));
    cv::Mat joined;
    cv::hconcat(row, joined);
    rows.push_back(joined);
  }
  cv::Mat sheet;
  cv::vconcat(rows, sheet);
  if (!args.mesh.empty()) {  // the wide-open frame with its mesh drawn over it
    renderer.render(poses[3].params, frame);
    const auto& pts = renderer.lastPoints();
    for (const auto& t : renderer.triangles()) {
      for (int k = 0; k < 3; ++k) {
        cv::line(frame, pts[t[k]], pts[t[(k + 1) % 3]], {0, 255, 0}, 1, cv::LINE_AA);
      }
    }
    cv::imwrite(args.mesh, frame);
  }
  cv::imwrite(args.sheet, sheet, {cv::IMWRITE_PNG_COMPRESSION, 9});
  std::cout << "wrote " << args.sheet << "\n";
  return 0;
}

// Mouth crop, de-rolled along the eye line: 1.3 x 0.75 inter-ocular distances around the lips,
// scaled into `size`.
cv::Mat mouthTile(const cv::Mat& frame, const face::Landmarks& lm, cv::Size size) {
  const cv::Point2f le = face::eyeCenter(lm, true), re = face::eyeCenter(lm, false);
  const float iod = std::max(1.0f, static_cast<float>(cv::norm(re - le)));
  cv::Point2f center(0, 0);
  for (int i = 48; i < 68; ++i) center += lm[i] * (1.0f / 20.0f);
  const double angle = std::atan2(re.y - le.y, re.x - le.x) * 180.0 / CV_PI;
  const double scale = size.width / (1.3 * iod);
  cv::Mat m = cv::getRotationMatrix2D(center, angle, scale);
  m.at<double>(0, 2) += size.width / 2.0 - center.x;
  m.at<double>(1, 2) += size.height / 2.0 - center.y;
  cv::Mat tile;
  cv::warpAffine(frame, tile, m, size, cv::INTER_CUBIC, cv::BORDER_REPLICATE);
  return tile;
}

// How the inside of an open mouth looks, relative to the lips around it (so lighting and skin
// tone cancel): its mean lightness, the share of dark (cavity) and bright (teeth) pixels, and
// how much of its edge energy runs across (vertical edges: the sides of teeth) rather than along.
struct InteriorStats {
  float mean = 0.0f, dark = 0.0f, bright = 0.0f, across = 0.0f;
};

InteriorStats interiorStats(const cv::Mat& frame, const face::Landmarks& lm) {
  std::vector<cv::Point> inner, outer;
  for (int i = 60; i < 68; ++i) inner.emplace_back(cvRound(lm[i].x), cvRound(lm[i].y));
  for (int i = 48; i < 60; ++i) outer.emplace_back(cvRound(lm[i].x), cvRound(lm[i].y));
  cv::Rect box = cv::boundingRect(outer);
  box.x -= 2, box.y -= 2, box.width += 4, box.height += 4;
  box &= cv::Rect(0, 0, frame.cols, frame.rows);
  for (auto& p : inner) p -= box.tl();
  for (auto& p : outer) p -= box.tl();
  cv::Mat gray, open = cv::Mat::zeros(box.size(), CV_8U), lips = cv::Mat::zeros(box.size(), CV_8U);
  cv::cvtColor(frame(box), gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(gray, CV_32F);
  cv::fillPoly(open, std::vector<std::vector<cv::Point>>{inner}, 255);
  cv::fillPoly(lips, std::vector<std::vector<cv::Point>>{outer}, 255);
  lips &= ~open;
  cv::erode(open, open, cv::Mat());  // away from the lip edge
  InteriorStats s;
  const int n = cv::countNonZero(open);
  if (n < 10) return s;
  const float lip = static_cast<float>(cv::mean(gray, lips)[0]);
  s.mean = static_cast<float>(cv::mean(gray, open)[0]) / lip;
  s.dark = cv::countNonZero((gray < 0.35f * lip) & open) / static_cast<float>(n);
  s.bright = cv::countNonZero((gray > 1.1f * lip) & open) / static_cast<float>(n);
  cv::Mat gx, gy;
  cv::Sobel(gray, gx, CV_32F, 1, 0);
  cv::Sobel(gray, gy, CV_32F, 0, 1);
  const double ex = cv::norm(gx, cv::NORM_L2, open), ey = cv::norm(gy, cv::NORM_L2, open);
  s.across = static_cast<float>(ex / std::max(1e-6, ex + ey));
  return s;
}

struct RealMouth {
  std::string clip;
  float opening = 0.0f;  // inner-lip gap / IOD
  cv::Mat tile;
  InteriorStats stats;
};

// Medians of the interior statistics of the frames whose opening is within `lo`..`hi`.
InteriorStats medianStats(const std::vector<InteriorStats>& all) {
  InteriorStats m;
  if (all.empty()) return m;
  auto med = [&](auto field) {
    std::vector<float> v;
    for (const auto& s : all) v.push_back(s.*field);
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  m.mean = med(&InteriorStats::mean), m.dark = med(&InteriorStats::dark);
  m.bright = med(&InteriorStats::bright), m.across = med(&InteriorStats::across);
  return m;
}

// Every `step`-th frame of the real clips, scaled 2x as the clips' README asks, with its measured
// opening and mouth crop.
std::vector<RealMouth> realMouths(const std::string& dir, cv::Size tileSize, int step) {
  std::vector<std::string> clips;
  cv::glob(dir + "/*.mp4", clips);
  std::vector<RealMouth> out;
  face::AnalysisOptions options;
  options.minFaceWidth = 40;
  for (const std::string& clip : clips) {
    cv::VideoCapture capture(clip, cv::CAP_FFMPEG);
    cv::Mat frame, scaled;
    for (int index = 0; capture.read(frame); ++index) {
      if (index % step) continue;
      cv::resize(frame, scaled, cv::Size(), 2.0, 2.0, cv::INTER_LANCZOS4);
      const auto faces = face::detectFaces(scaled, options);
      if (faces.empty()) continue;
      const face::Landmarks lm = face::fitLandmarks(scaled, faces.front(), options);
      const std::string name = clip.substr(clip.find_last_of('/') + 1);
      out.push_back({name.substr(0, name.size() - 4),
                     face::innerLipGap(lm) / face::interOcularDistance(lm),
                     mouthTile(scaled, lm, tileSize), interiorStats(scaled, lm)});
    }
  }
  return out;
}

// Comparison sheet of mouth crops: per opening (a row), real speakers' frames at that opening,
// then ours at the same opening as seen at the output size and at the real clips' size.
int writeComparison(const Args& args) {
  const Prepared p = prepare(args);
  render::FaceRenderer renderer(p.still, p.face, {qualityOf(args.mode)});
  const cv::Size tileSize(240, 138);
  static std::vector<RealMouth> real;  // shared by the faces of one run
  if (real.empty()) real = realMouths(args.compare, tileSize, 3);
  const float targets[] = {0.06f, 0.12f, 0.2f, 0.3f};
  const int realPerRow = 5;
  // Our frames at a range of jaw openings and two lip shapes, with their measured opening.
  struct Ours {
    float opening;
    cv::Mat native, small;
    std::string label;
    InteriorStats stats, smallStats;
  };
  std::vector<Ours> ours;
  cv::Mat frame;
  const float realIod = 80.0f;  // the real clips' inter-ocular distance at 2x, about
  for (float jaw = 0.1f; jaw <= 1.001f; jaw += 0.1f) {
    for (int shape = 0; shape < 2; ++shape) {
      animate::FaceParams params;
      params.jawOpen = jaw;
      params.lipSpread = shape == 0 ? 0.15f : 0.6f;
      renderer.render(params, frame);
      const face::Landmarks lm = face::fitLandmarks(frame, p.face.box);
      Ours o;
      o.opening = face::innerLipGap(lm) / face::interOcularDistance(lm);
      o.native = mouthTile(frame, lm, tileSize);
      // The same frame as the real clips were filmed: scaled to their face size (and back up).
      cv::Mat down, up;
      const double f = realIod / 2.0 / face::interOcularDistance(lm);
      cv::resize(frame, down, cv::Size(), f, f, cv::INTER_AREA);
      cv::resize(down, up, frame.size(), 0, 0, cv::INTER_LANCZOS4);
      o.small = mouthTile(up, lm, tileSize);
      o.stats = interiorStats(frame, lm);
      o.smallStats = interiorStats(up, lm);
      o.label = (shape == 0 ? "jaw " : "spread jaw ") + std::to_string(jaw).substr(0, 3);
      ours.push_back(o);
    }
  }
  auto label = [](cv::Mat& tile, const std::string& text) {
    cv::putText(tile, text, {6, 18}, cv::FONT_HERSHEY_SIMPLEX, 0.5, {0, 0, 0}, 3, cv::LINE_AA);
    cv::putText(tile, text, {6, 18}, cv::FONT_HERSHEY_SIMPLEX, 0.5, {255, 255, 255}, 1,
                cv::LINE_AA);
  };
  std::vector<cv::Mat> rows;
  for (float target : targets) {
    std::vector<const RealMouth*> near;
    for (const RealMouth& r : real) near.push_back(&r);
    std::sort(near.begin(), near.end(), [&](const RealMouth* a, const RealMouth* b) {
      return std::abs(a->opening - target) < std::abs(b->opening - target);
    });
    std::vector<cv::Mat> tiles;
    std::vector<std::string> used;
    for (const RealMouth* r : near) {  // one frame per clip
      if (static_cast<int>(tiles.size()) == realPerRow) break;
      if (std::find(used.begin(), used.end(), r->clip) != used.end()) continue;
      used.push_back(r->clip);
      cv::Mat tile = r->tile.clone();
      label(tile, "real " + std::to_string(r->opening).substr(0, 4));
      tiles.push_back(tile);
    }
    while (static_cast<int>(tiles.size()) < realPerRow)
      tiles.push_back(cv::Mat::zeros(tileSize, CV_8UC3));
    const Ours* best = &ours.front();
    for (const Ours& o : ours) {
      if (std::abs(o.opening - target) < std::abs(best->opening - target)) best = &o;
    }
    // The same statistics for the real frames near this opening and for ours.
    std::vector<InteriorStats> realStats;
    for (const RealMouth& r : real) {
      if (std::abs(r.opening - target) < 0.03f) realStats.push_back(r.stats);
    }
    const InteriorStats rs = medianStats(realStats), os = best->stats, ss = best->smallStats;
    std::printf(
        "opening %.2f: real (%zu frames) mean %.2f dark %.2f bright %.2f across %.2f | ours mean "
        "%.2f dark %.2f bright %.2f across %.2f | ours at real size mean %.2f dark %.2f bright "
        "%.2f across %.2f\n",
        target, realStats.size(), rs.mean, rs.dark, rs.bright, rs.across, os.mean, os.dark,
        os.bright, os.across, ss.mean, ss.dark, ss.bright, ss.across);
    cv::Mat native = best->native.clone(), small = best->small.clone();
    label(native, "ours " + std::to_string(best->opening).substr(0, 4));
    label(small, "ours at real size");
    tiles.push_back(cv::Mat(tileSize.height, 6, CV_8UC3, cv::Scalar(255, 255, 255)));
    tiles.push_back(native);
    tiles.push_back(small);
    cv::Mat row;
    cv::hconcat(tiles, row);
    rows.push_back(row);
  }
  cv::Mat sheet;
  cv::vconcat(rows, sheet);
  cv::imwrite(args.sheet, sheet, {cv::IMWRITE_PNG_COMPRESSION, 9});
  std::cout << "wrote " << args.sheet << " from " << real.size() << " real frames\n";
  return 0;
}

double threadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

int runTiming(const Args& args) {
  cv::setNumThreads(args.threads);
  const Prepared p = prepare(args);
  const media::AudioClip clip = media::decodeAudio(core::readFileBytes(args.audio));
  const speech::ArticulationTrack track =
      speech::loudnessTrack(media::resampleMono(clip, 16000), p.settings.fps);
  const auto plan = animate::planMotion(track, animate::Style{}, 1);

  const auto setupStart = std::chrono::steady_clock::now();
  render::FaceRenderer renderer(p.still, p.face, {qualityOf(args.mode)});
  const double setupMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - setupStart)
          .count();
  cv::Mat frame(p.still.size(), CV_8UC3);
  std::vector<double> ms;
  ms.reserve(plan.size());
  // CPU time of this thread as well: less disturbed than wall time when other work shares the
  // machine (OpenCV runs on this thread alone with --threads 1).
  const double cpuStart = threadCpuMs();
  for (const auto& params : plan) {
    const auto t0 = std::chrono::steady_clock::now();
    renderer.render(params, frame);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double cpuMs = (threadCpuMs() - cpuStart) / static_cast<double>(plan.size());
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double total = 0.0;
  for (double v : ms) total += v;
  const cv::Rect head = renderer.headRegion();
  std::printf(
      "mode=%s size=%dx%d head=%dx%d frames=%zu threads=%d setup_ms=%.1f mean_ms=%.2f "
      "median_ms=%.2f p95_ms=%.2f cpu_mean_ms=%.2f\n",
      args.mode.c_str(), p.still.cols, p.still.rows, head.width, head.height, ms.size(),
      args.threads, setupMs, total / ms.size(), sorted[sorted.size() / 2],
      sorted[sorted.size() * 95 / 100], cpuMs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--image")
      args.image = value;
    else if (key == "--audio")
      args.audio = value;
    else if (key == "--sheet")
      args.sheet = value;
    else if (key == "--compare")
      args.compare = value;
    else if (key == "--mesh")
      args.mesh = value;
    else if (key == "--mode")
      args.mode = value;
    else if (key == "--threads")
      args.threads = std::stoi(value);
  }
  try {
    if (args.image.empty() || (args.sheet.empty() && args.audio.empty())) {
      std::cerr << "usage: frame_bench --image FACE (--audio VOICE | --sheet OUT.png) "
                   "[--mode std|pro] [--threads N]\n";
      return 2;
    }
    if (args.sheet.empty()) return runTiming(args);
    return args.compare.empty() ? writeSheet(args) : writeComparison(args);
  } catch (const std::exception& e) {
    std::cerr << "frame_bench: " << core::describe(e) << "\n";
    return 1;
  }
}
