// The motion plan and the whole talking-face frame source on real speech: blinks at a human
// rate, a few degrees of head motion, the prompt's style, and the same video for the same seed.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <numeric>

#include "animate/motion_planner.h"
#include "animate/style.h"
#include "face/face_analysis.h"
#include "media/audio_decoder.h"
#include "media/image_decoder.h"
#include "media/output_size.h"
#include "pipeline/frame_source_factory.h"
#include "speech/loudness_track.h"
#include "support/test_paths.h"

namespace dh {
namespace {

speech::ArticulationTrack trackOf(const std::string& voice, double fps) {
  const media::AudioClip clip = media::decodeAudio(test::readData(voice));
  return speech::loudnessTrack(media::resampleMono(clip, 16000), fps);
}

double peakToPeak(const std::vector<float>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return *hi - *lo;
}

TEST(Style, PromptKeywordsMapToStyles) {
  EXPECT_EQ(animate::styleFromPrompt(""), animate::Style{});
  EXPECT_LT(animate::styleFromPrompt("A calm news anchor").headMotion, 1.0f);
  EXPECT_LT(animate::styleFromPrompt("formal, STABLE delivery").headMotion, 1.0f);
  EXPECT_GT(animate::styleFromPrompt("excited and energetic!").headMotion, 1.0f);
  EXPECT_GT(animate::styleFromPrompt("a warm smile").smile, 0.0f);
  EXPECT_EQ(animate::styleFromPrompt("smiley-face").smile, 0.0f);  // whole words only
  EXPECT_EQ(animate::styleFromPrompt("unstable").headMotion, 1.0f);
}

TEST(MotionPlan, SameSeedSamePlanOtherSeedOtherPlan) {
  const auto track = trackOf("speech/en_m_jfk.wav", 25);
  const auto a = animate::planMotion(track, {}, 7);
  const auto b = animate::planMotion(track, {}, 7);
  const auto c = animate::planMotion(track, {}, 8);
  ASSERT_EQ(a.size(), track.size());
  bool same = true, differs = false;
  for (size_t i = 0; i < a.size(); ++i) {
    same = same && a[i].headRoll == b[i].headRoll && a[i].blink == b[i].blink &&
           a[i].jawOpen == b[i].jawOpen;
    differs = differs || a[i].headRoll != c[i].headRoll || a[i].blink != c[i].blink;
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
}

TEST(MotionPlan, CalmPromptMovesLessThanEnergeticAndSmileLiftsCorners) {
  const auto track = trackOf("speech/en_m_jfk.wav", 25);
  auto rollRange = [&](const std::string& prompt) {
    const auto plan = animate::planMotion(track, animate::styleFromPrompt(prompt), 3);
    std::vector<float> roll;
    for (const auto& p : plan) roll.push_back(p.headRoll);
    return peakToPeak(roll);
  };
  EXPECT_LT(rollRange("news anchor"), 0.6 * rollRange(""));
  EXPECT_GT(rollRange("energetic"), 1.3 * rollRange(""));
  const auto smiling = animate::planMotion(track, animate::styleFromPrompt("smile"), 3);
  EXPECT_GT(smiling[10].smile, 0.3f);
}

TEST(MotionPlan, BlinksHaveHumanTiming) {
  const auto track = trackOf("speech/fr_f_asterisk_demo-congrats.mp3", 100);  // 10 ms frames
  const auto plan = animate::planMotion(track, {}, 11);
  // Each blink: closing (rising) in about 100 ms, reopening in about 150 ms.
  int blinks = 0;
  for (size_t i = 1; i < plan.size(); ++i) {
    if (plan[i - 1].blink < 0.05f && plan[i].blink >= 0.05f) {
      ++blinks;
      size_t peak = i;
      while (peak + 1 < plan.size() && plan[peak + 1].blink >= plan[peak].blink) ++peak;
      size_t end = peak;
      while (end + 1 < plan.size() && plan[end].blink >= 0.05f) ++end;
      EXPECT_NEAR((peak - i) * 10.0, 130.0, 40.0);  // close + hold
      EXPECT_NEAR((end - peak) * 10.0, 150.0, 30.0);
      EXPECT_GT(plan[peak].blink, 0.95f);
    }
  }
  const double minutes = plan.size() / 100.0 / 60.0;
  EXPECT_GE(blinks / minutes, 15.0);
  EXPECT_LE(blinks / minutes, 26.0);
}

// The full frame source as the pipeline builds it, on 29 s of real French speech: the landmark
// detector re-run on every frame (its box following the face) sees 10-35 blinks a minute and
// head roll of a real speaker (standard deviation 1.5-6 degrees; real speakers measure about
// 3-4, see the realism benchmark).
TEST(TalkingFaceSource, ThirtySecondsOfSpeechBlinkAndMoveLikeAPerson) {
  const cv::Mat photo = media::decodeImage(test::readData("faces/01_astronaut_eileen_collins.png"));
  const auto track = trackOf("speech/fr_f_asterisk_demo-congrats.mp3", 25);
  pipeline::RenderOptions options;
  options.seed = 5;
  const cv::Size size = media::outputSizeFor(photo.size(), 720);
  auto source = pipeline::makeFrameSource({photo, track, size, options}, {});
  ASSERT_EQ(source->frameCount(), static_cast<int64_t>(track.size()));

  const face::FaceAnalysis face = face::scaledTo(face::analyzeFace(photo), size);
  cv::Rect box = face.box;
  std::vector<float> opening, roll;
  cv::Point2f start;
  cv::Mat frame(size, CV_8UC3);
  for (int64_t i = 0; i < source->frameCount(); ++i) {
    source->render(i, frame);
    const face::Landmarks lm = face::fitLandmarks(frame, box);
    // The box follows the face: shifted with the eyes' midpoint since the last frame.
    const cv::Point2f mid = (face::eyeCenter(lm, true) + face::eyeCenter(lm, false)) * 0.5f;
    if (i == 0) start = mid;
    box = face.box + cv::Point(cvRound(mid.x - start.x), cvRound(mid.y - start.y));
    opening.push_back(face::eyeOpening(lm));
    roll.push_back(face::eyeLineDegrees(lm));
  }
  // Blinks: dips of the eye opening below 80% of its median lasting at most 0.5 s.
  std::vector<float> sorted = opening;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const float median = sorted[sorted.size() / 2];
  int blinks = 0;
  size_t run = 0;
  for (size_t i = 0; i <= opening.size(); ++i) {
    const bool closed = i < opening.size() && opening[i] < 0.8f * median;
    if (closed) {
      ++run;
    } else {
      if (run > 0 && run <= 12) ++blinks;
      run = 0;
    }
  }
  const double minutes = opening.size() / 25.0 / 60.0;
  std::cout << "blinks " << blinks << " in " << minutes * 60 << " s, roll range "
            << peakToPeak(roll) << " deg\n";
  EXPECT_GE(blinks / minutes, 10.0);
  EXPECT_LE(blinks / minutes, 35.0);
  const double mean = std::accumulate(roll.begin(), roll.end(), 0.0) / roll.size();
  double variance = 0.0;
  for (float r : roll) variance += (r - mean) * (r - mean);
  const double rollStd = std::sqrt(variance / roll.size());
  std::cout << "roll std " << rollStd << " deg\n";
  EXPECT_GE(rollStd, 1.5);
  EXPECT_LE(rollStd, 6.0);
}

// Also: redrawing over an earlier frame gives exactly the frame drawn from scratch.
TEST(TalkingFaceSource, SameSeedRendersTheSameFrames) {
  const cv::Mat photo = media::decodeImage(test::readData("faces/03_faceapi_sample3_crop_c.jpg"));
  const auto track = trackOf("speech/en_m_librivox_0870.wav", 25);
  const cv::Size size = media::outputSizeFor(photo.size(), 720);
  pipeline::RenderOptions options;
  options.seed = 42;
  options.prompt = "energetic";
  auto a = pipeline::makeFrameSource({photo, track, size, options}, {});
  auto b = pipeline::makeFrameSource({photo, track, size, options}, {});
  options.seed = 43;
  auto c = pipeline::makeFrameSource({photo, track, size, options}, {});
  cv::Mat fa(size, CV_8UC3), fc(size, CV_8UC3), previous;
  // `b` draws the way the pipeline does: into three reused buffers, over their earlier frames.
  std::array<cv::Mat, 3> slots;
  // The encoder converts only the region the source says can change: nothing else may.
  const std::optional<cv::Rect> changing = a->changingRegion();
  ASSERT_TRUE(changing.has_value());
  cv::Mat outside(size, CV_8U, cv::Scalar(255));
  outside(*changing).setTo(0);
  double differs = 0;
  for (int64_t i = 0; i < a->frameCount(); ++i) {
    a->render(i, fa);
    cv::Mat& fb = slots[i % slots.size()];
    if (i < static_cast<int64_t>(slots.size())) {
      b->render(i, fb);
    } else {
      b->redraw(i, fb);
    }
    c->render(i, fc);
    ASSERT_EQ(cv::norm(fa, fb, cv::NORM_INF), 0.0) << "frame " << i;
    if (i > 0) {
      ASSERT_EQ(cv::norm(fa, previous, cv::NORM_INF, outside), 0.0) << "frame " << i;
    }
    fa.copyTo(previous);
    differs = std::max(differs, cv::norm(fa, fc, cv::NORM_INF));
  }
  EXPECT_GT(differs, 10.0);
}

}  // namespace
}  // namespace dh
