// The prompt's camera and gestures, seen in `dh render`'s output: landmarks re-detected in the
// frames (and, for the handheld shake, the background's own shift). Short synthesised voices
// keep the renders quick; the same seed gives the same head motion, so a render with and without
// a word differ only by what the word does.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>

#include "animate/camera.h"
#include "animate/gestures.h"
#include "animate/intonation.h"
#include "animate/motion_planner.h"
#include "animate/style.h"
#include "rendered_video.h"
#include "speech/tts.h"
#include "support/test_paths.h"

namespace dh {
namespace {

using test::interOcular;
using test::meanOf;

const std::string kText = "Good morning. Today we look at the plan for the week ahead.";

cv::Point2f eyesMiddle(const face::Landmarks& lm) {
  return (meanOf(lm, {36, 37, 38, 39, 40, 41}) + meanOf(lm, {42, 43, 44, 45, 46, 47})) * 0.5f;
}

TEST(CameraPath, EveryMoveStaysInsideThePicture) {
  const cv::Size frame(720, 960);
  for (const char* prompt : {"pan left", "pan right", "handheld", "very shaky camera, push in",
                             "pull back, handheld", "slow zoom in", "handheld, pan left"}) {
    const animate::CameraPath path(animate::styleFromPrompt(prompt), frame, {300, 250}, 300, 25, 7);
    ASSERT_TRUE(path.moves()) << prompt;
    for (size_t i = 0; i < 300; ++i)
      ASSERT_TRUE(animate::staysInside(path.at(i), frame)) << prompt << " frame " << i;
  }
  EXPECT_FALSE(animate::CameraPath(animate::styleFromPrompt("stable camera, close-up"), frame,
                                   {300, 250}, 10, 25, 7)
                   .moves());
}

TEST(CameraPath, FramingClosesInWithinThePhotoAndTheQualityLimit) {
  const cv::Mat photo = cv::imread(test::dataPath("faces/01_astronaut_eileen_collins.png"));
  const face::FaceAnalysis small = face::analyzeFace(photo);
  const cv::Size output(720, 720);
  // The 512-pixel photo, already enlarged to 720: a close-up closes in by 1.15 only.
  const cv::Rect tight =
      animate::framingCrop(animate::Framing::CloseUp, photo.size(), small.landmarks, output);
  EXPECT_NEAR(512.0 / tight.width, 1.15, 0.01);
  EXPECT_EQ(animate::framingCrop(animate::Framing::Medium, photo.size(), small.landmarks, output),
            cv::Rect(0, 0, 512, 512));
  // The same photo at 2048 pixels: the close-up brings the face to 42% of the frame's height,
  // inside the photo, its pixels enlarged at most 1.25 times.
  const cv::Size large(2048, 2048);
  const face::FaceAnalysis big = face::scaledTo(small, large);
  const cv::Rect crop =
      animate::framingCrop(animate::Framing::CloseUp, large, big.landmarks, output);
  const double faceHeight = big.landmarks[8].y - 0.5 * (big.landmarks[19].y + big.landmarks[24].y);
  std::cout << "close-up of a 2048-pixel photo: crop " << crop << ", face "
            << faceHeight / crop.height << " of the height, magnification " << 720.0 / crop.height
            << "\n";
  EXPECT_EQ(crop & cv::Rect(cv::Point(0, 0), large), crop);
  EXPECT_EQ(crop.width, crop.height);
  EXPECT_NEAR(faceHeight / crop.height, 0.42, 0.01);
  EXPECT_LE(720.0 / crop.height, 1.25);
  EXPECT_GT(2048.0 / crop.height, 2.0);  // closer than the small photo's 1.15
}

TEST(PromptCamera, PanMovesTheFaceSidewaysAtTheSameScale) {
  const std::string dir = test::scratchDir();
  test::renderPrompt("", dir + "/still.mp4", kText);
  test::renderPrompt("pan left", dir + "/left.mp4", kText);
  test::renderPrompt("pan right", dir + "/right.mp4", kText);
  auto shift = [&](const std::string& name) {
    const auto [first, last] = test::firstAndLast(dir + "/" + name + ".mp4", dir);
    const face::FaceAnalysis start = face::analyzeFace(first);
    const auto a = start.landmarks;
    // The same face in the last frame: the detection nearest to where it started (the mission
    // patch on the suit can pass for a face once the camera has moved).
    const std::vector<cv::Rect> found = face::detectFaces(last);
    EXPECT_FALSE(found.empty());
    if (found.empty()) return std::make_pair(0.0f, 0.0);
    const auto centre = [](const cv::Rect& r) { return (r.tl() + r.br()) * 0.5; };
    const cv::Rect nearest =
        *std::min_element(found.begin(), found.end(), [&](const cv::Rect& p, const cv::Rect& q) {
          return cv::norm(centre(p) - centre(start.box)) < cv::norm(centre(q) - centre(start.box));
        });
    const auto b = face::fitLandmarks(last, nearest);
    return std::make_pair((eyesMiddle(b).x - eyesMiddle(a).x) / first.cols,
                          interOcular(b) / interOcular(a));
  };
  const auto [still, stillScale] = shift("still");
  const auto [left, leftScale] = shift("left");
  const auto [right, rightScale] = shift("right");
  std::cout << "face x shift, first to last frame (frame widths): no pan " << still << ", pan left "
            << left << ", pan right " << right << "; scale last/first: " << stillScale << ", "
            << leftScale << ", " << rightScale << "\n";
  // Panning left moves the picture, and the face, to the right; by 8% of the frame.
  EXPECT_GT(left - still, 0.05);
  EXPECT_LT(right - still, -0.05);
  EXPECT_NEAR(leftScale, stillScale, 0.04);
  EXPECT_NEAR(rightScale, stillScale, 0.04);
}

// The background's shift in each frame against the first (an ECC fit of a translation to the
// top right, the model shuttle beside the head, each frame starting from the previous one's
// shift), pixels.
std::vector<cv::Point2d> backgroundShifts(const std::vector<cv::Mat>& frames) {
  auto region = [](const cv::Mat& frame) {
    cv::Mat gray, f;
    const cv::Rect shuttle(frame.cols * 2 / 3, 0, frame.cols / 3, frame.rows / 2);
    cv::cvtColor(frame(shuttle), gray, cv::COLOR_BGR2GRAY);
    gray.convertTo(f, CV_32F);
    return f;
  };
  const cv::Mat reference = region(frames.front());
  cv::Mat warp = cv::Mat::eye(2, 3, CV_32F);
  std::vector<cv::Point2d> shifts;
  const cv::TermCriteria stop(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 100, 1e-5);
  for (const cv::Mat& frame : frames) {
    cv::findTransformECC(reference, region(frame), warp, cv::MOTION_TRANSLATION, stop,
                         cv::noArray(), 5);
    shifts.emplace_back(warp.at<float>(0, 2), warp.at<float>(1, 2));
  }
  return shifts;
}

struct ShakeFigures {
  double largest = 0;      // largest shift from the first frame, px
  double largestStep = 0;  // largest change from one frame to the next, px
};

ShakeFigures shake(const std::vector<cv::Point2d>& shifts) {
  ShakeFigures f;
  for (size_t i = 0; i < shifts.size(); ++i) {
    f.largest = std::max(f.largest, cv::norm(shifts[i]));
    if (i > 0) f.largestStep = std::max(f.largestStep, cv::norm(shifts[i] - shifts[i - 1]));
  }
  return f;
}

TEST(PromptCamera, HandheldMovesThePictureALittleAndSmoothly) {
  const std::string dir = test::scratchDir();
  test::renderPrompt("handheld", dir + "/handheld.mp4", kText);
  const ShakeFigures handheld =
      shake(backgroundShifts(test::videoFrames(dir + "/handheld.mp4", dir, 0, 74)));
  test::renderPrompt("stable camera", dir + "/stable.mp4", kText);
  const ShakeFigures stable =
      shake(backgroundShifts(test::videoFrames(dir + "/stable.mp4", dir, 0, 74)));
  std::cout << "background shift over 3 s (px at 720): handheld largest " << handheld.largest
            << ", largest frame-to-frame step " << handheld.largestStep << "; stable camera "
            << stable.largest << ", " << stable.largestStep << "\n";
  EXPECT_GT(handheld.largest, 1.5);         // visible: a few tenths of a percent of the frame
  EXPECT_LT(handheld.largest, 0.02 * 720);  // but small
  EXPECT_LT(handheld.largestStep, 1.0);     // smooth, no jitter
  EXPECT_LT(stable.largest, 0.5);
}

TEST(PromptCamera, CloseUpEnlargesTheFaceMediumShotDoesNotShrinkIt) {
  const std::string dir = test::scratchDir();
  auto firstFace = [&](const std::string& prompt) {
    test::renderPrompt(prompt, dir + "/out.mp4", "One, two, three, four, five.");
    return interOcular(test::firstAndLast(dir + "/out.mp4", dir).first);
  };
  const double normal = firstFace("");
  const double closeUp = firstFace("close-up");
  const double medium = firstFace("medium shot");
  std::cout << "face size (inter-ocular px) in the first frame: default " << normal << ", close-up "
            << closeUp << " (x" << closeUp / normal << "), medium shot " << medium << " (x"
            << medium / normal << ")\n";
  // This photo is 512 px, already enlarged to 720: the close-up closes in by the 15% a push-in
  // may always take, no further (the quality limit).
  EXPECT_GT(closeUp / normal, 1.10);
  EXPECT_LT(closeUp / normal, 1.20);
  EXPECT_LE(medium / normal, 1.02);
}

// Yaw seen in the frames: the nose tip's offset from the middle of the cheeks' outline (which
// turns the other way), per inter-ocular distance, with the slow head motion taken out (less its
// 9-frame running mean; a shake swings back and forth in about 8 frames). Index i is frame i + 4.
std::vector<double> fastYaw(const std::vector<face::Landmarks>& frames) {
  std::vector<double> nose;
  for (const auto& lm : frames) {
    const cv::Point2f cheeks = meanOf(lm, {1, 2, 3, 13, 14, 15});
    nose.push_back((lm[30].x - cheeks.x) / interOcular(lm));
  }
  std::vector<double> fast;
  for (size_t i = 4; i + 4 < nose.size(); ++i) {
    const double mean = std::accumulate(nose.begin() + i - 4, nose.begin() + i + 5, 0.0) / 9.0;
    fast.push_back(nose[i] - mean);
  }
  return fast;
}

// Root mean square of `fast` over the frames within 0.8 s after each of `starts` (seconds).
double rmsAfter(const std::vector<double>& fast, const std::vector<double>& starts) {
  double sum = 0;
  int count = 0;
  for (size_t i = 0; i < fast.size(); ++i) {
    const double t = (i + 4) / 25.0;
    if (std::none_of(starts.begin(), starts.end(), [&](double s) { return t >= s && t < s + 0.8; }))
      continue;
    sum += fast[i] * fast[i];
    ++count;
  }
  return count > 0 ? std::sqrt(sum / count) : 0.0;
}

TEST(PromptGestures, NegationWordsShakeTheHead) {
  const std::string dir = test::scratchDir();
  // The same sentence with and without its negations (similar sounds, similar length), measured
  // where the negation words are spoken.
  const std::string negative = "Well, no. I do not know. Never, not now. No.";
  std::vector<double> spoken;
  for (const auto& w : speech::synthesize(negative, "", "", 1.0).words) {
    if (w.text == "no" || w.text == "No" || w.text == "not" || w.text == "Never")
      spoken.push_back(w.start);
  }
  ASSERT_EQ(spoken.size(), 5u);
  test::renderPrompt("", dir + "/no.mp4", negative);
  const auto no = fastYaw(test::trackedFrames(dir + "/no.mp4", dir, 0, 99, 1));
  test::renderPrompt("", dir + "/so.mp4", "Well, so. I do now know. Ever, and now. So.");
  const auto so = fastYaw(test::trackedFrames(dir + "/so.mp4", dir, 0, 99, 1));
  std::cout << "fast yaw after the negation words (nose against cheeks, IOD, rms): with negations "
            << rmsAfter(no, spoken) << ", without " << rmsAfter(so, spoken) << "\n";
  EXPECT_GT(rmsAfter(no, spoken), 1.8 * rmsAfter(so, spoken));
}

TEST(PromptGestures, TheTextsWordsCueShakesNodsAndTilts) {
  const auto audio = speech::synthesize("No, never. Yes, exactly! Are you coming?", "", "", 1.0);
  const auto cues = animate::gestureCues(audio.words);
  ASSERT_EQ(cues.size(), 3u);
  EXPECT_EQ(cues[0].kind, animate::GestureKind::Shake);  // "no, never": one shake
  EXPECT_EQ(cues[1].kind, animate::GestureKind::Nod);    // "yes, exactly": one nod
  EXPECT_EQ(cues[2].kind, animate::GestureKind::Tilt);   // the question
  EXPECT_GT(cues[2].hold, 0.2);
  EXPECT_LT(cues[0].start, cues[1].start);
  // A shake swings both ways by about 4-6 degrees and is over within a second.
  double most = 0, least = 0;
  for (double t = 0; t < 1.2; t += 0.01) {
    const double yaw = animate::gestureAt(cues[0], t).yaw;
    most = std::max(most, yaw);
    least = std::min(least, yaw);
  }
  EXPECT_GT(most, 4.0);
  EXPECT_LT(most, 6.0);
  EXPECT_LT(least, -2.5);
  EXPECT_EQ(animate::gestureAt(cues[0], 1.1).yaw, 0.0);
  EXPECT_TRUE(
      animate::gestureCues(speech::synthesize("So, ever. Well, now.", "", "", 1.0).words).empty());
}

// The voice's one phrase: from the first to the last sample above a fiftieth of the peak.
std::vector<animate::Phrase> wholePhrase(const speech::SpeechAudio& audio) {
  float peak = 0;
  for (float x : audio.samples) peak = std::max(peak, std::abs(x));
  size_t first = 0, last = audio.samples.size();
  while (first < last && std::abs(audio.samples[first]) < peak / 50) ++first;
  while (last > first && std::abs(audio.samples[last - 1]) < peak / 50) --last;
  return {{double(first) / audio.sampleRate, double(last) / audio.sampleRate}};
}

TEST(PromptGestures, ARecordedQuestionsRisingPitchTiltsTheHead) {
  // A pulse train at 150 Hz reads as 150 Hz.
  std::vector<float> pulses(16000, 0.0f);
  for (size_t i = 0; i < pulses.size(); ++i)
    pulses[i] = std::sin(2 * M_PI * 150.0 * i / 16000.0) > 0.9 ? 1.0f : 0.0f;
  EXPECT_NEAR(animate::pitchOf(pulses.data(), 640, 16000), 150.0, 3.0);
  // The synthesiser asks with a rising pitch and states with a falling one.
  const auto question = speech::synthesize("Are you coming with us today?", "", "", 1.0);
  const auto statement = speech::synthesize("You are coming with us today.", "", "", 1.0);
  const auto asked =
      animate::questionTilts(question.samples, question.sampleRate, wholePhrase(question));
  const auto stated =
      animate::questionTilts(statement.samples, statement.sampleRate, wholePhrase(statement));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].kind, animate::GestureKind::Tilt);
  EXPECT_NEAR(asked[0].start + asked[0].hold, wholePhrase(question)[0].end, 0.01);
  EXPECT_TRUE(stated.empty());
}

TEST(PromptGestures, NoddingAndShakingComeAtPhraseEnds) {
  // Two phrases of voice: 0.4-2.4 s and 3.6-5.6 s.
  speech::ArticulationTrack track;
  track.fps = 25;
  track.frames.resize(175);
  track.voiced.assign(175, 0);
  track.loudness.assign(175, 0.1f);
  track.stressed.assign(175, 0);
  for (size_t i = 0; i < 175; ++i) {
    if ((i >= 10 && i < 60) || (i >= 90 && i < 140)) {
      track.voiced[i] = 1;
      track.loudness[i] = 0.6f;
    }
  }
  const auto plain = animate::planMotion(track, {}, 5);
  const auto nodding = animate::planMotion(track, animate::styleFromPrompt("nodding"), 5);
  auto largestNod = [&](size_t from, size_t to) {
    double most = 0;
    for (size_t i = from; i < to; ++i)
      most = std::max(most, double(nodding[i].headPitch - plain[i].headPitch));
    return most;
  };
  std::cout << "extra pitch from 'nodding' (degrees): end of phrase 1 " << largestNod(50, 85)
            << ", end of phrase 2 " << largestNod(130, 165) << ", mid-phrase " << largestNod(15, 50)
            << "\n";
  EXPECT_GT(largestNod(50, 85), 3.5);
  EXPECT_GT(largestNod(130, 165), 3.5);
  EXPECT_LT(largestNod(15, 50), 0.01);
  // "shaking head": a shake swings the yaw both ways at the phrase's end.
  const auto shaking = animate::planMotion(track, animate::styleFromPrompt("shaking head"), 5);
  double right = 0, left = 0;
  for (size_t i = 45; i < 85; ++i) {
    right = std::max(right, double(shaking[i].headYaw - plain[i].headYaw));
    left = std::min(left, double(shaking[i].headYaw - plain[i].headYaw));
  }
  std::cout << "extra yaw from 'shaking head' at the end of phrase 1 (degrees): " << left << " .. "
            << right << "\n";
  EXPECT_GT(right, 3.0);
  EXPECT_LT(left, -2.0);
}

TEST(PromptGestures, HeadTiltTiltsTheEyeLineInTheFrames) {
  const std::string dir = test::scratchDir();
  auto meanRoll = [&](const std::string& prompt) {
    test::renderPrompt(prompt, dir + "/out.mp4", kText);
    double sum = 0;
    const auto frames = test::trackedFrames(dir + "/out.mp4", dir, 20, 70, 5);
    for (const auto& lm : frames) sum += face::eyeLineDegrees(lm);
    return sum / frames.size();
  };
  const double normal = meanRoll("");
  const double tilted = meanRoll("curious, head tilt");
  std::cout << "eye line (degrees): default " << normal << ", head tilt " << tilted << "\n";
  EXPECT_GT(std::abs(tilted - normal), 3.5);
}

// What a prompt's render shows, measured on frames 12-74 (after the ease-in) of kText's render.
struct RenderedManner {
  double turnSpread = 0;  // std of the nose tip's sideways offset from the eyes' middle (IOD)
  double corners = 0;     // mouth corners above the lips' middle (IOD), mean
  double noseDrop = 0;    // nose tip below the eyes' middle (IOD), mean: less when the chin is up
  double growth = 0;      // inter-ocular distance, last tracked frame over the first
};

RenderedManner renderedManner(const std::string& prompt, const std::string& dir) {
  test::renderPrompt(prompt, dir + "/out.mp4", kText);
  const auto frames = test::trackedFrames(dir + "/out.mp4", dir, 12, 74, 2);
  EXPECT_GE(frames.size(), 25u) << prompt;
  RenderedManner m;
  if (frames.empty()) return m;
  std::vector<double> turn;
  for (const auto& lm : frames) {
    const double iod = interOcular(lm);
    const cv::Point2f eyes = eyesMiddle(lm);
    turn.push_back((lm[30].x - eyes.x) / iod);
    const double lipsMiddle = 0.5 * (meanOf(lm, {51, 62}).y + meanOf(lm, {57, 66}).y);
    m.corners += (lipsMiddle - meanOf(lm, {48, 54}).y) / iod / frames.size();
    m.noseDrop += (lm[30].y - eyes.y) / iod / frames.size();
  }
  const double mean = std::accumulate(turn.begin(), turn.end(), 0.0) / turn.size();
  double s = 0;
  for (double r : turn) s += (r - mean) * (r - mean);
  m.turnSpread = std::sqrt(s / turn.size());
  m.growth = interOcular(frames.back()) / interOcular(frames.front());
  return m;
}

TEST(PromptGestures, FormalCalmsTheHeadInTheFrames) {
  const std::string dir = test::scratchDir();
  const double normal = renderedManner("", dir).turnSpread;
  const double formal = renderedManner("formal, serious", dir).turnSpread;
  std::cout << "head turn std in the frames (nose offset, IOD): default " << normal << ", formal "
            << formal << "\n";
  EXPECT_LT(formal, 0.7 * normal);
}

// The three example prompts of the API documents, each against the empty prompt, on the same
// voice and seed: each render differs in the way its words say.
TEST(PromptPerformance, TheDocumentsExamplePromptsShowWhatTheySay) {
  const std::string dir = test::scratchDir();
  const RenderedManner none = renderedManner("", dir);
  const RenderedManner teacher =
      renderedManner("professional teacher, warm smile, stable camera, natural lip sync", dir);
  const RenderedManner anchor = renderedManner(
      "news anchor style, formal tone, stable frontal shot, neutral expression", dir);
  const RenderedManner spokesperson = renderedManner(
      "premium corporate spokesperson video, clean studio background, confident expression", dir);
  for (const auto& [name, m] : {std::pair{"none", none},
                                {"teacher", teacher},
                                {"anchor", anchor},
                                {"spokesperson", spokesperson}}) {
    std::cout << name << ": turn std " << m.turnSpread << ", corners " << m.corners
              << ", nose below the eyes " << m.noseDrop << ", size last/first " << m.growth << "\n";
  }
  // Teacher: a warm smile lifts the corners; calm and a stable camera: no zoom, less turning.
  EXPECT_GT(teacher.corners - none.corners, 0.008);
  EXPECT_NEAR(teacher.growth, 1.0, 0.04);
  EXPECT_LT(teacher.turnSpread, none.turnSpread);
  // Anchor: formal and calm, the head turns much less; a neutral face, no smile.
  EXPECT_LT(anchor.turnSpread, 0.7 * none.turnSpread);
  EXPECT_LT(anchor.corners - none.corners, 0.008);
  EXPECT_GT(teacher.corners - anchor.corners, 0.01);
  // Spokesperson: confident carries the chin up (the nose tip rises toward the eyes) with a
  // slight smile.
  EXPECT_LT(spokesperson.noseDrop - none.noseDrop, -0.01);
  EXPECT_GT(spokesperson.corners - none.corners, 0.0);
}

}  // namespace
}  // namespace dh
