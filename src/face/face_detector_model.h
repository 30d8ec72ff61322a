#pragma once
// dlib's frontal face detector in dlib's serialised form, written at build time by
// face_detector_export and compiled in from a generated source (see CMakeLists.txt).
#include <cstddef>

namespace dh::face::embedded {

extern const unsigned char kFrontalFaceDetector[];
extern const std::size_t kFrontalFaceDetectorSize;

}  // namespace dh::face::embedded
