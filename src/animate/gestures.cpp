#include "animate/gestures.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

#include "animate/motion_curves.h"

namespace dh::animate {
namespace {

constexpr double kShakePeriod = 0.34;     // seconds of one back-and-forth
constexpr double kShakeDegrees = 6.0;     // yaw of the first swing before its decay
constexpr double kShakeDecay = 0.38;      // seconds for the swing to fall to 1/e
constexpr double kShakeSeconds = 1.0;     // over after this
constexpr double kNodDegrees = 5.0;       // pitch of the first nod (the second is 60%)
constexpr double kTiltDegrees = 4.0;      // roll of a questioning tilt
constexpr double kTiltLiftDegrees = 1.5;  // chin up with it
constexpr double kSameKindGap = 0.6;      // seconds: a closer cue of the same kind is dropped

// Lower case ASCII, typographic apostrophes as plain ones ("don’t").
std::string lowerAscii(std::string_view text) {
  constexpr std::string_view apostrophe = "\xE2\x80\x99";
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, apostrophe.size()) == apostrophe) {
      out += '\'';
      i += apostrophe.size() - 1;
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    }
  }
  return out;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool oneOf(std::string_view word, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool isAffirmative(std::string_view word, std::string_view trailing) {
  if (oneOf(word,
            {"yes", "yeah", "yep", "exactly", "absolutely", "indeed", "agreed", "definitely",
             "certainly", "oui", "ja", "sí", "да", "是的", "对", "对的", "好的", "没错", "当然"}))
    return true;
  // Words that agree only when they stand alone ("Right." but not "the right way").
  return !trailing.empty() && oneOf(word, {"right", "sure", "correct", "true", "okay", "ok"});
}

bool isNegation(std::string_view word) {
  if (oneOf(word, {"no", "not", "never", "nope", "nobody", "nothing", "none", "neither", "nor",
                   "nowhere", "non", "nein", "nicht", "nie", "nunca", "jamais", "нет"}))
    return true;
  if (word.size() > 3 && word.substr(word.size() - 3) == "n't") return true;
  for (std::string_view mark : {"不", "没", "别", "无"}) {
    if (startsWith(word, mark)) return true;
  }
  return false;
}

bool has(std::string_view trailing, std::initializer_list<std::string_view> marks) {
  return std::any_of(marks.begin(), marks.end(), [&](std::string_view m) {
    return trailing.find(m) != std::string_view::npos;
  });
}

bool isQuestion(std::string_view trailing) {
  return has(trailing, {"?", "？"});
}

bool endsSentence(std::string_view trailing) {
  return has(trailing, {".", "!", "?", ";", "。", "！", "？", "；"});
}

}  // namespace

std::vector<GestureCue> gestureCues(const std::vector<speech::TimedWord>& words) {
  std::vector<GestureCue> cues;
  double lastShake = -1e9, lastNod = -1e9;
  size_t questionFrom = 0;  // the first word of the current sentence
  for (size_t i = 0; i < words.size(); ++i) {
    const speech::TimedWord& w = words[i];
    const std::string word = lowerAscii(w.text);
    if (isAffirmative(word, w.trailing)) {
      if (w.start - lastNod >= kSameKindGap) cues.push_back({GestureKind::Nod, w.start, 0.0});
      lastNod = w.start;
    } else if (isNegation(word)) {
      if (w.start - lastShake >= kSameKindGap) cues.push_back({GestureKind::Shake, w.start, 0.0});
      lastShake = w.start;
    }
    if (isQuestion(w.trailing)) {
      // The tilt comes with the question's last word (within the question, at most 1.5 s before
      // its end) and holds to the end.
      const double start = std::max({words[questionFrom].start, w.start - 0.6, w.end - 1.5});
      cues.push_back({GestureKind::Tilt, start, w.end - start});
    }
    if (endsSentence(w.trailing)) questionFrom = i + 1;
  }
  std::sort(cues.begin(), cues.end(),
            [](const GestureCue& a, const GestureCue& b) { return a.start < b.start; });
  return cues;
}

double gestureSeconds(const GestureCue& cue) {
  switch (cue.kind) {
    case GestureKind::Shake:
      return kShakeSeconds;
    case GestureKind::Nod:
      return 0.9;
    case GestureKind::Tilt:
      return 0.35 + cue.hold + 0.9;
  }
  return 0.0;
}

HeadAngles gestureAt(const GestureCue& cue, double dt) {
  HeadAngles a;
  if (dt < 0.0 || dt > gestureSeconds(cue)) return a;
  switch (cue.kind) {
    case GestureKind::Shake: {
      // Starts towards one side within a tenth of a second, swings back and forth, decays.
      const double envelope =
          smoothstep(dt / 0.08) * std::exp(-dt / kShakeDecay) *
          (1.0 - smoothstep((dt - 0.8 * kShakeSeconds) / (0.2 * kShakeSeconds)));
      a.yaw = kShakeDegrees * envelope * std::sin(2.0 * M_PI * dt / kShakePeriod);
      break;
    }
    case GestureKind::Nod:
      a.pitch = kNodDegrees * (bump(dt, 0.13, 0.22) + 0.6 * bump(dt - 0.38, 0.12, 0.25));
      break;
    case GestureKind::Tilt: {
      const double rise = smoothstep(dt / 0.35);
      const double fall = 1.0 - smoothstep((dt - 0.35 - cue.hold) / 0.9);
      const double amount = std::min(rise, fall);
      a.roll = kTiltDegrees * amount;
      a.pitch = -kTiltLiftDegrees * amount;
      break;
    }
  }
  return a;
}

}  // namespace dh::animate
