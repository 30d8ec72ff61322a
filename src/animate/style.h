#pragma once
// What a prompt asks of the performance. Matching is case-insensitive on whole words or phrases
// (Chinese words anywhere in the text), in four groups:
//   energy:     calm  "stable", "steady", "still", "calm", "formal", "serious", "composed",
//                     "news anchor", "anchor", "presenter", 平静, 沉稳, 稳重, 严肃, 正式
//                     -> head motion x0.45, nods x0.5, blinks a little slower
//               lively "excited", "energetic", "lively", "enthusiastic", "animated", "dynamic",
//                     "passionate", "expressive", 热情, 兴奋, 活泼, 生动
//                     -> head motion x1.6, nods x1.5, jaw x1.1, blinks a little faster
//   expression: smile "smile", "smiling", "warm", "happy", "friendly", "cheerful", "joyful",
//                     微笑, 笑容, 开心, 温暖, 友好 -> mouth corners lifted (0.5)
//               serious "serious", "stern", "solemn", "formal tone", 严肃 -> no smile, chin 1
//               degree down confident "confident", "assertive", "authoritative", 自信 -> chin 2.5
//               degrees up,
//                     corners lifted a little (0.2)
//               surprised "surprised", "amazed", "astonished", "shocked", 惊讶, 吃惊
//                     -> brows raised (0.6)
//               concerned "concerned", "worried", "sad", "sympathetic", "sorrowful", 担心, 难过,
//                     悲伤 -> corners down (0.5), inner brows up (0.25), head down 2.5 and
//                     tilted 2 degrees
//               neutral "neutral", "no expression", 中性, 无表情 -> none of the above
//   camera:     stable "stable camera", "static camera", "locked-off", "fixed camera",
//                     "stable shot", "stable frontal shot", "no camera movement", "without
//                     camera movement", 固定镜头, 稳定镜头, 镜头稳定 -> the camera does not move
//               push_in "zoom in", "push in", "push-in", "dolly in", "move in", 推近, 推进, 拉近
//                     -> the camera closes in on the face, zoom 1.0 -> 1.15 over the video
//               pull_out "zoom out", "pull out", "pull back", "dolly out", 拉远 -> the reverse,
//                     1.15 -> 1.0 (the first frame is then not the whole photo)
//               The zoom is about the face and stays within the picture; "slight" halves it.
//               Pans, handheld shake and framing words are not implemented (ignored).
// Intensity: "slight", "slightly", "subtle", "a little", "gentle", "soft", 微微, 稍微 within the
// three words before an expression halve it; "very", "big", "broad", "strong", "wide", "huge",
// "extremely", 非常, 很, 大 double it (the result is kept within the rig's range).
// Negation: "no", "not", "without", "never", "don't", "avoid", 不, 没有, 无, 别 within the two
// words before a word cancel it ("no smile": no smile even if "warm" appears elsewhere).
// Conflicts: within a group, the word that comes first in the text wins. Unknown words are
// ignored.
#include <string>
#include <vector>

namespace dh::animate {

struct Style {
  float headMotion = 1.0f;     // scale of idle head motion
  float nods = 1.0f;           // scale of the nods on stressed syllables
  float jaw = 1.0f;            // scale of the commanded mouth opening
  float smile = 0.0f;          // steady corner lift 0..1
  float frown = 0.0f;          // steady corner drop 0..1
  float browLift = 0.0f;       // steady brow raise 0..1
  float headPitch = 0.0f;      // steady head carriage, degrees (positive: chin down)
  float headRoll = 0.0f;       // steady head tilt, degrees
  float blinkInterval = 1.0f;  // scale of the mean time between blinks (kept within 15..26/min)
  // The camera's zoom at the first and the last frame (1: the whole picture), eased between.
  float zoomStart = 1.0f;
  float zoomEnd = 1.0f;

  bool operator==(const Style&) const = default;
};

struct PromptReading {
  Style style;
  // What was applied, in a short form for users: "energy:calm", "expression:smile(0.50)",
  // "expression:no_smile", "camera:stable".
  std::vector<std::string> applied;
};

PromptReading readPrompt(const std::string& prompt);
Style styleFromPrompt(const std::string& prompt);

}  // namespace dh::animate
