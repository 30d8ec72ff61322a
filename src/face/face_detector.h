#pragma once
// dlib's frontal face detector, decoded once per process.
#include <dlib/image_processing/frontal_face_detector.h>

namespace dh::face {

// A copy of the process-wide frontal face detector, ready to use. The prototype is deserialised on
// first use from bytes embedded at build time: a few milliseconds, where
// dlib::get_frontal_face_detector() spends about a quarter of a CPU-second decoding its compressed
// model on every call. dlib's object_detector::operator() is not const (it keeps scratch state), so
// every caller gets its own copy (tens of microseconds); copying the prototype is thread-safe.
dlib::frontal_face_detector frontalFaceDetector();

}  // namespace dh::face
