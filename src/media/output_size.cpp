#include "media/output_size.h"

#include <cmath>

#include "core/error.h"

namespace dh::media {

cv::Size outputSizeFor(cv::Size source, int shortSide) {
  if (source.width <= 0 || source.height <= 0 || shortSide <= 0) {
    throw core::Error(core::ErrorKind::Internal, "output size requested for an empty image");
  }
  auto even = [](double v) { return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2); };
  const int evenShort = even(shortSide);
  if (source.width <= source.height) {
    return {evenShort, even(static_cast<double>(shortSide) * source.height / source.width)};
  }
  return {even(static_cast<double>(shortSide) * source.width / source.height), evenShort};
}

}  // namespace dh::media
