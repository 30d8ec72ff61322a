#include "media/bgr_to_yuv.h"

#include <opencv2/imgproc.hpp>

#include "core/error.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace dh::media {
namespace {

// Rows Y, Cb, Cr; columns B, G, R and the offset. BT.709: Kr 0.2126, Kb 0.0722; limited range:
// luma 16..235, chroma 16..240.
cv::Matx34f bt709Matrix() {
  constexpr double kr = 0.2126, kb = 0.0722, kg = 1.0 - kr - kb;
  constexpr double luma = 219.0 / 255.0, chroma = 224.0 / 255.0;
  return cv::Matx34f(
      static_cast<float>(luma * kb), static_cast<float>(luma * kg), static_cast<float>(luma * kr),
      16.0f,  //
      static_cast<float>(chroma * 0.5), static_cast<float>(-chroma * 0.5 * kg / (1.0 - kb)),
      static_cast<float>(-chroma * 0.5 * kr / (1.0 - kb)), 128.0f,  //
      static_cast<float>(-chroma * 0.5 * kb / (1.0 - kr)),
      static_cast<float>(-chroma * 0.5 * kg / (1.0 - kr)), static_cast<float>(chroma * 0.5),
      128.0f);
}

}  // namespace

void Bt709Converter::convert(const cv::Mat& bgr, const cv::Rect& area, AVFrame& yuv) {
  if (bgr.type() != CV_8UC3 || area.x % 2 || area.y % 2 || area.width % 2 || area.height % 2 ||
      (area & cv::Rect(0, 0, bgr.cols, bgr.rows)) != area) {
    throw core::Error(core::ErrorKind::Internal, "BGR to YUV: bad picture or area");
  }
  if (area.empty()) return;
  static const cv::Matx34f matrix = bt709Matrix();
  cv::transform(bgr(area), ycc_, matrix);
  cv::Mat luma(area.height, area.width, CV_8U, yuv.data[0] + area.y * yuv.linesize[0] + area.x,
               yuv.linesize[0]);
  const cv::Size half(area.width / 2, area.height / 2);
  cb_.create(area.size(), CV_8U);
  cr_.create(area.size(), CV_8U);
  // cv::split writes into `luma` in place (same size and type) and is about six times as fast
  // as cv::mixChannels for this (0.035 against 0.2 ms on a 480x622 region).
  cv::Mat out[] = {luma, cb_, cr_};
  cv::split(ycc_, out);
  if (out[0].data != luma.data) {
    throw core::Error(core::ErrorKind::Internal, "BGR to YUV: luma not written in place");
  }
  cv::Mat u(half, CV_8U, yuv.data[1] + area.y / 2 * yuv.linesize[1] + area.x / 2, yuv.linesize[1]);
  cv::Mat v(half, CV_8U, yuv.data[2] + area.y / 2 * yuv.linesize[2] + area.x / 2, yuv.linesize[2]);
  cv::resize(cb_, u, half, 0, 0, cv::INTER_AREA);
  cv::resize(cr_, v, half, 0, 0, cv::INTER_AREA);
}

}  // namespace dh::media
