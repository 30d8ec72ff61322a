#pragma once
// Head gestures on top of the speech-driven motion: a head shake on negation words, a nod of
// agreement on affirmative ones, a tilt while asking. They come from the words of a synthesised
// text (always on) and, at phrase ends, from the prompt ("nodding", "shaking head").
#include <vector>

#include "speech/timed_phone.h"

namespace dh::animate {

enum class GestureKind {
  Shake,  // yaw back and forth, about ±5 degrees, decaying over about 0.8 s
  Nod,    // two quick nods of agreement, about 5 and 3 degrees
  Tilt,   // the head tilts to the side and lifts a little while a question ends
};

struct GestureCue {
  GestureKind kind;
  double start = 0.0;  // seconds
  double hold = 0.0;   // seconds a tilt is held before it eases back (0 for the others)
};

// Cues from a synthesised text's words, in time order. Negation: no, not, never, don't, nobody,
// nothing, can't, won't ... (and non, nein, nicht, nunca, нет), words that start with 不, 没, 别
// or 无. Agreement: yes, yeah, exactly, absolutely, indeed, agreed, of course (and right, sure,
// correct when punctuation follows them), oui, ja, sí, 是的, 对, 好的, 没错. Question: a word
// followed by "?" or "？" (the tilt holds through it). A cue within 0.6 s of an earlier one of
// the same kind is dropped ("no, no, never" shakes once).
std::vector<GestureCue> gestureCues(const std::vector<speech::TimedWord>& words);

// The gesture's head angles at `dt` seconds after its start, degrees (roll, yaw, pitch; pitch
// positive tips the nose down). Zero before the start and once it is over.
struct HeadAngles {
  double roll = 0.0, yaw = 0.0, pitch = 0.0;
};
HeadAngles gestureAt(const GestureCue& cue, double dt);

// Seconds after its start a gesture is over.
double gestureSeconds(const GestureCue& cue);

}  // namespace dh::animate
