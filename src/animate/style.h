#pragma once
// What a prompt asks of the performance. Words are matched case-insensitively, English ones as
// whole words or phrases, Chinese ones anywhere (animate/prompt_match.h), in six groups; the
// vocabulary is in style.cpp and documented in docs/API.md ("Prompt"):
//   energy      calm or lively: the scale of head motion, nods, blinks
//   expression  smile, serious, confident, surprised, concerned, neutral: corners, brows, carriage
//   camera move stable, push_in, pull_out, pan_left, pan_right (animate/camera.h)
//   camera shake handheld
//   framing     close_up, medium, wide: the part of the photo the video shows
//   gesture     nodding or head_shake at phrase ends; head_tilt (a steady tilt)
// Intensity words before a word ("slight", "very", 微微, 非常) halve or double it; a negation
// ("no", "without", 不, 没有) within the two words before cancels the word's whole kind.
// Conflicts: within a group the word that comes first in the text wins ("stable camera" and
// "handheld" are one conflict: the first wins); groups combine. Unknown words are ignored.
#include <string>
#include <vector>

namespace dh::animate {

// The part of the photo the video shows.
enum class Framing {
  Photo,    // the whole photo (the default; "wide shot" asks for it too)
  CloseUp,  // tighter around the face
  Medium,   // head and shoulders: closer only when the face is small in the photo
};

struct Style {
  float headMotion = 1.0f;     // scale of idle head motion
  float nods = 1.0f;           // scale of the nods on stressed syllables and of gestures
  float jaw = 1.0f;            // scale of the commanded mouth opening
  float smile = 0.0f;          // steady corner lift 0..1
  float frown = 0.0f;          // steady corner drop 0..1
  float browLift = 0.0f;       // steady brow raise 0..1
  float headPitch = 0.0f;      // steady head carriage, degrees (positive: chin down)
  float headRoll = 0.0f;       // steady head tilt, degrees
  float blinkInterval = 1.0f;  // scale of the mean time between blinks (kept within 15..26/min)
  // Camera. The zoom at the first and the last frame (1: the whole framing), eased between.
  float zoomStart = 1.0f;
  float zoomEnd = 1.0f;
  // A pan: how far the view travels sideways over the video, as a fraction of the frame's
  // width; positive pans right (the face moves left in the frame), negative pans left.
  float pan = 0.0f;
  float handheld = 0.0f;  // handheld shake, 1 = the normal amount, 0 = none
  Framing framing = Framing::Photo;
  // Gestures the prompt asks for at phrase ends (the spoken text's own gestures are always on).
  float agreeNods = 0.0f;   // nods of agreement, 1 = normal
  float headShakes = 0.0f;  // head shakes, 1 = normal

  bool operator==(const Style&) const = default;
};

struct PromptReading {
  Style style;
  // What was applied, in a short form for users: "energy:calm", "expression:smile(0.50)",
  // "expression:no_smile", "camera:stable", "camera:pan_left", "camera:handheld",
  // "framing:close_up", "gesture:nodding".
  std::vector<std::string> applied;
};

PromptReading readPrompt(const std::string& prompt);
Style styleFromPrompt(const std::string& prompt);

}  // namespace dh::animate
