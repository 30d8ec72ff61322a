#include "media/image_decoder.h"

#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "support/generated_media.h"
#include "support/test_paths.h"

namespace dh::media {
namespace {

std::string decodeError(const std::vector<uint8_t>& bytes) {
  try {
    decodeImage(bytes, "image");
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "image");
    EXPECT_EQ(e.kind(), core::ErrorKind::InvalidInput);
    return e.what();
  }
  return "decoded";
}

struct ImageCase {
  std::string path;
  int width;
  int height;
};

void PrintTo(const ImageCase& c, std::ostream* os) {
  *os << c.path;
}

class SharedImages : public ::testing::TestWithParam<ImageCase> {};

TEST_P(SharedImages, DecodeToTheirRealSize) {
  const cv::Mat image = decodeImage(test::readData(GetParam().path));
  EXPECT_EQ(image.cols, GetParam().width);
  EXPECT_EQ(image.rows, GetParam().height);
  EXPECT_EQ(image.type(), CV_8UC3);
  // Real pictures, not a blank buffer: the pixel values vary.
  cv::Scalar mean, stddev;
  cv::meanStdDev(image, mean, stddev);
  EXPECT_GT(stddev[0], 20.0);
}

INSTANTIATE_TEST_SUITE_P(
    AllSharedImages, SharedImages,
    ::testing::Values(ImageCase{"faces/01_astronaut_eileen_collins.png", 512, 512},
                      ImageCase{"faces/02_grace_hopper.jpg", 512, 600},
                      ImageCase{"faces/03_faceapi_sample3_crop_c.jpg", 552, 552},
                      ImageCase{"negatives/multiface_faceapi_sample3.jpg", 1920, 1350},
                      ImageCase{"negatives/noface_cat_chelsea.png", 451, 300},
                      ImageCase{"negatives/profile_cameraman.png", 512, 512}));

TEST(ImageDecoder, FormatComesFromContentNotName) {
  // The same JPEG bytes decode whatever they are called; a PNG is a PNG.
  const auto png = test::readData("faces/01_astronaut_eileen_collins.png");
  EXPECT_EQ(decodeImage(png).cols, 512);
}

TEST(ImageDecoder, RefusesAnElevenMegabyteImage) {
  auto bytes = test::readData("faces/02_grace_hopper.jpg");
  bytes.resize(11 * 1024 * 1024, 0);  // trailing bytes after the JPEG's end marker
  EXPECT_EQ(decodeError(bytes), "image is 11.00 MB; it must be at most 10.00 MB");
}

TEST(ImageDecoder, RefusesASideUnder300Pixels) {
  EXPECT_EQ(decodeError(test::makeResizedFacePng(250, 400)),
            "image is 250x400 px; both sides must be at least 300 px");
}

TEST(ImageDecoder, RefusesAThreeToOneImage) {
  EXPECT_EQ(decodeError(test::makeResizedFacePng(900, 300)),
            "image is 900x300 px (aspect ratio 3.00:1); the aspect ratio must be between 1:2.5 "
            "and 2.5:1");
}

TEST(ImageDecoder, AcceptsTheExtremeAllowedAspect) {
  EXPECT_EQ(decodeImage(test::makeResizedFacePng(750, 300)).cols, 750);
}

TEST(ImageDecoder, RefusesRandomBytes) {
  std::mt19937 rng(7);
  std::vector<uint8_t> bytes(4096);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  bytes[0] = 0x12;  // not a JPEG/PNG/audio magic by construction
  EXPECT_EQ(decodeError(bytes),
            "image must be a JPEG or PNG image; its content is unrecognised data");
}

TEST(ImageDecoder, RefusesAudioPassedAsImage) {
  EXPECT_EQ(decodeError(test::readData("speech/en_m_jfk.wav")),
            "image must be a JPEG or PNG image; its content is WAV audio");
}

TEST(ImageDecoder, RefusesATruncatedPng) {
  auto bytes = test::readData("faces/01_astronaut_eileen_collins.png");
  bytes.resize(200);
  const std::string message = decodeError(bytes);
  EXPECT_EQ(message.rfind("image could not be decoded as a PNG image: ", 0), 0u) << message;
}

}  // namespace
}  // namespace dh::media
