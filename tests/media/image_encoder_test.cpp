#include "media/image_encoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "media/image_decoder.h"
#include "media/sniff.h"
#include "support/test_paths.h"

namespace dh::media {
namespace {

// A real photo, cropped to odd sides so that 4:2:0 chroma has a half block at the edges.
cv::Mat oddPhoto() {
  const cv::Mat photo = decodeImage(test::readData("faces/02_grace_hopper.jpg"));
  return photo(cv::Rect(0, 0, 511, 599)).clone();
}

double meanAbsoluteDifference(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  const cv::Scalar m = cv::mean(diff);
  return (m[0] + m[1] + m[2]) / 3.0;
}

TEST(ImageEncoder, PngIsLosslessAndDecodesToTheSamePixels) {
  const cv::Mat photo = oddPhoto();
  const std::vector<uint8_t> png = encodePng(photo);
  EXPECT_EQ(sniffContent(png), ContentType::Png);
  const cv::Mat back = decodeImage(png);
  ASSERT_EQ(back.size(), photo.size());
  EXPECT_EQ(cv::norm(back, photo, cv::NORM_INF), 0.0);
}

TEST(ImageEncoder, JpegKeepsTheSizeAndTheLook) {
  const cv::Mat photo = oddPhoto();
  const std::vector<uint8_t> fine = encodeJpeg(photo);
  const std::vector<uint8_t> coarse = encodeJpeg(photo, 20);
  EXPECT_EQ(sniffContent(fine), ContentType::Jpeg);
  const cv::Mat back = decodeImage(fine);
  ASSERT_EQ(back.size(), photo.size());
  // Colours survive (no swapped channels, no range shift): the mean error is a grey level or two.
  EXPECT_LT(meanAbsoluteDifference(back, photo), 2.5);
  const cv::Scalar before = cv::mean(photo), after = cv::mean(back);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(after[c], before[c], 1.5) << "channel " << c;
  // The quantiser scale is honoured: a coarser one gives a smaller, less faithful file.
  EXPECT_LT(coarse.size(), fine.size() / 2);
  EXPECT_GT(meanAbsoluteDifference(decodeImage(coarse), photo),
            meanAbsoluteDifference(back, photo));
}

TEST(ImageEncoder, RefusesWhatItCannotEncode) {
  EXPECT_THROW(encodePng(cv::Mat()), core::Error);
  EXPECT_THROW(encodeJpeg(cv::Mat(400, 400, CV_8UC1, cv::Scalar(0))), core::Error);
  EXPECT_THROW(encodeJpeg(oddPhoto(), 1), core::Error);
  EXPECT_THROW(encodeJpeg(oddPhoto(), 32), core::Error);
}

TEST(ImageEncoder, WritePngNamesAPathItCannotWrite) {
  const cv::Mat photo = oddPhoto();
  try {
    writePng("/nonexistent-directory/plot.png", photo);
    FAIL() << "wrote into a missing directory";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-directory/plot.png"), std::string::npos)
        << e.what();
  }
  const std::string path = ::testing::TempDir() + "image_encoder_test.png";
  writePng(path, photo);
  std::ifstream file(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(cv::norm(decodeImage(bytes), photo, cv::NORM_INF), 0.0);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace dh::media
