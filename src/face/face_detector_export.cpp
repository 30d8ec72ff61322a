// Build-time tool: writes dlib's frontal face detector in dlib's serialised form to the file named
// by its argument. get_frontal_face_detector() decodes an embedded, compressed model on every call
// (about a quarter of a CPU-second); the face library embeds this file instead and deserialises
// it in a few milliseconds.
#include <dlib/image_processing/frontal_face_detector.h>

#include <exception>
#include <fstream>
#include <iostream>
#include <stdexcept>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: face_detector_export <output file>\n";
    return 2;
  }
  try {
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    dlib::serialize(dlib::get_frontal_face_detector(), out);
    out.close();
    if (!out) throw std::runtime_error("write failed");
  } catch (const std::exception& e) {
    std::cerr << "face_detector_export: cannot write " << argv[1] << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
