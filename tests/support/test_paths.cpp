#include "support/test_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/file_io.h"

namespace dh::test {

std::string dataPath(const std::string& relative) {
  return std::string(DH_TEST_DATA_DIR) + "/" + relative;
}

std::vector<uint8_t> readData(const std::string& relative) {
  return core::readFileBytes(dataPath(relative));
}

std::vector<uint8_t> readFuzzInput(const std::string& target, const std::string& name) {
  return core::readFileBytes(std::string(DH_FUZZ_CORPUS_DIR) + "/" + target + "/" + name);
}

std::string dhBinary() {
  return DH_BINARY_PATH;
}

std::string scratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "dh";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  auto dir =
      std::filesystem::temp_directory_path() / ("dh-test-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

const std::vector<std::string>& sharedFaces() {
  static const std::vector<std::string> faces = {"faces/01_astronaut_eileen_collins.png",
                                                 "faces/02_grace_hopper.jpg",
                                                 "faces/03_faceapi_sample3_crop_c.jpg"};
  return faces;
}

const std::vector<std::string>& validVoices() {
  static const std::vector<std::string> voices = {"speech/en_m_jfk.wav",
                                                  "speech/en_m_librivox_0870.wav",
                                                  "speech/fr_f_asterisk_demo-congrats.mp3"};
  return voices;
}

}  // namespace dh::test
