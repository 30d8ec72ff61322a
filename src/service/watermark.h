#pragma once
// The watermarked copy: the portrait with a translucent label in its lower right corner, rendered
// again with the same seed. The corner lies outside the animated head region, so the label stays
// still and sharp while the face moves exactly as in the clean video.
#include <cstdint>
#include <string>
#include <vector>

namespace dh::service {

// JPEG bytes of `image` (JPEG/PNG bytes) with `label` drawn in the lower right corner.
std::vector<uint8_t> watermarkImage(const std::vector<uint8_t>& image, const std::string& label);

}  // namespace dh::service
