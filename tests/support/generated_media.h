#pragma once
// Inputs that break a rule, generated at run time from real files.
#include <cstdint>
#include <string>
#include <vector>

namespace dh::test {

// A mono 8-bit PCM WAV of `seconds` of a quiet tone at `sampleRate`.
std::vector<uint8_t> makeToneWav(double seconds, int sampleRate);

// A real face resized to width x height and encoded as PNG.
std::vector<uint8_t> makeResizedFacePng(int width, int height);

}  // namespace dh::test
