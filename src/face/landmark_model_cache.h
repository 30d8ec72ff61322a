#pragma once
// A faster-to-read copy of dlib's 68-point landmark model. dlib stores every number in a portable
// variable-length form that takes about half a CPU-second to decode; the cache holds the same
// numbers as raw little-endian values (about 68 MB) and loads in about a tenth of that. It is
// written at build time from the installed model and rebuilt into an identical predictor.
#include <dlib/image_processing/shape_predictor.h>

#include <cstdint>
#include <memory>
#include <string>

namespace dh::face {

// Reads `modelPath` with dlib and writes the cache to `cachePath`. Returns false, writing
// nothing, when the model cannot be rebuilt exactly from the cache's contents.
bool writeLandmarkCache(const std::string& modelPath, const std::string& cachePath);

// The predictor from a cache written for a model file of `modelBytes` bytes; null when the cache
// is missing, was made from another model, or is damaged.
std::unique_ptr<dlib::shape_predictor> readLandmarkCache(const std::string& cachePath,
                                                         uint64_t modelBytes);

}  // namespace dh::face
