#include "service/watermark.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "core/error.h"
#include "media/image_decoder.h"
#include "media/image_encoder.h"

namespace dh::service {

std::vector<uint8_t> watermarkImage(const std::vector<uint8_t>& image, const std::string& label) {
  cv::Mat photo = media::decodeImage(image, "image");
  const int shortSide = std::min(photo.cols, photo.rows);
  const double scale = shortSide / 600.0;
  const int thickness = std::max(1, static_cast<int>(2 * scale));
  int baseline = 0;
  const cv::Size text =
      cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  const int margin = std::max(4, shortSide / 40);
  const cv::Rect box(photo.cols - text.width - 3 * margin, photo.rows - text.height - 3 * margin,
                     text.width + 2 * margin, text.height + 2 * margin);
  cv::Mat region = photo(box & cv::Rect(0, 0, photo.cols, photo.rows));
  cv::Mat dark(region.size(), region.type(), cv::Scalar(0, 0, 0));
  cv::addWeighted(region, 0.55, dark, 0.45, 0.0, region);
  cv::putText(photo, label, cv::Point(box.x + margin, box.y + margin + text.height),
              cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
  return media::encodeJpeg(photo);
}

}  // namespace dh::service
