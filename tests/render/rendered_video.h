#pragma once
// Renders through `dh render` and re-detects landmarks in the output frames, for the tests of
// the prompt's effect.
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "face/face_analysis.h"

namespace dh::test {

// Renders the astronaut's photo with `prompt`; the voice is the 11 s recording, or the text
// spoken by the synthesiser when `text` is not empty.
void renderPrompt(const std::string& prompt, const std::string& video,
                  const std::string& text = {});

// Frames [first, last] of a video, every `step`th, decoded to PNG in `dir`.
std::vector<cv::Mat> videoFrames(const std::string& video, const std::string& dir, int first,
                                 int last, int step = 1);

// Landmarks of each frame; a frame where the face is not found ends the list.
std::vector<face::Landmarks> landmarksOf(const std::vector<cv::Mat>& frames);

// Landmarks of a rendered video's frames [first, last], every `step`th.
std::vector<face::Landmarks> trackedFrames(const std::string& video, const std::string& dir,
                                           int first, int last, int step);

// A video's first and last frames.
std::pair<cv::Mat, cv::Mat> firstAndLast(const std::string& video, const std::string& dir);

cv::Point2f meanOf(const face::Landmarks& lm, std::initializer_list<int> ids);
double interOcular(const face::Landmarks& lm);
double interOcular(const cv::Mat& frame);

}  // namespace dh::test
