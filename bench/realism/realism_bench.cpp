// Realism benchmark: measures real talking clips and our renders of the same sound with the same
// tracker and compares them (mouth-curve correlation and lag, opening during speech, head
// rotation and translation, brows, blinks, how closely the mouth follows loudness). Draws a
// side-by-side sheet and the two opening curves per clip. Driven by bench/realism/realism.sh.
//
// Usage: realism_bench --list FILE --out DIR
//   FILE: one clip per line, tab-separated: name, real video, our video ("-" when our render was
//   refused), the clip's sound as WAV, and a note (the refusal's message).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "clip_list.h"
#include "core/file_io.h"
#include "fit_clips.h"
#include "media/audio_decoder.h"
#include "realism_measures.h"

namespace dh::bench {
namespace {

struct Result {
  Clip clip;
  bool rendered = false;
  ClipStats real, ours;
  LagCorrelation mouth;
};

// The opening curves (real black, ours red) and the loudness (grey), with speech shaded.
cv::Mat drawCurves(const FaceCurves& real, const FaceCurves* ours, const SoundCurves& sound,
                   int width, const std::string& title) {
  const int height = 220, top = 24, bottom = 10;
  cv::Mat plot(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const size_t n = real.mouth.size();
  if (n < 2) return plot;
  float peak = 0.05f;
  for (float v : real.mouth) peak = std::max(peak, v);
  if (ours)
    for (float v : ours->mouth) peak = std::max(peak, v);
  auto x = [&](size_t k) { return static_cast<int>(k * (width - 1.0) / (n - 1)); };
  auto y = [&](double v, double scale) {
    return static_cast<int>(height - bottom - v / scale * (height - top - bottom));
  };
  for (size_t k = 0; k < n && k < sound.speech.size(); ++k) {
    if (sound.speech[k])
      cv::line(plot, {x(k), top}, {x(k), height - bottom}, cv::Scalar(240, 232, 225), 3);
  }
  auto curve = [&](const std::vector<float>& v, double scale, cv::Scalar colour, int thickness) {
    for (size_t k = 1; k < n && k < v.size(); ++k) {
      cv::line(plot, {x(k - 1), y(v[k - 1], scale)}, {x(k), y(v[k], scale)}, colour, thickness,
               cv::LINE_AA);
    }
  };
  curve(sound.loudness, 1.0, cv::Scalar(170, 170, 170), 1);
  curve(real.mouth, peak, cv::Scalar(0, 0, 0), 2);
  if (ours) curve(ours->mouth, peak, cv::Scalar(0, 0, 220), 2);
  cv::putText(plot, title, {6, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(0, 0, 0), 1,
              cv::LINE_AA);
  return plot;
}

// Real frames over ours at six moments spread over the speech, then the curves.
void drawSheet(const Result& r, const FaceCurves& real, const FaceCurves* ours,
               const SoundCurves& sound, const std::string& path) {
  const int cell = 224, moments = 6;
  std::vector<int> speechFrames;
  for (size_t k = 0; k < sound.speech.size() && k < real.mouth.size(); ++k)
    if (sound.speech[k]) speechFrames.push_back(static_cast<int>(k));
  if (speechFrames.empty()) speechFrames.push_back(0);
  cv::Mat sheet(2 * cell, moments * cell, CV_8UC3, cv::Scalar(40, 40, 40));
  for (int m = 0; m < moments; ++m) {
    const int frame = speechFrames[(speechFrames.size() - 1) * (2 * m + 1) / (2 * moments)];
    auto place = [&](const std::string& video, int row) {
      cv::Mat f = readFrame(video, frame, cell);
      const cv::Rect crop((f.cols - cell) / 2, (f.rows - cell) / 2, cell, cell);
      f(crop).copyTo(sheet(cv::Rect(m * cell, row * cell, cell, cell)));
    };
    place(r.clip.real, 0);
    if (r.rendered) place(r.clip.ours, 1);
    cv::putText(sheet, std::to_string(frame * 40) + " ms", {m * cell + 4, 14},
                cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  }
  std::ostringstream title;
  title << r.clip.name << "  black: real  red: ours  grey: loudness";
  if (r.rendered) {
    title.precision(2);
    title << "  r0 " << r.mouth.atZero << "  best " << r.mouth.best << " at "
          << std::lround(r.mouth.bestLagSeconds * 1000) << " ms";
  } else {
    title << "  refused: " << r.clip.note;
  }
  cv::Mat plot = drawCurves(real, ours, sound, sheet.cols, title.str());
  cv::Mat out;
  cv::vconcat(sheet, plot, out);
  cv::imwrite(path, out);
}

// Per frame: speech, loudness, then mouth, eye opening, roll, yaw, pitch and brow of the real
// clip and of ours, for a closer look.
void writeCurves(const FaceCurves& real, const FaceCurves* ours, const SoundCurves& sound,
                 const std::string& path) {
  std::ofstream out(path);
  out << "frame,speech,loudness,real_mouth,real_eye,real_roll,real_yaw,real_pitch,real_brow,"
         "ours_mouth,ours_eye,ours_roll,ours_yaw,ours_pitch,ours_brow\n";
  auto put = [&out](const FaceCurves* c, size_t k) {
    if (c == nullptr || k >= c->mouth.size()) {
      out << ",,,,,,";
      return;
    }
    out << "," << c->mouth[k] << "," << c->eye[k] << "," << c->roll[k] << "," << c->yaw[k] << ","
        << c->pitch[k] << "," << c->brow[k];
  };
  for (size_t k = 0; k < real.mouth.size(); ++k) {
    out << k << "," << (k < sound.speech.size() && sound.speech[k]) << ","
        << (k < sound.loudness.size() ? sound.loudness[k] : 0.0f);
    put(&real, k);
    put(ours, k);
    out << "\n";
  }
}

double ratio(double ours, double real) {
  return real > 1e-9 ? ours / real : 0.0;
}

nlohmann::json statsJson(const ClipStats& s) {
  return {{"mean_open_speech_iod", s.meanOpenSpeech},
          {"roll_std_deg", s.rollStd},
          {"yaw_std_deg", s.yawStd},
          {"pitch_std_deg", s.pitchStd},
          {"shift_std_iod", s.shiftStd},
          {"brow_std_iod", s.browStd},
          {"blinks_per_minute", s.blinksPerMinute},
          {"loudness_corr", s.loudnessCorr}};
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

// The table: one row per clip, then the medians over the rendered clips.
std::string table(const std::vector<Result>& results) {
  std::ostringstream t;
  t << "| clip | r lag 0 | r best | best lag ms | open ours/real | roll | yaw | pitch | shift |"
       " brow | blinks/min ours (real) | loudness r ours (real) |\n"
    << "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::vector<double> cols[12];
  for (const auto& r : results) {
    if (!r.rendered) {
      t << "| " << r.clip.name << " | refused: " << r.clip.note << " |||||||||||\n";
      continue;
    }
    const double v[12] = {r.mouth.atZero,
                          r.mouth.best,
                          r.mouth.bestLagSeconds * 1000,
                          ratio(r.ours.meanOpenSpeech, r.real.meanOpenSpeech),
                          ratio(r.ours.rollStd, r.real.rollStd),
                          ratio(r.ours.yawStd, r.real.yawStd),
                          ratio(r.ours.pitchStd, r.real.pitchStd),
                          ratio(r.ours.shiftStd, r.real.shiftStd),
                          ratio(r.ours.browStd, r.real.browStd),
                          r.ours.blinksPerMinute,
                          r.ours.loudnessCorr,
                          r.real.loudnessCorr};
    for (int i = 0; i < 12; ++i) cols[i].push_back(v[i]);
    t << "| " << r.clip.name << " | " << fixed(v[0], 2) << " | " << fixed(v[1], 2) << " | "
      << fixed(v[2], 0);
    for (int i = 3; i < 9; ++i) t << " | " << fixed(v[i], 2);
    t << " | " << fixed(v[9], 0) << " (" << fixed(r.real.blinksPerMinute, 0) << ") | "
      << fixed(v[10], 2) << " (" << fixed(v[11], 2) << ") |\n";
  }
  double m[12];
  for (int i = 0; i < 12; ++i) m[i] = median(cols[i]);
  t << "| **median** (" << cols[0].size() << " rendered) | " << fixed(m[0], 2) << " | "
    << fixed(m[1], 2) << " | " << fixed(m[2], 0);
  for (int i = 3; i < 9; ++i) t << " | " << fixed(m[i], 2);
  t << " | " << fixed(m[9], 0) << " | " << fixed(m[10], 2) << " (" << fixed(m[11], 2) << ") |\n";
  return t.str();
}

// The photo next to the frames of a render where the head is furthest from its pose in the
// photo (largest turn, tilt and nod by the tracker), each above a 2x crop of the top of the head
// and the neck, where a warp would tear or smear the background first.
int drawLargestMotion(const std::string& video, const std::string& outPath) {
  const TrackedVideo tracked = trackVideo(video);
  const FaceCurves c = measureCurves(tracked);
  std::vector<std::pair<double, int>> motion;
  for (size_t k = 0; k < c.roll.size(); ++k) {
    const double d = std::abs(c.roll[k] - c.roll[0]) + 0.5 * std::abs(c.yaw[k] - c.yaw[0]) +
                     0.5 * std::abs(c.pitch[k] - c.pitch[0]);
    motion.push_back({d, static_cast<int>(k)});
  }
  std::sort(motion.rbegin(), motion.rend());
  std::vector<int> frames{0};
  for (const auto& [d, k] : motion) {
    const bool apart = std::all_of(frames.begin(), frames.end(),
                                   [&](int f) { return std::abs(f - k) > tracked.fps; });
    if (apart) frames.push_back(k);
    if (frames.size() == 4) break;
  }
  const int cell = 360;
  cv::Mat sheet(2 * cell, static_cast<int>(frames.size()) * cell, CV_8UC3, cv::Scalar(40, 40, 40));
  for (size_t i = 0; i < frames.size(); ++i) {
    cv::Mat f = readFrame(video, frames[i], cell);
    const cv::Rect centre((f.cols - cell) / 2, (f.rows - cell) / 2, cell, cell);
    f(centre).copyTo(sheet(cv::Rect(static_cast<int>(i) * cell, 0, cell, cell)));
    // 2x crop around the side of the head and the neck (left half of the face's box).
    const face::Landmarks& lm = tracked.landmarks[frames[i]];
    const double scale = static_cast<double>(cell) / std::min(tracked.width, tracked.height);
    const cv::Point2f side = (lm[0] + lm[8]) * 0.5f * static_cast<float>(scale);
    cv::Rect crop(cvRound(side.x - cell / 4.0), cvRound(side.y - cell / 4.0), cell / 2, cell / 2);
    crop &= cv::Rect(0, 0, f.cols, f.rows);
    cv::Mat zoom;
    cv::resize(f(crop), zoom, cv::Size(cell, cell * crop.height / std::max(1, crop.width)), 0, 0,
               cv::INTER_CUBIC);
    zoom(cv::Rect(0, 0, cell, std::min(cell, zoom.rows)))
        .copyTo(sheet(cv::Rect(static_cast<int>(i) * cell, cell, cell, std::min(cell, zoom.rows))));
    const std::string label = frames[i] == 0
                                  ? std::string("frame 0 (the photo)")
                                  : "frame " + std::to_string(frames[i]) + ": roll " +
                                        fixed(c.roll[frames[i]] - c.roll[0], 1) + " yaw " +
                                        fixed(c.yaw[frames[i]] - c.yaw[0], 1) + " pitch " +
                                        fixed(c.pitch[frames[i]] - c.pitch[0], 1);
    cv::putText(sheet, label, {static_cast<int>(i) * cell + 4, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.42,
                cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  }
  cv::imwrite(outPath, sheet);
  return 0;
}

// Frames [first, first + count) of `video`, cropped around the mouth and enlarged, with the
// tracker's lip points (outer green, inner red) and the lip gap it measures: to see what the
// mouth-opening curves are made of.
int drawLips(const std::string& video, int first, int count, const std::string& outPath) {
  const TrackedVideo tracked = trackVideo(video);
  const FaceCurves c = measureCurves(tracked);
  const int cell = 240;
  const int last = std::min<int>(first + count, static_cast<int>(tracked.landmarks.size()));
  if (first < 0 || first >= last) throw std::runtime_error("--lips-from is past the video's end");
  const std::vector<cv::Mat> frames =
      readFrames(video, first, last - first, std::min(tracked.width, tracked.height));
  cv::Mat sheet(cell, static_cast<int>(frames.size()) * cell, CV_8UC3, cv::Scalar(40, 40, 40));
  for (int k = first; k < first + static_cast<int>(frames.size()); ++k) {
    const cv::Mat& f = frames[k - first];
    const face::Landmarks& lm = tracked.landmarks[k];
    const float width = cv::norm(lm[54] - lm[48]);
    const cv::Point2f centre = (lm[48] + lm[54]) * 0.5f;
    cv::Rect box(cvRound(centre.x - width), cvRound(centre.y - width), cvRound(2 * width),
                 cvRound(2 * width));
    box &= cv::Rect(0, 0, f.cols, f.rows);
    if (box.area() == 0) continue;
    const double zoom = static_cast<double>(cell) / std::max(box.width, box.height);
    cv::Mat crop;
    cv::resize(f(box), crop, cv::Size(), zoom, zoom, cv::INTER_CUBIC);
    for (int i = 48; i < 68; ++i) {
      const cv::Point2f p = (lm[i] - cv::Point2f(box.tl())) * static_cast<float>(zoom);
      cv::circle(crop, p, 2, i < 60 ? cv::Scalar(0, 200, 0) : cv::Scalar(0, 0, 255), cv::FILLED);
    }
    crop.copyTo(sheet(
        cv::Rect((k - first) * cell, 0, std::min(cell, crop.cols), std::min(cell, crop.rows))));
    cv::putText(sheet, std::to_string(k) + ": gap " + fixed(c.mouth[k], 3),
                {(k - first) * cell + 4, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.42,
                cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  }
  cv::imwrite(outPath, sheet);
  return 0;
}

int run(const std::string& listPath, const std::string& outDir) {
  std::filesystem::create_directories(outDir);
  std::vector<Result> results;
  nlohmann::json all = nlohmann::json::array();
  for (const Clip& clip : readClipList(listPath)) {
    Result r;
    r.clip = clip;
    r.rendered = clip.ours != "-" && std::filesystem::exists(clip.ours);
    const TrackedVideo realVideo = trackVideo(clip.real);
    const FaceCurves real = measureCurves(realVideo);
    const auto bytes = core::readFileBytes(clip.voice, "voice");
    const auto mono = media::resampleMono(media::decodeAudio(bytes, "voice"), 16000);
    const SoundCurves sound = measureSound(mono, realVideo.fps, real.mouth.size());
    r.real = clipStats(real, sound, realVideo.fps);
    std::optional<FaceCurves> ours;
    if (r.rendered) {
      const TrackedVideo oursVideo = trackVideo(clip.ours);
      ours = measureCurves(oursVideo);
      const SoundCurves oursSound = measureSound(mono, oursVideo.fps, ours->mouth.size());
      r.ours = clipStats(*ours, oursSound, oursVideo.fps);
      r.mouth = mouthCorrelation(ours->mouth, real.mouth, realVideo.fps);
    }
    drawSheet(r, real, ours ? &*ours : nullptr, sound, outDir + "/" + clip.name + ".png");
    writeCurves(real, ours ? &*ours : nullptr, sound, outDir + "/" + clip.name + ".csv");
    nlohmann::json j = {{"clip", clip.name}, {"rendered", r.rendered}, {"real", statsJson(r.real)}};
    if (r.rendered) {
      j["ours"] = statsJson(r.ours);
      j["mouth_corr_lag0"] = r.mouth.atZero;
      j["mouth_corr_best"] = r.mouth.best;
      j["mouth_best_lag_ms"] = r.mouth.bestLagSeconds * 1000;
    } else {
      j["refused"] = clip.note;
    }
    all.push_back(j);
    std::cerr << clip.name << ": " << j.dump() << "\n";
    results.push_back(r);
  }
  std::ofstream(outDir + "/results.json") << all.dump(2) << "\n";
  const std::string summary = table(results);
  std::ofstream(outDir + "/summary.md") << summary;
  std::cout << summary;
  return 0;
}

}  // namespace
}  // namespace dh::bench

int main(int argc, char** argv) {
  CLI::App app("Realism benchmark: real talking clips against our renders of their sound");
  std::string list, out, motionOf, lipsOf;
  int lipsFrom = 0, lipsCount = 8;
  auto* listOption =
      app.add_option("--list", list, "Tab-separated clip list (see the file's header)");
  app.add_option("--out", out,
                 "Folder for sheets, results.json and summary.md (with --list), or "
                 "the PNG to write (with --largest-motion or --lips)")
      ->required();
  auto* motionOption = app.add_option("--largest-motion", motionOf,
                                      "A render: draw its frames of largest head motion instead");
  auto* lipsOption = app.add_option(
      "--lips", lipsOf, "A video: draw its mouth with the tracker's lip points instead");
  app.add_option("--lips-from", lipsFrom, "First frame for --lips");
  app.add_option("--lips-count", lipsCount, "Frames for --lips")->check(CLI::Range(1, 24));
  listOption->excludes(motionOption);
  listOption->excludes(lipsOption);
  motionOption->excludes(lipsOption);
  CLI11_PARSE(app, argc, argv);
  try {
    if (!motionOf.empty()) return dh::bench::drawLargestMotion(motionOf, out);
    if (!lipsOf.empty()) return dh::bench::drawLips(lipsOf, lipsFrom, lipsCount, out);
    if (list.empty()) throw std::runtime_error("--list or --largest-motion is required");
    return dh::bench::run(list, out);
  } catch (const std::exception& e) {
    std::cerr << "realism_bench: " << e.what() << "\n";
    return 1;
  }
}
