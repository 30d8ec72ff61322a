#include "landmark_tracker.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <optional>
#include <stdexcept>

namespace dh::bench {
namespace {

cv::Mat scaledToShortSide(const cv::Mat& frame, int shortSide) {
  const double scale = static_cast<double>(shortSide) / std::min(frame.cols, frame.rows);
  cv::Mat out;
  cv::resize(frame, out, cv::Size(), scale, scale,
             scale > 1.0 ? cv::INTER_LANCZOS4 : cv::INTER_AREA);
  return out;
}

// Box of the detector's convention placed over a landmark set: the offset and size relative to
// the landmarks' eye centre and inter-ocular distance, learned at the last detection.
struct BoxModel {
  cv::Point2f offset;  // box centre - eye midpoint, in IOD
  cv::Size2f size;     // box size in IOD
  cv::Rect place(const face::Landmarks& lm) const {
    const float iod = face::interOcularDistance(lm);
    const cv::Point2f mid = (face::eyeCenter(lm, true) + face::eyeCenter(lm, false)) * 0.5f;
    const cv::Point2f c = mid + offset * iod;
    const cv::Size2f s = size * iod;
    return cv::Rect(cv::Point(cvRound(c.x - s.width / 2), cvRound(c.y - s.height / 2)),
                    cv::Size(cvRound(s.width), cvRound(s.height)));
  }
  static BoxModel learn(const cv::Rect& box, const face::Landmarks& lm) {
    const float iod = std::max(1.0f, face::interOcularDistance(lm));
    const cv::Point2f mid = (face::eyeCenter(lm, true) + face::eyeCenter(lm, false)) * 0.5f;
    const cv::Point2f c(box.x + box.width / 2.0f, box.y + box.height / 2.0f);
    return {(c - mid) * (1.0f / iod), cv::Size2f(box.width / iod, box.height / iod)};
  }
};

void stabilise(std::vector<face::Landmarks>& track) {
  if (track.size() < 3) return;
  const std::vector<face::Landmarks> raw = track;
  for (size_t f = 1; f + 1 < raw.size(); ++f) {
    for (int i = 0; i < face::kLandmarkCount; ++i) {
      track[f][i] = (raw[f - 1][i] + 2.0f * raw[f][i] + raw[f + 1][i]) * 0.25f;
    }
  }
}

}  // namespace

TrackedVideo trackVideo(const std::string& path, const TrackOptions& options) {
  cv::VideoCapture capture(path, cv::CAP_FFMPEG);
  if (!capture.isOpened()) throw std::runtime_error("cannot open video " + path);
  TrackedVideo out;
  out.fps = capture.get(cv::CAP_PROP_FPS);
  if (!(out.fps > 0)) out.fps = 25.0;
  cv::Mat frame;
  std::optional<BoxModel> model;
  std::optional<face::Landmarks> last;
  face::AnalysisOptions analysis;
  analysis.detectMaxSide = 2 * options.shortSide;
  for (int index = 0; capture.read(frame); ++index) {
    const cv::Mat scaled = scaledToShortSide(frame, options.shortSide);
    out.width = scaled.cols;
    out.height = scaled.rows;
    std::optional<cv::Rect> detected;
    if (!last || index % options.detectEvery == 0) {
      const auto faces = face::detectFaces(scaled, analysis);
      if (!faces.empty()) detected = faces.front();
    }
    if (detected) {
      last = face::fitLandmarks(scaled, *detected, analysis);
      model = BoxModel::learn(*detected, *last);
    } else if (last && model) {
      last = face::fitLandmarks(scaled, model->place(*last), analysis);
    }
    out.found.push_back(detected.has_value() || (last && model));
    out.landmarks.push_back(last.value_or(face::Landmarks{}));
  }
  if (!last) throw std::runtime_error("no face found in any frame of " + path);
  // Frames before the first face take the first tracked landmarks.
  size_t first = 0;
  while (first < out.found.size() && !out.found[first]) ++first;
  for (size_t f = 0; f < first; ++f) out.landmarks[f] = out.landmarks[first];
  if (options.stabilise) stabilise(out.landmarks);
  return out;
}

std::vector<cv::Mat> readFrames(const std::string& path, int first, int count, int shortSide) {
  cv::VideoCapture capture(path, cv::CAP_FFMPEG);
  if (!capture.isOpened()) throw std::runtime_error("cannot open video " + path);
  capture.set(cv::CAP_PROP_POS_FRAMES, first);
  std::vector<cv::Mat> frames;
  cv::Mat frame;
  while (static_cast<int>(frames.size()) < count && capture.read(frame)) {
    frames.push_back(scaledToShortSide(frame, shortSide));
  }
  if (frames.empty()) throw std::runtime_error("cannot read frame of " + path);
  return frames;
}

cv::Mat readFrame(const std::string& path, int index, int shortSide) {
  return readFrames(path, index, 1, shortSide).front();
}

}  // namespace dh::bench
