// Per-frame synthesis time of the talking face, separately from encoding, and contact sheets.
//   frame_bench --image FACE --audio VOICE [--mode std|pro] [--threads 1]
//   frame_bench --image FACE --sheet OUT.png [--mode std|pro] [--mesh MESH.png]
// Timing renders every frame of the voice's motion plan into one reused frame and reports the
// mean, median and 95th percentile in milliseconds.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
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
  std::string image, audio, sheet, mesh, mode = "std";
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

int writeSheet(const Args& args) {
  const Prepared p = prepare(args);
  render::FaceRenderer renderer(p.still, p.face, {qualityOf(args.mode)});
  struct Pose {
    const char* label;
    animate::FaceParams params;
  };
  std::vector<Pose> poses(4);
  poses[0].label = "closed";
  poses[1].label = "half open";
  poses[1].params.jawOpen = 0.5f;
  poses[2].label = "wide open";
  poses[2].params.jawOpen = 1.0f;
  poses[3].label = "blink";
  poses[3].params.blink = 1.0f;
  poses[3].params.jawOpen = 0.25f;
  const cv::Rect head = renderer.headRegion();
  // Crop around the lower face so the mouth is large enough to judge.
  const cv::Rect crop = cv::Rect(head.x + head.width / 8, head.y + head.height / 5,
                                 head.width * 3 / 4, head.height * 3 / 5) &
                        cv::Rect(0, 0, p.still.cols, p.still.rows);
  const int tileHeight = 420;
  std::vector<cv::Mat> tiles;
  cv::Mat frame;
  for (const Pose& pose : poses) {
    renderer.render(pose.params, frame);
    cv::Mat tile;
    const double scale = static_cast<double>(tileHeight) / crop.height;
    cv::resize(frame(crop), tile, cv::Size(), scale, scale, cv::INTER_CUBIC);
    cv::putText(tile, pose.label, {10, 28}, cv::FONT_HERSHEY_SIMPLEX, 0.8, {0, 0, 0}, 4,
                cv::LINE_AA);
    cv::putText(tile, pose.label, {10, 28}, cv::FONT_HERSHEY_SIMPLEX, 0.8, {255, 255, 255}, 2,
                cv::LINE_AA);
    tiles.push_back(tile);
  }
  cv::Mat sheet;
  cv::hconcat(tiles, sheet);
  if (!args.mesh.empty()) {  // the wide-open frame with its mesh drawn over it
    renderer.render(poses[2].params, frame);
    const auto& pts = renderer.lastPoints();
    for (const auto& t : renderer.triangles()) {
      for (int k = 0; k < 3; ++k) {
        cv::line(frame, pts[t[k]], pts[t[(k + 1) % 3]], {0, 255, 0}, 1, cv::LINE_AA);
      }
    }
    cv::imwrite(args.mesh, frame);
  }
  cv::imwrite(args.sheet, sheet);
  std::cout << "wrote " << args.sheet << "\n";
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
    return args.sheet.empty() ? runTiming(args) : writeSheet(args);
  } catch (const std::exception& e) {
    std::cerr << "frame_bench: " << core::describe(e) << "\n";
    return 1;
  }
}
