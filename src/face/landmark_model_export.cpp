// Build-time tool: writes the fast-loading cache of dlib's landmark model
// (see landmark_model_cache.h). Usage: landmark_model_export MODEL.dat CACHE
// When the model cannot be cached exactly it says so and writes an empty cache, which the
// library ignores (it then reads the model itself).
#include <exception>
#include <fstream>
#include <iostream>

#include "face/landmark_model_cache.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: landmark_model_export MODEL.dat CACHE\n";
    return 2;
  }
  try {
    if (dh::face::writeLandmarkCache(argv[1], argv[2])) return 0;
    std::cerr << "landmark_model_export: " << argv[1]
              << " cannot be rebuilt exactly from a cache; none written\n";
  } catch (const std::exception& e) {
    std::cerr << "landmark_model_export: " << argv[1] << ": " << e.what() << "; no cache written\n";
  }
  std::ofstream(argv[2], std::ios::trunc);
  return 0;
}
