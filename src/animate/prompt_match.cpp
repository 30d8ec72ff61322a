#include "animate/prompt_match.h"

#include <algorithm>
#include <cctype>

namespace dh::animate::prompt {
namespace {

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
  static const Words english = {"no",   "not",   "without", "never", "don't",
                                "dont", "avoid", "stop",    "less"};
  for (const std::string& w : lastWords(text.substr(0, pos), 2)) {
    if (std::find(english.begin(), english.end(), w) != english.end()) return true;
  }
  return markBefore(text, pos, {"不", "没有", "无", "别"}, 6);
}

float intensity(std::string_view text, size_t pos) {
  static const Words weak = {"slight", "slightly", "subtle", "gentle", "soft", "light"};
  static const Words strong = {"very", "big", "broad", "strong", "wide", "huge", "extremely"};
  const std::vector<std::string> before = lastWords(text.substr(0, pos), 3);
  for (size_t i = 0; i < before.size(); ++i) {
    if (std::find(weak.begin(), weak.end(), before[i]) != weak.end()) return 0.5f;
    const bool phrase = i + 1 < before.size();
    if (before[i] == "little" && phrase && before[i + 1] == "a") return 0.5f;
    if (before[i] == "of" && phrase && before[i + 1] == "lots") return 2.0f;
    if (std::find(strong.begin(), strong.end(), before[i]) != strong.end()) return 2.0f;
  }
  if (markBefore(text, pos, {"微微", "稍微", "轻微", "缓缓", "慢慢"}, 6)) return 0.5f;
  if (markBefore(text, pos, {"非常", "很", "大"}, 6)) return 2.0f;
  return 1.0f;
}

// Whether the occurrence [pos, pos + size) stands as a whole word (always, for Chinese).
bool wholeAt(std::string_view text, size_t pos, std::string_view w) {
  if (!isAscii(w)) return true;
  const size_t end = pos + w.size();
  return !((pos > 0 && isWordChar(text[pos - 1])) || (end < text.size() && isWordChar(text[end])));
}

}  // namespace

std::string lower(const std::string& text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Match find(std::string_view text, const Words& words) {
  Match m;
  for (std::string_view w : words) {
    for (size_t pos = text.find(w); pos != std::string::npos; pos = text.find(w, pos + 1)) {
      if (!wholeAt(text, pos, w)) continue;
      if (negated(text, pos)) {
        m.negated = true;
      } else if (pos < m.pos) {
        m.pos = pos;
        m.strength = intensity(text, pos);
      }
    }
  }
  if (m.negated) m.pos = kNowhere;
  return m;
}

bool contains(std::string_view text, std::string_view word) {
  for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1)) {
    if (wholeAt(text, pos, word)) return true;
  }
  return false;
}

}  // namespace dh::animate::prompt
