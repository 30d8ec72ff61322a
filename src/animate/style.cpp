#include "animate/style.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

namespace dh::animate {
namespace {

using Words = std::vector<std::string_view>;

std::string lower(const std::string& text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool isAscii(std::string_view w) {
  return std::all_of(w.begin(), w.end(), [](unsigned char c) { return c < 0x80; });
}

// The last `count` ASCII words of `text` (nearest last).
std::vector<std::string> lastWords(std::string_view text, size_t count) {
  std::vector<std::string> words;
  size_t end = text.size();
  while (words.size() < count && end > 0) {
    while (end > 0 && !isWordChar(text[end - 1]) &&
           static_cast<unsigned char>(text[end - 1]) < 0x80)
      --end;
    if (end == 0 || static_cast<unsigned char>(text[end - 1]) >= 0x80) break;
    size_t start = end;
    while (start > 0 && (isWordChar(text[start - 1]) || text[start - 1] == '\'')) --start;
    words.emplace_back(text.substr(start, end - start));
    end = start;
  }
  return words;
}

// Whether the `bytes` bytes of text just before `pos` contain any of `marks` (Chinese).
bool markBefore(std::string_view text, size_t pos, const Words& marks, size_t bytes) {
  const std::string_view before = text.substr(pos > bytes ? pos - bytes : 0, std::min(pos, bytes));
  return std::any_of(marks.begin(), marks.end(),
                     [&](std::string_view m) { return before.find(m) != std::string_view::npos; });
}

bool negated(std::string_view text, size_t pos) {
  static const Words english = {"no", "not", "without", "never", "don't", "dont", "avoid"};
  for (const std::string& w : lastWords(text.substr(0, pos), 2)) {
    if (std::find(english.begin(), english.end(), w) != english.end()) return true;
  }
  return markBefore(text, pos, {"不", "没有", "无", "别"}, 6);
}

// 0.5 (slight), 2 (very) or 1.
float intensity(std::string_view text, size_t pos) {
  static const Words weak = {"slight", "slightly", "subtle", "gentle", "soft", "light"};
  static const Words strong = {"very", "big", "broad", "strong", "wide", "huge", "extremely"};
  const std::vector<std::string> before = lastWords(text.substr(0, pos), 3);
  for (size_t i = 0; i < before.size(); ++i) {
    if (std::find(weak.begin(), weak.end(), before[i]) != weak.end()) return 0.5f;
    if (before[i] == "little" && i + 1 < before.size() && before[i + 1] == "a") return 0.5f;
    if (std::find(strong.begin(), strong.end(), before[i]) != strong.end()) return 2.0f;
  }
  if (markBefore(text, pos, {"微微", "稍微"}, 6)) return 0.5f;
  if (markBefore(text, pos, {"非常", "很", "大"}, 6)) return 2.0f;
  return 1.0f;
}

struct Match {
  size_t pos = std::string::npos;  // the first occurrence that is not negated
  bool negated = false;            // some occurrence is negated
  float strength = 1.0f;
};

// Occurrences of `words`: English ones as whole words, others (Chinese) anywhere.
Match find(std::string_view text, const Words& words) {
  Match m;
  for (std::string_view w : words) {
    const bool whole = isAscii(w);
    for (size_t pos = text.find(w); pos != std::string::npos; pos = text.find(w, pos + 1)) {
      const size_t end = pos + w.size();
      if (whole && ((pos > 0 && isWordChar(text[pos - 1])) ||
                    (end < text.size() && isWordChar(text[end])))) {
        continue;
      }
      if (negated(text, pos)) {
        m.negated = true;
      } else if (pos < m.pos) {
        m.pos = pos;
        m.strength = intensity(text, pos);
      }
    }
  }
  if (m.negated) m.pos = std::string::npos;  // a negated word cancels its whole kind
  return m;
}

std::string amount(const char* name, float value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "expression:%s(%.2f)", name, value);
  return buffer;
}

}  // namespace

PromptReading readPrompt(const std::string& prompt) {
  const std::string text = lower(prompt);
  PromptReading out;
  Style& style = out.style;

  const Match calm =
      find(text, {"stable", "steady", "still", "calm", "formal", "serious", "composed",
                  "news anchor", "anchor", "presenter", "平静", "沉稳", "稳重", "严肃", "正式"});
  const Match lively =
      find(text, {"excited", "energetic", "lively", "enthusiastic", "animated", "dynamic",
                  "passionate", "expressive", "热情", "兴奋", "活泼", "生动"});
  if (calm.pos != std::string::npos && calm.pos < lively.pos) {
    style.headMotion = 0.45f;
    style.nods = 0.5f;
    style.blinkInterval = 1.1f;
    out.applied.push_back("energy:calm");
  } else if (lively.pos != std::string::npos) {
    style.headMotion = 1.6f;
    style.nods = 1.5f;
    style.jaw = 1.1f;
    style.blinkInterval = 0.88f;
    out.applied.push_back("energy:lively");
  }

  struct Expression {
    const char* name;
    Match match;
  };
  Expression expressions[] = {
      {"smile", find(text, {"smile", "smiling", "warm", "happy", "friendly", "cheerful", "joyful",
                            "微笑", "笑容", "开心", "温暖", "友好"})},
      {"serious", find(text, {"serious", "stern", "solemn", "formal tone", "严肃"})},
      {"confident", find(text, {"confident", "assertive", "authoritative", "自信"})},
      {"surprised", find(text, {"surprised", "amazed", "astonished", "shocked", "惊讶", "吃惊"})},
      {"concerned", find(text, {"concerned", "worried", "sad", "sympathetic", "sorrowful", "担心",
                                "难过", "悲伤"})},
      {"neutral", find(text, {"neutral", "no expression", "中性", "无表情"})},
  };
  const Expression* chosen = nullptr;
  for (const Expression& e : expressions) {
    if (e.match.pos != std::string::npos && (!chosen || e.match.pos < chosen->match.pos)) {
      chosen = &e;
    }
    if (e.match.negated) out.applied.push_back(std::string("expression:no_") + e.name);
  }
  if (chosen) {
    const std::string_view name = chosen->name;
    const float k = chosen->match.strength;
    if (name == "smile") {
      style.smile = std::min(1.0f, 0.5f * k);
      out.applied.push_back(amount("smile", style.smile));
    } else if (name == "serious") {
      style.headPitch = 1.0f * k;
      out.applied.push_back(amount("serious", std::min(1.0f, 0.5f * k)));
    } else if (name == "confident") {
      style.headPitch = -2.5f * k;
      style.smile = std::min(1.0f, 0.2f * k);
      out.applied.push_back(amount("confident", std::min(1.0f, 0.5f * k)));
    } else if (name == "surprised") {
      style.browLift = std::min(1.0f, 0.6f * k);
      out.applied.push_back(amount("surprised", style.browLift));
    } else if (name == "concerned") {
      style.frown = std::min(1.0f, 0.5f * k);
      style.browLift = std::min(1.0f, 0.25f * k);
      style.headPitch = 2.5f * k;
      style.headRoll = 2.0f * k;
      out.applied.push_back(amount("concerned", style.frown));
    } else {
      out.applied.push_back("expression:neutral");
    }
  }

  const Match stable = find(text, {"stable camera", "static camera", "locked-off", "locked off",
                                   "fixed camera", "stable shot", "stable frontal shot",
                                   "steady camera", "固定镜头", "稳定镜头", "镜头稳定"});
  const bool stillCamera = text.find("camera movement") != std::string::npos &&
                           (text.find("no camera movement") != std::string::npos ||
                            text.find("without camera movement") != std::string::npos);
  const Match pushIn = find(text, {"zoom in", "zooms in", "push in", "push-in", "pushes in",
                                   "dolly in", "move in", "推近", "推进", "拉近"});
  const Match pullOut = find(text, {"zoom out", "zooms out", "pull out", "pull-out", "pull back",
                                    "pulls back", "dolly out", "拉远"});
  const bool still = stable.pos != std::string::npos || stillCamera;
  // The first camera word wins ("no camera movement" counts as a stable camera).
  const size_t firstMove = std::min(pushIn.pos, pullOut.pos);
  if (firstMove != std::string::npos && (!still || firstMove < stable.pos)) {
    const bool in = pushIn.pos < pullOut.pos;
    const float zoom = 1.0f + 0.15f * std::min(1.0f, (in ? pushIn : pullOut).strength);
    style.zoomStart = in ? 1.0f : zoom;
    style.zoomEnd = in ? zoom : 1.0f;
    out.applied.push_back(in ? "camera:push_in" : "camera:pull_out");
  } else if (still) {
    out.applied.push_back("camera:stable");
  }
  return out;
}

Style styleFromPrompt(const std::string& prompt) {
  return readPrompt(prompt).style;
}

}  // namespace dh::animate
