#include "face/face_detector.h"

#include <fmt/format.h>

#include <sstream>
#include <string>

#include "core/error.h"
#include "face/face_detector_model.h"

namespace dh::face {
namespace {

dlib::frontal_face_detector decodeEmbedded() {
  std::istringstream in(std::string(reinterpret_cast<const char*>(embedded::kFrontalFaceDetector),
                                    embedded::kFrontalFaceDetectorSize));
  dlib::frontal_face_detector detector;
  try {
    dlib::deserialize(detector, in);
  } catch (const std::exception& e) {
    throw core::Error(core::ErrorKind::Internal,
                      fmt::format("cannot decode the built-in face detector: {}", e.what()));
  }
  return detector;
}

}  // namespace

dlib::frontal_face_detector frontalFaceDetector() {
  // Built once, on first use; a magic static is initialised under a lock, and copying from a
  // const detector only reads it.
  static const dlib::frontal_face_detector prototype = decodeEmbedded();
  return prototype;
}

}  // namespace dh::face
