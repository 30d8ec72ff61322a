#include "support/generated_media.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>

#include "support/test_paths.h"

namespace dh::test {
namespace {

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void putTag(std::vector<uint8_t>& out, const char* tag) {
  for (const char* c = tag; *c; ++c) out.push_back(static_cast<uint8_t>(*c));
}
void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

}  // namespace

std::vector<uint8_t> makeToneWav(double seconds, int sampleRate) {
  const auto count = static_cast<uint32_t>(seconds * sampleRate);
  std::vector<uint8_t> out;
  out.reserve(44 + count);
  putTag(out, "RIFF");
  put32(out, 36 + count);
  putTag(out, "WAVEfmt ");
  put32(out, 16);
  put16(out, 1);  // PCM
  put16(out, 1);  // mono
  put32(out, static_cast<uint32_t>(sampleRate));
  put32(out, static_cast<uint32_t>(sampleRate));  // bytes per second
  put16(out, 1);                                  // block align
  put16(out, 8);                                  // bits per sample
  putTag(out, "data");
  put32(out, count);
  for (uint32_t i = 0; i < count; ++i) {
    out.push_back(static_cast<uint8_t>(128 + 40 * std::sin(2 * M_PI * 220.0 * i / sampleRate)));
  }
  return out;
}

std::vector<uint8_t> makeResizedFacePng(int width, int height) {
  cv::Mat face = cv::imread(dataPath("faces/02_grace_hopper.jpg"));
  cv::Mat resized;
  cv::resize(face, resized, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  std::vector<uint8_t> png;
  cv::imencode(".png", resized, png);
  return png;
}

}  // namespace dh::test
