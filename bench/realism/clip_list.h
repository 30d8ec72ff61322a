#pragma once
// The realism benchmark's clip list: one clip per line, tab-separated: name, real video, our
// render ("-" when it was refused), the clip's sound as WAV, and a note (the refusal's message).
#include <string>
#include <vector>

namespace dh::bench {

struct Clip {
  std::string name, real, ours, voice, note;
};

std::vector<Clip> readClipList(const std::string& path);

}  // namespace dh::bench
