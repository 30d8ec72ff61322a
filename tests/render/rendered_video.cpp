#include "rendered_video.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <filesystem>

#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {

void renderPrompt(const std::string& prompt, const std::string& video, const std::string& text) {
  std::vector<std::string> argv = {dhBinary(), "render", "--image",
                                   dataPath("faces/01_astronaut_eileen_collins.png")};
  if (text.empty()) {
    argv.insert(argv.end(), {"--audio", dataPath("speech/en_m_jfk.wav")});
  } else {
    argv.insert(argv.end(), {"--text", text});
  }
  argv.insert(argv.end(), {"--prompt", prompt, "--output", video, "--progress", "none"});
  const auto r = runProcess(argv);
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

std::vector<cv::Mat> videoFrames(const std::string& video, const std::string& dir, int first,
                                 int last, int step) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("f", 0) == 0 && entry.path().extension() == ".png")
      std::filesystem::remove(entry.path());
  }
  const auto r =
      runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-i", video, "-vf",
                  "select=between(n\\," + std::to_string(first) + "\\," + std::to_string(last) +
                      ")*not(mod(n\\," + std::to_string(step) + "))",
                  "-vsync", "0", dir + "/f%03d.png"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  std::vector<cv::Mat> frames;
  for (int k = 1;; ++k) {
    char name[32];
    std::snprintf(name, sizeof name, "/f%03d.png", k);
    cv::Mat frame = cv::imread(dir + name);
    if (frame.empty()) break;
    frames.push_back(std::move(frame));
  }
  return frames;
}

std::vector<face::Landmarks> landmarksOf(const std::vector<cv::Mat>& frames) {
  std::vector<face::Landmarks> out;
  for (const cv::Mat& frame : frames) out.push_back(face::analyzeFace(frame).landmarks);
  return out;
}

std::vector<face::Landmarks> trackedFrames(const std::string& video, const std::string& dir,
                                           int first, int last, int step) {
  return landmarksOf(videoFrames(video, dir, first, last, step));
}

std::pair<cv::Mat, cv::Mat> firstAndLast(const std::string& video, const std::string& dir) {
  const auto a = runProcess(
      {"/usr/bin/ffmpeg", "-v", "error", "-y", "-i", video, "-frames:v", "1", dir + "/first.png"});
  EXPECT_EQ(a.exitCode, 0) << a.err;
  const auto b = runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-sseof", "-0.3", "-i", video,
                             "-update", "1", dir + "/last.png"});
  EXPECT_EQ(b.exitCode, 0) << b.err;
  return {cv::imread(dir + "/first.png"), cv::imread(dir + "/last.png")};
}

cv::Point2f meanOf(const face::Landmarks& lm, std::initializer_list<int> ids) {
  cv::Point2f s(0, 0);
  for (int i : ids) s += lm[i];
  return s * (1.0f / ids.size());
}

double interOcular(const face::Landmarks& lm) {
  return cv::norm(meanOf(lm, {42, 43, 44, 45, 46, 47}) - meanOf(lm, {36, 37, 38, 39, 40, 41}));
}

double interOcular(const cv::Mat& frame) {
  return interOcular(face::analyzeFace(frame).landmarks);
}

}  // namespace dh::test
