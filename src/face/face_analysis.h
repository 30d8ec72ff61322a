#pragma once
// Face analysis of a portrait: the largest frontal face, its 68 landmarks (iBUG 300-W order),
// the source mouth state and the skin, lip and teeth colours. Runs once per render.
#include <opencv2/core.hpp>

#include <array>
#include <string>
#include <vector>

namespace dh::face {

constexpr int kLandmarkCount = 68;
using Landmarks = std::array<cv::Point2f, kLandmarkCount>;

struct AnalysisOptions {
  int detectMaxSide = 800;  // px: the detector runs on a copy no larger than this
  int minFaceWidth = 80;    // px of the detector box (about brow to chin) in the photo
  // More turned than this cannot be animated convincingly. Faces turned about 45 degrees animate
  // well; the estimate (from where the nose sits between the cheeks) is coarse, about ±10.
  double maxYawDegrees = 55.0;
  double maxRollDegrees = 35.0;  // head tilt in the image plane
  std::string predictorPath;     // empty: the Debian libdlib-data file (or DH_SHAPE_PREDICTOR)
};

enum class MouthState { Closed, Open };

struct FaceAnalysis {
  cv::Size imageSize;        // size of the analysed image
  cv::Rect box;              // detector box in image pixels
  Landmarks landmarks;       // 68 points in image pixels
  int facesFound = 0;        // how many faces the detector saw (the largest is used)
  float interOcular = 0.0f;  // px between the eye centres
  float yawDegrees = 0.0f;   // estimated turn left/right, signed
  float rollDegrees = 0.0f;  // tilt of the eye line, signed
  MouthState mouth = MouthState::Closed;
  float mouthGap = 0.0f;  // inner-lip gap at the centre / interOcular
  bool teethVisible = false;
  cv::Vec3f skinColor;  // BGR, 0..255
  cv::Vec3f lipColor;
  cv::Vec3f teethColor;     // measured when teeth show, else derived from the skin's light
  float grainSigma = 0.0f;  // std-dev of fine grain on the skin, 0..255 units
};

// Analyses a BGR photo. Throws core::Error(ContentRejected, field "image") when no face is
// found, the face is too small or it is turned too far.
FaceAnalysis analyzeFace(const cv::Mat& bgr, const AnalysisOptions& options = {});

// Every frontal face the detector finds (boxes in image pixels, largest first).
std::vector<cv::Rect> detectFaces(const cv::Mat& bgr, const AnalysisOptions& options = {});

// The 68 landmarks inside a known face box (no detection): used to track rendered frames.
Landmarks fitLandmarks(const cv::Mat& bgr, const cv::Rect& box,
                       const AnalysisOptions& options = {});

// The same analysis expressed in another image size (landmarks and box scaled).
FaceAnalysis scaledTo(const FaceAnalysis& analysis, cv::Size size);

// Geometry helpers shared by the animator, the renderer and the tests.
cv::Point2f eyeCenter(const Landmarks& points, bool left);  // left = subject's right eye 36..41
float interOcularDistance(const Landmarks& points);
float innerLipGap(const Landmarks& points);     // mean gap 61-67, 62-66, 63-65 in px
float eyeOpening(const Landmarks& points);      // mean eye aspect ratio of both eyes
float eyeLineDegrees(const Landmarks& points);  // roll of the line between the eye centres

}  // namespace dh::face
