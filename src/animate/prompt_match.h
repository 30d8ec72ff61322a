#pragma once
// Finding a prompt's words: case-insensitive, English words and phrases as whole words, Chinese
// ones anywhere; a negation just before a word cancels it, an intensity word scales it.
#include <string>
#include <string_view>
#include <vector>

namespace dh::animate::prompt {

using Words = std::vector<std::string_view>;

constexpr size_t kNowhere = std::string::npos;

struct Match {
  size_t pos = kNowhere;  // the first occurrence that is not negated
  bool negated = false;   // some occurrence is negated: the whole kind is cancelled
  float strength = 1.0f;  // 0.5 (slight), 2 (very) or 1, from the words before `pos`

  bool found() const { return pos != kNowhere; }
};

// ASCII letters to lower case (other bytes kept).
std::string lower(const std::string& text);

// The first occurrence of any of `words` in `text` (already lower case). Negation: "no", "not",
// "without", "never", "don't", "avoid", "stop", "less" within the two words before, or 不, 没有,
// 无, 别 just before. Intensity: "slight", "slightly", "subtle", "gentle", "soft", "light", "a
// little" within the three words before halve, "very", "big", "broad", "strong", "wide",
// "huge", "extremely", "lots of" double; 微微, 稍微 / 非常, 很, 大 just before.
Match find(std::string_view text, const Words& words);

// Whether `text` contains `word` as a whole word (or anywhere, for a Chinese word).
bool contains(std::string_view text, std::string_view word);

}  // namespace dh::animate::prompt
