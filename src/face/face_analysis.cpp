#include "face/face_analysis.h"

#include <dlib/image_processing.h>
#include <dlib/opencv/cv_image.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "face/face_colors.h"
#include "face/face_detector.h"
#include "face/landmark_model_cache.h"

namespace dh::face {
namespace {

constexpr const char* kDefaultPredictor = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

std::string predictorPathFor(const AnalysisOptions& options) {
  if (!options.predictorPath.empty()) return options.predictorPath;
  if (const char* env = std::getenv("DH_SHAPE_PREDICTOR"); env && *env) return env;
  return kDefaultPredictor;
}

// The installed model's cache in the build tree (see landmark_model_cache.h), when there is one:
// the same predictor in about a tenth of the load time.
std::unique_ptr<dlib::shape_predictor> cachedPredictor(const std::string& path) {
  if (path != kDefaultPredictor) return nullptr;
  std::error_code error;
  const uint64_t bytes = std::filesystem::file_size(path, error);
  if (error) return nullptr;
  return readLandmarkCache(DH_LANDMARK_CACHE, bytes);
}

// The shape predictor is ~95 MB and takes about half a CPU-second to decode: loaded once per
// process and shared (its operator() is const and safe to call from several threads).
const dlib::shape_predictor& shapePredictor(const AnalysisOptions& options) {
  static std::mutex mutex;
  static std::unique_ptr<dlib::shape_predictor> predictor;
  static std::string loadedFrom;
  std::lock_guard lock(mutex);
  const std::string path = predictorPathFor(options);
  if (!predictor || loadedFrom != path) {
    auto loaded = cachedPredictor(path);
    if (loaded) {
      core::logger("face")->debug("loaded the landmark model from its cache {}", DH_LANDMARK_CACHE);
    } else {
      loaded = std::make_unique<dlib::shape_predictor>();
      try {
        dlib::deserialize(path) >> *loaded;
      } catch (const std::exception& e) {
        throw core::Error(
            core::ErrorKind::Internal,
            fmt::format("cannot load the face landmark model {}: {}", path, e.what()));
      }
      core::logger("face")->debug("loaded the landmark model from {}", path);
    }
    predictor = std::move(loaded);
    loadedFrom = path;
  }
  return *predictor;
}

dlib::rectangle toDlib(const cv::Rect& r) {
  return dlib::rectangle(r.x, r.y, r.x + r.width - 1, r.y + r.height - 1);
}

cv::Rect toCv(const dlib::rectangle& r, double scale) {
  return cv::Rect(static_cast<int>(std::lround(r.left() * scale)),
                  static_cast<int>(std::lround(r.top() * scale)),
                  static_cast<int>(std::lround(r.width() * scale)),
                  static_cast<int>(std::lround(r.height() * scale)));
}

cv::Mat toGray(const cv::Mat& bgr) {
  cv::Mat gray;
  if (bgr.channels() == 1) {
    gray = bgr;
  } else {
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  }
  return gray;
}

struct Detection {
  cv::Rect box;               // the largest, in source pixels
  std::vector<cv::Rect> all;  // every frontal face, largest first
  int count = 0;              // frontal faces found
  bool sideways = false;      // none frontal, but a side-looking face scored close to the threshold
};

// Sub-detectors of dlib's frontal face detector that look for faces turned left / right.
constexpr unsigned long kLeftLooking = 1, kRightLooking = 2;
// A side-looking detection this close to the decision threshold is taken as a turned face.
constexpr double kSidewaysThreshold = -0.55;

// Largest frontal face on a copy no larger than `maxSide`; one 2x upsampled pass when none is
// found so that small faces are reported as small rather than missing.
Detection detectLargestFace(const cv::Mat& gray, int maxSide) {
  const int longSide = std::max(gray.cols, gray.rows);
  const double scale = longSide > maxSide ? static_cast<double>(maxSide) / longSide : 1.0;
  cv::Mat small;
  if (scale < 1.0) {
    cv::resize(gray, small, cv::Size(), scale, scale, cv::INTER_AREA);
  } else {
    small = gray;
  }
  dlib::frontal_face_detector detector = frontalFaceDetector();
  Detection result;
  std::vector<dlib::rect_detection> found;
  double toSource = 1.0 / scale;
  {
    dlib::cv_image<unsigned char> view(small);
    detector(view, found, kSidewaysThreshold);
  }
  auto frontal = [&] {
    return std::count_if(found.begin(), found.end(),
                         [](const dlib::rect_detection& d) { return d.detection_confidence > 0; });
  };
  if (frontal() == 0) {
    for (const auto& d : found) {
      if (d.weight_index == kLeftLooking || d.weight_index == kRightLooking) result.sideways = true;
    }
    cv::Mat up;
    cv::resize(small, up, cv::Size(), 2.0, 2.0, cv::INTER_LINEAR);
    dlib::cv_image<unsigned char> view(up);
    std::vector<dlib::rect_detection> upFound;
    detector(view, upFound, 0.0);
    if (!upFound.empty()) {
      found = std::move(upFound);
      toSource /= 2.0;
    }
  }
  for (const auto& d : found) {
    if (d.detection_confidence > 0) result.all.push_back(toCv(d.rect, toSource));
  }
  std::sort(result.all.begin(), result.all.end(),
            [](const cv::Rect& a, const cv::Rect& b) { return a.area() > b.area(); });
  result.count = static_cast<int>(result.all.size());
  if (!result.all.empty()) result.box = result.all.front();
  return result;
}

Landmarks fitOnGray(const cv::Mat& gray, const cv::Rect& box, const AnalysisOptions& options) {
  const dlib::shape_predictor& predictor = shapePredictor(options);
  dlib::cv_image<unsigned char> view(gray);
  const dlib::full_object_detection shape = predictor(view, toDlib(box));
  Landmarks points;
  for (int i = 0; i < kLandmarkCount; ++i) {
    points[i] =
        cv::Point2f(static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y()));
  }
  return points;
}

// Yaw from where the nose tip sits between the cheek contours, in the eye-line frame.
float estimateYaw(const Landmarks& p) {
  const float roll = eyeLineDegrees(p) * static_cast<float>(CV_PI / 180.0);
  const float c = std::cos(-roll), s = std::sin(-roll);
  auto rx = [&](const cv::Point2f& q) { return c * q.x - s * q.y; };
  float left = 0.0f, right = 0.0f;
  for (int i : {1, 2, 3}) left += rx(p[i]) / 3.0f;
  for (int i : {15, 14, 13}) right += rx(p[i]) / 3.0f;
  float nose = 0.0f;
  for (int i : {30, 33}) nose += rx(p[i]) / 2.0f;
  const float width = right - left;
  if (width <= 1.0f) return 90.0f;
  const float r = std::clamp((nose - left) / width * 2.0f - 1.0f, -1.0f, 1.0f);  // -1..1
  // The nose tip stands about 0.55 face half-widths in front of the cheek contour line.
  const float ratio = std::clamp(r / 1.1f, -1.0f, 1.0f);
  return std::asin(ratio) * 180.0f / static_cast<float>(CV_PI);
}

}  // namespace

cv::Point2f eyeCenter(const Landmarks& points, bool left) {
  cv::Point2f c(0, 0);
  const int begin = left ? 36 : 42;
  for (int i = begin; i < begin + 6; ++i) c += points[i];
  return c * (1.0f / 6.0f);
}

float interOcularDistance(const Landmarks& points) {
  return static_cast<float>(cv::norm(eyeCenter(points, true) - eyeCenter(points, false)));
}

float innerLipGap(const Landmarks& p) {
  return static_cast<float>(cv::norm(p[61] - p[67]) + cv::norm(p[62] - p[66]) +
                            cv::norm(p[63] - p[65])) /
         3.0f;
}

float eyeOpening(const Landmarks& p) {
  auto ratio = [&](int a) {
    const double v = cv::norm(p[a + 1] - p[a + 5]) + cv::norm(p[a + 2] - p[a + 4]);
    const double h = cv::norm(p[a] - p[a + 3]);
    return h > 0 ? v / (2.0 * h) : 0.0;
  };
  return static_cast<float>((ratio(36) + ratio(42)) / 2.0);
}

float eyeLineDegrees(const Landmarks& points) {
  const cv::Point2f d = eyeCenter(points, false) - eyeCenter(points, true);
  return static_cast<float>(std::atan2(d.y, d.x) * 180.0 / CV_PI);
}

FaceAnalysis analyzeFace(const cv::Mat& bgr, const AnalysisOptions& options) {
  if (bgr.empty()) core::throwInvalid("image", "the image is empty");
  const cv::Mat gray = toGray(bgr);
  const Detection detection = detectLargestFace(gray, options.detectMaxSide);
  if (detection.count == 0 && detection.sideways) {
    core::throwRejected("image",
                        "the face is turned too far (seen from the side); use a frontal photo");
  }
  if (detection.count == 0) {
    core::throwRejected("image", "no face found in the image; use a clear frontal portrait");
  }
  if (detection.box.width < options.minFaceWidth) {
    core::throwRejected("image", fmt::format("the face is {} px wide; it must be at least {} px",
                                             detection.box.width, options.minFaceWidth));
  }
  FaceAnalysis a;
  a.imageSize = bgr.size();
  a.box = detection.box;
  a.facesFound = detection.count;
  a.landmarks = fitOnGray(gray, detection.box, options);
  a.interOcular = interOcularDistance(a.landmarks);
  a.rollDegrees = eyeLineDegrees(a.landmarks);
  a.yawDegrees = estimateYaw(a.landmarks);
  if (std::abs(a.yawDegrees) > options.maxYawDegrees) {
    core::throwRejected("image",
                        fmt::format("the face is turned too far (yaw about {:.0f} degrees, at most "
                                    "{:.0f}); use a frontal photo",
                                    std::abs(a.yawDegrees), options.maxYawDegrees));
  }
  if (std::abs(a.rollDegrees) > options.maxRollDegrees) {
    core::throwRejected("image",
                        fmt::format("the head is tilted too far (about {:.0f} degrees, at most "
                                    "{:.0f}); use an upright photo",
                                    std::abs(a.rollDegrees), options.maxRollDegrees));
  }
  a.mouthGap = a.interOcular > 0 ? innerLipGap(a.landmarks) / a.interOcular : 0.0f;
  a.mouth = a.mouthGap > 0.04f ? MouthState::Open : MouthState::Closed;
  measureColors(bgr, a);
  core::logger("face")->debug(
      "face {}x{} at ({},{}), {} found, iod {:.1f}px, yaw {:.1f}, roll {:.1f}, gap {:.3f}, teeth "
      "{}",
      a.box.width, a.box.height, a.box.x, a.box.y, a.facesFound, a.interOcular, a.yawDegrees,
      a.rollDegrees, a.mouthGap, a.teethVisible);
  return a;
}

std::vector<cv::Rect> detectFaces(const cv::Mat& bgr, const AnalysisOptions& options) {
  if (bgr.empty()) return {};
  return detectLargestFace(toGray(bgr), options.detectMaxSide).all;
}

Landmarks fitLandmarks(const cv::Mat& bgr, const cv::Rect& box, const AnalysisOptions& options) {
  return fitOnGray(toGray(bgr), box, options);
}

FaceAnalysis scaledTo(const FaceAnalysis& analysis, cv::Size size) {
  FaceAnalysis out = analysis;
  const float sx = static_cast<float>(size.width) / analysis.imageSize.width;
  const float sy = static_cast<float>(size.height) / analysis.imageSize.height;
  for (auto& p : out.landmarks) p = cv::Point2f(p.x * sx, p.y * sy);
  out.box = cv::Rect(cvRound(analysis.box.x * sx), cvRound(analysis.box.y * sy),
                     cvRound(analysis.box.width * sx), cvRound(analysis.box.height * sy));
  out.imageSize = size;
  out.interOcular = interOcularDistance(out.landmarks);
  out.grainSigma = analysis.grainSigma * std::min(1.0f, sx);
  return out;
}

}  // namespace dh::face
