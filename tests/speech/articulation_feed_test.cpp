// The articulation track delivered while the voice is still being recognised: every pose is the
// one the whole-voice analysis gives, the early frames are final before the last piece is done,
// and failures and "no speech" reach the caller.
#include "speech/articulation_feed.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "media/audio_decoder.h"
#include "speech/tts.h"
#include "speech_test_support.h"

namespace dh::speech {
namespace {

constexpr double kFps = 25.0;

void expectSamePose(const MouthPose& a, const MouthPose& b, size_t frame) {
  EXPECT_EQ(a.jawOpen, b.jawOpen) << "frame " << frame;
  EXPECT_EQ(a.lipSpread, b.lipSpread) << "frame " << frame;
  EXPECT_EQ(a.lipRound, b.lipRound) << "frame " << frame;
  EXPECT_EQ(a.lipPress, b.lipPress) << "frame " << frame;
  EXPECT_EQ(a.lipTuck, b.lipTuck) << "frame " << frame;
  EXPECT_EQ(a.tongueShow, b.tongueShow) << "frame " << frame;
}

class ArticulationFeedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    voice_ = new std::vector<float>(test::minuteOfSpeech());
    whole_ = new SpeechAnalysis(analyzeSpeech(*voice_, kFps));
  }
  static void TearDownTestSuite() {
    delete voice_;
    delete whole_;
  }
  static std::vector<float>* voice_;
  static SpeechAnalysis* whole_;
};
std::vector<float>* ArticulationFeedTest::voice_ = nullptr;
SpeechAnalysis* ArticulationFeedTest::whole_ = nullptr;

TEST_F(ArticulationFeedTest, EveryPoseMatchesTheWholeAnalysis) {
  ArticulationFeed feed(*voice_, kFps, {});
  const ArticulationTrack& expected = whole_->track;
  ASSERT_EQ(feed.frameCount(), expected.size());
  EXPECT_EQ(feed.cues().loudness, expected.loudness);
  EXPECT_EQ(feed.cues().voiced, expected.voiced);
  EXPECT_EQ(feed.cues().stressed, expected.stressed);
  for (size_t k = 0; k < feed.frameCount(); ++k)
    expectSamePose(feed.pose(k), expected.frames[k], k);

  // The minute is recognised in four pieces: the poses became final in steps, the first well
  // before the end.
  const std::vector<size_t> steps = feed.publications();
  ASSERT_GE(steps.size(), 2u);
  EXPECT_LT(steps.front(), feed.frameCount() / 2);
  EXPECT_GT(steps.front(), kFps * 5);
  EXPECT_TRUE(std::is_sorted(steps.begin(), steps.end()));
  EXPECT_EQ(steps.back(), feed.frameCount());
}

TEST_F(ArticulationFeedTest, CutsInsideWordsStillGiveTheWholeAnalysis) {
  // Cuts forced to the even divisions, wherever they fall: phones after a cut shape the frames
  // just before it, and those frames must wait for the next piece.
  SpeechAnalysisConfig blunt;
  blunt.recognizer.split.searchSeconds = 0.0;
  blunt.recognizer.split.pieceSeconds = 7.0;
  const std::vector<float> halfMinute(voice_->begin(), voice_->begin() + voice_->size() / 2);
  const SpeechAnalysis whole = analyzeSpeech(halfMinute, kFps, {}, "sound_file", blunt);
  ArticulationFeed feed(halfMinute, kFps, {}, "sound_file", blunt);
  for (size_t k = 0; k < feed.frameCount(); ++k)
    expectSamePose(feed.pose(k), whole.track.frames[k], k);
  EXPECT_GE(feed.publications().size(), 2u);
}

TEST_F(ArticulationFeedTest, AskingForTheLastFrameFirstWaitsForIt) {
  SpeechAnalysisConfig oneThread;
  oneThread.recognizer.threads = 1;
  ArticulationFeed feed(*voice_, kFps, {}, "sound_file", oneThread);
  const size_t last = feed.frameCount() - 1;
  expectSamePose(feed.pose(last), whole_->track.frames[last], last);
  EXPECT_EQ(feed.finalFrames(), feed.frameCount());
  expectSamePose(feed.pose(0), whole_->track.frames[0], 0);
}

// The render's setting: one recognition thread. While the first frame waits for the first piece,
// a helper recognises the last pieces on the core the waiting leaves free; the poses stay those
// of the whole analysis.
TEST_F(ArticulationFeedTest, AHelperRecognisesTheEndWhileTheStartIsAwaited) {
  SpeechAnalysisConfig oneThread;
  oneThread.recognizer.threads = 1;
  ArticulationFeed feed(*voice_, kFps, {}, "sound_file", oneThread);
  // Recognising the first piece takes hundreds of milliseconds: it is not final yet.
  expectSamePose(feed.pose(0), whole_->track.frames[0], 0);
  for (size_t k = 0; k < feed.frameCount(); ++k)
    expectSamePose(feed.pose(k), whole_->track.frames[k], k);
  EXPECT_GE(feed.helpedPieces(), 1u);
  EXPECT_EQ(feed.publications().back(), feed.frameCount());
}

TEST(ArticulationFeed, GivenPhonesAreFinalAtOnce) {
  const SpeechAudio speech =
      synthesize("Bob put the big map back, but Pam kept the umbrella.", "en_us_male", "", 1.0);
  const std::vector<float> mono =
      media::resampleMono(media::decodeAudio(encodeWav(speech)), kAnalysisSampleRate);
  ArticulationFeed feed(mono, kFps, speech.phones);
  EXPECT_EQ(feed.finalFrames(), feed.frameCount());
  const SpeechAnalysis whole = analyzeSpeech(mono, kFps, speech.phones);
  for (size_t k = 0; k < feed.frameCount(); ++k)
    expectSamePose(feed.pose(k), whole.track.frames[k], k);
}

TEST(ArticulationFeed, SilenceIsRejectedNamingTheField) {
  try {
    ArticulationFeed feed(test::silence16k(3.0), kFps, {}, "audio_id");
    FAIL() << "silence accepted";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::ContentRejected);
    EXPECT_EQ(e.field(), "audio_id");
    EXPECT_STREQ(e.what(), "no speech found in the audio");
  }
}

TEST(ArticulationFeed, ARecognitionFailureReachesTheWaitingFrame) {
  SpeechAnalysisConfig broken;
  broken.recognizer.modelDir = "/nonexistent/model";
  ArticulationFeed feed(test::monoClip("speech/en_m_jfk.wav"), kFps, {}, "sound_file", broken);
  try {
    feed.pose(0);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("PocketSphinx model missing"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dh::speech
