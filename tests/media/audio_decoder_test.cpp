#include "media/audio_decoder.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "core/error.h"
#include "core/file_io.h"
#include "support/generated_media.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::media {
namespace {

std::string decodeError(const std::vector<uint8_t>& bytes) {
  try {
    decodeAudio(bytes, "sound_file");
  } catch (const core::Error& e) {
    EXPECT_EQ(e.field(), "sound_file");
    EXPECT_EQ(e.kind(), core::ErrorKind::InvalidInput);
    return e.what();
  }
  return "decoded";
}

double rms(const std::vector<float>& samples) {
  double sum = 0;
  for (float s : samples) sum += static_cast<double>(s) * s;
  return std::sqrt(sum / std::max<size_t>(1, samples.size()));
}

struct AudioCase {
  std::string path;
  double seconds;
  int sampleRate;
  ContentType type;
};

void PrintTo(const AudioCase& c, std::ostream* os) {
  *os << c.path;
}

class SharedVoices : public ::testing::TestWithParam<AudioCase> {};

TEST_P(SharedVoices, DecodeWithTheirDurationFromSamples) {
  AudioLimits anyLength;
  anyLength.minSeconds = 0.0;
  const AudioClip clip = decodeAudio(test::readData(GetParam().path), "sound_file", anyLength);
  EXPECT_NEAR(clip.durationSeconds(), GetParam().seconds, 0.06);
  EXPECT_EQ(clip.sampleRate, GetParam().sampleRate);
  EXPECT_EQ(clip.channels, 1);
  EXPECT_EQ(clip.sourceType, GetParam().type);
  EXPECT_GT(rms(clip.samples), 0.01);  // real speech, not silence

  const auto mono = resampleMono(clip, 16000);
  EXPECT_NEAR(static_cast<double>(mono.size()) / 16000.0, clip.durationSeconds(), 0.01);
  EXPECT_NEAR(rms(mono), rms(clip.samples), rms(clip.samples) * 0.1);
}

INSTANTIATE_TEST_SUITE_P(
    AllSharedVoices, SharedVoices,
    ::testing::Values(
        AudioCase{"speech/en_m_jfk.wav", 11.0, 16000, ContentType::Wav},
        AudioCase{"speech/en_m_librivox_0870.wav", 7.1, 16000, ContentType::Wav},
        AudioCase{"speech/en_f_alsa_Front_Center_short.wav", 1.43, 48000, ContentType::Wav},
        AudioCase{"speech/fr_f_asterisk_demo-congrats.mp3", 29.22, 22050, ContentType::Mp3}));

TEST(AudioDecoder, RefusesTheShortClip) {
  EXPECT_EQ(decodeError(test::readData("speech/en_f_alsa_Front_Center_short.wav")),
            "sound_file lasts 1.43 s; it must last between 2 and 300 s");
}

TEST(AudioDecoder, RefusesA301SecondClip) {
  const auto wav = test::makeToneWav(301.0, 8000);
  ASSERT_LT(wav.size(), 5u * 1024 * 1024);
  EXPECT_EQ(decodeError(wav), "sound_file lasts 301.00 s; it must last between 2 and 300 s");
}

TEST(AudioDecoder, AcceptsExactly300Seconds) {
  EXPECT_NEAR(decodeAudio(test::makeToneWav(300.0, 8000)).durationSeconds(), 300.0, 1e-6);
}

TEST(AudioDecoder, RefusesMoreThanFiveMegabytes) {
  auto bytes = test::readData("speech/en_m_jfk.wav");
  bytes.resize(5 * 1024 * 1024 + 1, 0);
  EXPECT_EQ(decodeError(bytes), "sound_file is 5.00 MB; it must be at most 5.00 MB");
}

TEST(AudioDecoder, RefusesATruncatedMp3) {
  auto bytes = test::readData("speech/fr_f_asterisk_demo-congrats.mp3");
  bytes.resize(bytes.size() / 2);
  const std::string message = decodeError(bytes);
  EXPECT_EQ(message.rfind("sound_file is truncated: its header says 29.2", 0), 0u) << message;
}

// A WAV header may claim any rate; buffers sized from a forged 1.86 GHz took 2 GB and 22 s
// before the rate was checked (found by the audio fuzz target).
TEST(AudioDecoder, RefusesAForgedSampleRateBeforeDecoding) {
  auto wav = test::makeToneWav(3.0, 16000);
  const uint32_t forged = 0x6f003e80;  // bytes 24-27 of the canonical header: the sample rate
  for (int i = 0; i < 4; ++i) wav[24 + i] = static_cast<uint8_t>(forged >> (8 * i));
  EXPECT_EQ(decodeError(wav),
            "sound_file has a sample rate of 1862286976 Hz; it must be between 8000 and 192000 Hz");
}

// Decodes a WAV the audio fuzz target found (fuzz/corpus/audio_input/NAME, SIZE bytes): it is
// refused as unreadable, and the process's peak resident memory grows by less than 100 MB
// meanwhile (each test runs in its own process, so the peak before is this test's own).
void expectUnreadableWithLittleMemory(const std::string& name, size_t size) {
  const auto wav = test::readFuzzInput("audio_input", name);
  ASSERT_EQ(wav.size(), size);
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  EXPECT_EQ(decodeError(wav),
            "sound_file looks like WAV audio but cannot be read: Invalid data found when "
            "processing input");
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 100 * 1024) << "KB";
}

// Chunks that claim more bytes than the file has: skipping one moves past the end. The
// in-memory reader refused such a seek, the demuxer stayed where it was and read the same chunks
// again, and this 183-byte file took 1.6 GB and 1.7 s before it was refused.
TEST(AudioDecoder, RefusesAWavWhoseChunksRunPastItsEnd) {
  expectUnreadableWithLittleMemory("oom-dc65b306f3abbc536aadfa569784c9d924d8eb40", 183);
}

// An INFO list that claims a 1.9 GB tag: FFmpeg's WAV reader allocates a tag's claimed size
// before reading it, so this 272-byte upload cost 1.9 GB (as it does in ffprobe) until FFmpeg's
// single allocations were capped at kMaxFfmpegAllocation.
TEST(AudioDecoder, RefusesAWavWhoseTagClaimsGigabytes) {
  expectUnreadableWithLittleMemory("oom-5de528a865817447fbe14ab03287e8c99dff1712", 272);
}

TEST(AudioDecoder, RefusesAPngRenamedMp3) {
  const std::string dir = test::scratchDir();
  std::filesystem::copy_file(test::dataPath("faces/01_astronaut_eileen_collins.png"),
                             dir + "/voice.mp3");
  EXPECT_EQ(decodeError(core::readFileBytes(dir + "/voice.mp3")),
            "sound_file must be MP3, WAV, M4A or AAC audio; its content is a PNG image");
}

TEST(AudioDecoder, RefusesRandomBytes) {
  std::mt19937 rng(11);
  std::vector<uint8_t> bytes(8192);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  bytes[0] = 0x00;
  EXPECT_EQ(decodeError(bytes),
            "sound_file must be MP3, WAV, M4A or AAC audio; its content is unrecognised data");
}

// M4A and raw AAC made by the ffmpeg program from a real voice.
class EncodedByFfmpeg : public ::testing::TestWithParam<std::string> {};

TEST_P(EncodedByFfmpeg, DecodesByContent) {
  const std::string dir = test::scratchDir();
  // A misleading name: the decoder must look at the bytes.
  const std::string out = dir + "/voice.bin";
  const auto run = test::runProcess({"/usr/bin/ffmpeg", "-v", "error", "-y", "-i",
                                     test::dataPath("speech/en_m_jfk.wav"), "-c:a", "aac", "-b:a",
                                     "64k", "-f", GetParam(), out});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const AudioClip clip = decodeAudio(core::readFileBytes(out));
  EXPECT_NEAR(clip.durationSeconds(), 11.0, 0.1);
  EXPECT_EQ(clip.sourceType, GetParam() == "adts" ? ContentType::Aac : ContentType::Mp4Audio);
  EXPECT_GT(rms(clip.samples), 0.01);
}

INSTANTIATE_TEST_SUITE_P(M4aAndAac, EncodedByFfmpeg, ::testing::Values("ipod", "adts"));

}  // namespace
}  // namespace dh::media
