#include "animate/style.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

namespace dh::animate {
namespace {

std::string lower(const std::string& text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Position of the first whole-word occurrence of any of `words`, or npos.
size_t firstOf(const std::string& text, const std::vector<std::string_view>& words) {
  size_t best = std::string::npos;
  for (std::string_view w : words) {
    for (size_t pos = text.find(w); pos != std::string::npos; pos = text.find(w, pos + 1)) {
      const bool startOk = pos == 0 || !isWordChar(text[pos - 1]);
      const size_t end = pos + w.size();
      const bool endOk = end >= text.size() || !isWordChar(text[end]);
      if (startOk && endOk) {
        best = std::min(best, pos);
        break;
      }
    }
  }
  return best;
}

}  // namespace

Style styleFromPrompt(const std::string& prompt) {
  const std::string text = lower(prompt);
  const size_t calm = firstOf(text, {"stable", "steady", "still", "calm", "formal", "serious",
                                     "news anchor", "anchor", "presenter"});
  const size_t lively =
      firstOf(text, {"excited", "energetic", "lively", "enthusiastic", "animated", "dynamic"});
  const size_t smile = firstOf(text, {"smile", "smiling", "warm", "happy", "friendly", "cheerful"});
  Style style;
  if (calm != std::string::npos && (lively == std::string::npos || calm < lively)) {
    style.headMotion = 0.45f;
    style.nods = 0.5f;
    style.blinkInterval = 1.1f;
  } else if (lively != std::string::npos) {
    style.headMotion = 1.6f;
    style.nods = 1.5f;
    style.jaw = 1.1f;
    style.blinkInterval = 0.88f;
  }
  if (smile != std::string::npos) style.smile = 0.5f;
  return style;
}

}  // namespace dh::animate
