#pragma once
// Prompt keywords -> motion style. Matching is case-insensitive on whole words or phrases:
//   calm:   "stable", "steady", "still", "calm", "formal", "serious", "news anchor", "anchor",
//           "presenter"          -> head motion x0.45, nods x0.5, blinks a little slower
//   lively: "excited", "energetic", "lively", "enthusiastic", "animated", "dynamic"
//                                -> head motion x1.6, nods x1.5, jaw x1.1, blinks a little faster
//   smile:  "smile", "smiling", "warm", "happy", "friendly", "cheerful"
//                                -> mouth corners lifted (0.5), brows slightly up on stress
// When calm and lively words both appear, the first one in the text wins. No keyword: neutral.
#include <string>

namespace dh::animate {

struct Style {
  float headMotion = 1.0f;     // scale of idle head motion
  float nods = 1.0f;           // scale of the nods on stressed syllables
  float jaw = 1.0f;            // scale of the commanded mouth opening
  float smile = 0.0f;          // steady corner lift 0..1
  float blinkInterval = 1.0f;  // scale of the mean time between blinks (kept within 15..26/min)

  bool operator==(const Style&) const = default;
};

Style styleFromPrompt(const std::string& prompt);

}  // namespace dh::animate
