// The raw cache of dlib's landmark model rebuilds exactly the predictor dlib reads from the model
// file (same serialised bytes, so the same landmarks), and a cache that does not match the model
// or is damaged is refused rather than trusted.
#include "face/landmark_model_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_paths.h"

namespace dh::face {
namespace {

const std::string kModel = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

std::string serialised(const dlib::shape_predictor& predictor) {
  std::ostringstream out;
  dlib::serialize(predictor, out);
  return out.str();
}

std::vector<char> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeAll(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class LandmarkCache : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cache_ = new std::string(test::scratchDir() + "/landmarks.raw");
    ASSERT_TRUE(writeLandmarkCache(kModel, *cache_));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove(*cache_);
    delete cache_;
  }
  static uint64_t modelBytes() { return std::filesystem::file_size(kModel); }
  static std::string* cache_;
};
std::string* LandmarkCache::cache_ = nullptr;

TEST_F(LandmarkCache, RebuildsExactlyThePredictorDlibReads) {
  const auto cached = readLandmarkCache(*cache_, modelBytes());
  ASSERT_NE(cached, nullptr);
  dlib::shape_predictor original;
  dlib::deserialize(kModel) >> original;
  EXPECT_EQ(cached->num_parts(), 68u);
  EXPECT_TRUE(serialised(*cached) == serialised(original));
}

TEST_F(LandmarkCache, RefusesAnotherModelsOrADamagedCache) {
  EXPECT_EQ(readLandmarkCache(*cache_, modelBytes() + 1), nullptr);  // made from another file
  EXPECT_EQ(readLandmarkCache(test::scratchDir() + "/missing.raw", modelBytes()), nullptr);

  const std::vector<char> good = readAll(*cache_);
  const std::string damaged = test::scratchDir() + "/damaged.raw";
  writeAll(damaged, {});
  EXPECT_EQ(readLandmarkCache(damaged, modelBytes()), nullptr);  // empty: the tool's "no cache"
  writeAll(damaged, std::vector<char>(good.begin(), good.begin() + good.size() / 2));
  EXPECT_EQ(readLandmarkCache(damaged, modelBytes()), nullptr);  // truncated
  std::vector<char> longer = good;
  longer.push_back('x');
  writeAll(damaged, longer);
  EXPECT_EQ(readLandmarkCache(damaged, modelBytes()), nullptr);  // trailing bytes
  std::vector<char> wrongMagic = good;
  wrongMagic[0] = 'X';
  writeAll(damaged, wrongMagic);
  EXPECT_EQ(readLandmarkCache(damaged, modelBytes()), nullptr);
  std::filesystem::remove(damaged);
}

}  // namespace
}  // namespace dh::face
