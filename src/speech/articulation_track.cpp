#include "speech/articulation_track.h"

#include <algorithm>
#include <cmath>

namespace dh::speech {

int64_t frameCountFor(double seconds, double fps) {
  return std::max<int64_t>(1, std::llround(seconds * fps));
}

}  // namespace dh::speech
