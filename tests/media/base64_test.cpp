#include "media/base64.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "media/image_decoder.h"
#include "support/test_paths.h"

namespace dh::media {
namespace {

std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Base64, RoundTripsARealImageWithAndWithoutDataPrefix) {
  const auto bytes = test::readData("faces/02_grace_hopper.jpg");
  const std::string text = encodeBase64(bytes);
  EXPECT_EQ(decodeBase64(text, "image"), bytes);
  EXPECT_EQ(decodeBase64("data:image/jpeg;base64," + text, "image"), bytes);
  // Line breaks every 76 characters, as MIME encoders write them.
  std::string wrapped;
  for (size_t i = 0; i < text.size(); i += 76) wrapped += text.substr(i, 76) + "\r\n";
  EXPECT_EQ(decodeBase64(wrapped, "image"), bytes);
  const cv::Mat image = decodeImage(decodeBase64(text, "image"));
  EXPECT_EQ(image.cols, 512);
  EXPECT_EQ(image.rows, 600);
}

TEST(Base64, InvalidInputNamesTheFieldAndRule) {
  EXPECT_EQ(messageOf([] { decodeBase64("abc$def=", "image"); }),
            "image is not valid Base64: it contains characters outside A-Z a-z 0-9 + / = or "
            "misplaced padding");
  EXPECT_EQ(messageOf([] { decodeBase64("abcde", "sound_file"); }),
            "sound_file is not valid Base64: length 5 is not a multiple of 4");
  EXPECT_EQ(messageOf([] { decodeBase64("", "image"); }), "image is empty");
  EXPECT_EQ(messageOf([] { decodeBase64("data:image/png,abcd", "image"); }),
            "image is a data: URL without \";base64,\"; only Base64 data URLs are accepted");
  try {
    decodeBase64("!!!!", "image");
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::InvalidInput);
    EXPECT_EQ(e.field(), "image");
  }
}

TEST(Base64, RecognisesUrls) {
  EXPECT_TRUE(looksLikeUrl("https://example.com/a.png"));
  EXPECT_TRUE(looksLikeUrl("HTTP://example.com/a.png"));
  EXPECT_FALSE(looksLikeUrl("ftp://example.com/a.png"));
  EXPECT_FALSE(looksLikeUrl("iVBORw0KGgo="));
}

}  // namespace
}  // namespace dh::media
