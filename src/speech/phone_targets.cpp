#include "speech/phone_targets.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

namespace dh::speech {
namespace {

// jaw, spread, round, press, tuck, tongue
PhoneTarget vowel(float jaw, float spread, float round) {
  PhoneTarget t;
  t.phoneClass = PhoneClass::Vowel;
  t.pose = {jaw, spread, round, 0.0f, 0.0f, 0.0f};
  t.jawDominance = 1.0f;
  t.lipDominance = 0.8f;
  t.tongueDominance = 0.3f;
  return t;
}

PhoneTarget consonant(PhoneClass c, float jaw, float spread, float round, float press, float tuck,
                      float tongue, float lipDominance, float jawDominance = 0.6f) {
  PhoneTarget t;
  t.phoneClass = c;
  t.pose = {jaw, spread, round, press, tuck, tongue};
  t.jawDominance = jawDominance;
  t.lipDominance = lipDominance;
  t.tongueDominance = tongue > 0.0f ? 2.0f : 0.3f;
  return t;
}

PhoneTarget silence() {
  PhoneTarget t;
  t.phoneClass = PhoneClass::Silence;
  t.pose = {};
  t.jawDominance = 0.5f;
  t.lipDominance = 0.5f;
  t.tongueDominance = 0.5f;
  return t;
}

constexpr auto C = PhoneClass::Consonant;

// l: tongue tip up, jaw a little open
PhoneTarget lateral() {
  return consonant(C, 0.30f, 0.10f, 0, 0, 0, 0.6f, 0.3f);
}
// s z: teeth close, lips spread
PhoneTarget sibilant() {
  return consonant(C, 0.10f, 0.40f, 0, 0, 0, 0, 1.0f, 2.0f);
}
// sh zh ch jh: lips pushed forward
PhoneTarget postalveolar() {
  return consonant(C, 0.15f, 0, 0.60f, 0, 0, 0, 2.0f, 2.0f);
}
// w: lips rounded
PhoneTarget labialGlide() {
  return consonant(C, 0.15f, 0, 1.00f, 0, 0, 0, 4.0f, 1.0f);
}
// English r: lips a little rounded
PhoneTarget rhotic() {
  return consonant(C, 0.25f, 0, 0.40f, 0, 0, 0, 1.0f);
}
// y: lips spread
PhoneTarget palatalGlide() {
  return consonant(C, 0.20f, 0.50f, 0, 0, 0, 0, 0.6f);
}
// t d
PhoneTarget alveolarStop() {
  return consonant(C, 0.20f, 0.20f, 0, 0, 0, 0.15f, 0.2f);
}
// n
PhoneTarget alveolarNasal() {
  return consonant(C, 0.20f, 0.15f, 0, 0, 0, 0.15f, 0.2f);
}
// k g ng and the fricatives made at the back: the lips follow the neighbours
PhoneTarget velar() {
  return consonant(C, 0.30f, 0.10f, 0, 0, 0, 0, 0.1f, 0.3f);
}
// h: shaped by the next vowel
PhoneTarget glottal() {
  return consonant(C, 0.40f, 0, 0, 0, 0, 0, 0.05f, 0.1f);
}
PhoneTarget bilabial() {
  return consonant(PhoneClass::Bilabial, 0.03f, 0, 0, 1.0f, 0, 0, 20.0f, 6.0f);
}
PhoneTarget labiodental() {
  return consonant(PhoneClass::Labiodental, 0.12f, 0.1f, 0, 0, 1.0f, 0, 12.0f, 3.0f);
}
PhoneTarget dental() {
  return consonant(PhoneClass::Dental, 0.18f, 0.1f, 0, 0, 0, 1.0f, 1.0f, 2.0f);
}

const std::map<std::string, PhoneTarget, std::less<>>& arpabet() {
  static const std::map<std::string, PhoneTarget, std::less<>> table = {
      {"AA", vowel(1.00f, 0.10f, 0.00f)},
      {"AE", vowel(0.85f, 0.45f, 0.00f)},
      {"AH", vowel(0.60f, 0.15f, 0.00f)},
      {"AO", vowel(0.80f, 0.00f, 0.50f)},
      {"AW", vowel(0.85f, 0.05f, 0.35f)},
      {"AY", vowel(0.85f, 0.30f, 0.00f)},
      {"EH", vowel(0.60f, 0.45f, 0.00f)},
      {"ER", vowel(0.40f, 0.00f, 0.40f)},
      {"EY", vowel(0.50f, 0.55f, 0.00f)},
      {"IH", vowel(0.35f, 0.50f, 0.00f)},
      {"IY", vowel(0.25f, 0.80f, 0.00f)},
      {"OW", vowel(0.55f, 0.00f, 0.70f)},
      {"OY", vowel(0.60f, 0.10f, 0.50f)},
      {"UH", vowel(0.35f, 0.00f, 0.55f)},
      {"UW", vowel(0.30f, 0.00f, 0.90f)},
      {"P", bilabial()},
      {"B", bilabial()},
      {"M", bilabial()},
      {"F", labiodental()},
      {"V", labiodental()},
      {"TH", dental()},
      {"DH", dental()},
      {"L", lateral()},
      {"S", sibilant()},
      {"Z", sibilant()},
      {"SH", postalveolar()},
      {"ZH", postalveolar()},
      {"CH", postalveolar()},
      {"JH", postalveolar()},
      {"W", labialGlide()},
      {"R", rhotic()},
      {"Y", palatalGlide()},
      {"T", alveolarStop()},
      {"D", alveolarStop()},
      {"N", alveolarNasal()},
      {"K", velar()},
      {"G", velar()},
      {"NG", velar()},
      {"HH", glottal()},
  };
  return table;
}

// IPA vowel letters: jaw opening from height, spread from frontness, round from rounding.
const std::map<std::string, PhoneTarget, std::less<>>& ipaVowels() {
  static const std::map<std::string, PhoneTarget, std::less<>> table = {
      {"i", vowel(0.25f, 0.80f, 0.0f)}, {"y", vowel(0.25f, 0.0f, 0.85f)},
      {"ɪ", vowel(0.35f, 0.50f, 0.0f)}, {"ʏ", vowel(0.35f, 0.0f, 0.6f)},
      {"e", vowel(0.45f, 0.60f, 0.0f)}, {"ø", vowel(0.45f, 0.0f, 0.7f)},
      {"ɛ", vowel(0.60f, 0.45f, 0.0f)}, {"œ", vowel(0.60f, 0.0f, 0.55f)},
      {"æ", vowel(0.85f, 0.45f, 0.0f)}, {"a", vowel(0.95f, 0.20f, 0.0f)},
      {"ɑ", vowel(1.00f, 0.10f, 0.0f)}, {"ɒ", vowel(0.90f, 0.0f, 0.4f)},
      {"ɔ", vowel(0.75f, 0.0f, 0.55f)}, {"o", vowel(0.55f, 0.0f, 0.75f)},
      {"ʊ", vowel(0.35f, 0.0f, 0.55f)}, {"u", vowel(0.30f, 0.0f, 0.90f)},
      {"ɯ", vowel(0.30f, 0.40f, 0.0f)}, {"ɤ", vowel(0.50f, 0.20f, 0.0f)},
      {"ʌ", vowel(0.60f, 0.15f, 0.0f)}, {"ə", vowel(0.45f, 0.10f, 0.0f)},
      {"ɐ", vowel(0.70f, 0.10f, 0.0f)}, {"ɜ", vowel(0.50f, 0.10f, 0.0f)},
      {"ɨ", vowel(0.30f, 0.30f, 0.0f)}, {"ʉ", vowel(0.30f, 0.0f, 0.7f)},
      {"ɘ", vowel(0.40f, 0.30f, 0.0f)}, {"ɵ", vowel(0.45f, 0.0f, 0.5f)},
      {"ɞ", vowel(0.55f, 0.0f, 0.5f)},  {"ɶ", vowel(0.90f, 0.0f, 0.4f)},
      {"ɚ", vowel(0.40f, 0.0f, 0.4f)},  {"ɝ", vowel(0.40f, 0.0f, 0.4f)},
      {"ʅ", vowel(0.25f, 0.30f, 0.0f)}, {"ɿ", vowel(0.20f, 0.40f, 0.0f)},
  };
  return table;
}

const std::map<std::string, PhoneTarget, std::less<>>& ipaConsonants() {
  static const std::map<std::string, PhoneTarget, std::less<>> table = {
      {"p", bilabial()},
      {"b", bilabial()},
      {"m", bilabial()},
      {"ɸ", bilabial()},
      {"β", bilabial()},
      {"ʙ", bilabial()},
      {"f", labiodental()},
      {"v", labiodental()},
      {"ɱ", labiodental()},
      {"ʋ", labiodental()},
      {"θ", dental()},
      {"ð", dental()},
      {"l", lateral()},
      {"ɫ", lateral()},
      {"ʎ", consonant(C, 0.25f, 0.20f, 0, 0, 0, 0.3f, 0.3f)},
      {"s", sibilant()},
      {"z", sibilant()},
      {"ʃ", postalveolar()},
      {"ʒ", postalveolar()},
      {"ɕ", consonant(C, 0.12f, 0.30f, 0.2f, 0, 0, 0, 1.5f, 2.0f)},
      {"ʑ", consonant(C, 0.12f, 0.30f, 0.2f, 0, 0, 0, 1.5f, 2.0f)},
      {"ʂ", consonant(C, 0.15f, 0, 0.45f, 0, 0, 0, 1.5f, 2.0f)},
      {"ʐ", consonant(C, 0.15f, 0, 0.45f, 0, 0, 0, 1.5f, 2.0f)},
      {"w", labialGlide()},
      {"ɥ", consonant(C, 0.15f, 0, 0.90f, 0, 0, 0, 4.0f, 1.0f)},
      {"ɹ", rhotic()},
      {"r", consonant(C, 0.25f, 0.10f, 0, 0, 0, 0.2f, 0.4f)},
      {"ɾ", consonant(C, 0.25f, 0.10f, 0, 0, 0, 0.2f, 0.3f)},
      {"ʁ", consonant(C, 0.30f, 0, 0.10f, 0, 0, 0, 0.2f, 0.3f)},
      {"j", palatalGlide()},
      {"t", alveolarStop()},
      {"d", alveolarStop()},
      {"n", alveolarNasal()},
      {"ɲ", consonant(C, 0.20f, 0.20f, 0, 0, 0, 0, 0.2f)},
      {"k", velar()},
      {"g", velar()},
      {"ɡ", velar()},
      {"ŋ", velar()},
      {"x", velar()},
      {"χ", velar()},
      {"ɣ", velar()},
      {"h", glottal()},
      {"ɦ", glottal()},
      {"ʔ", consonant(C, 0.30f, 0, 0, 0, 0, 0, 0.05f, 0.1f)},
      {"c", consonant(C, 0.20f, 0.30f, 0, 0, 0, 0, 0.3f)},
      {"ʈ", consonant(C, 0.20f, 0.20f, 0, 0, 0, 0.1f, 0.2f)},
      {"ɖ", consonant(C, 0.20f, 0.20f, 0, 0, 0, 0.1f, 0.2f)},
      {"ɳ", consonant(C, 0.20f, 0.20f, 0, 0, 0, 0.1f, 0.2f)},
  };
  return table;
}

// First UTF-8 code point of `s` starting at `pos`, as a string.
std::string_view codePointAt(std::string_view s, size_t pos) {
  if (pos >= s.size()) return {};
  const auto lead = static_cast<unsigned char>(s[pos]);
  size_t length = 1;
  if (lead >= 0xF0) {
    length = 4;
  } else if (lead >= 0xE0) {
    length = 3;
  } else if (lead >= 0xC0) {
    length = 2;
  }
  return s.substr(pos, std::min(length, s.size() - pos));
}

PhoneTarget ipaTarget(std::string_view phone) {
  // Affricates and clusters: the mouth shape of the last consonant letter that dominates
  // (tʃ -> ʃ, ts -> s); diphthongs: the first vowel, which is held longest.
  const PhoneTarget* vowelHit = nullptr;
  const PhoneTarget* consonantHit = nullptr;
  for (size_t pos = 0; pos < phone.size();) {
    const std::string_view cp = codePointAt(phone, pos);
    pos += std::max<size_t>(1, cp.size());
    if (auto it = ipaVowels().find(cp); it != ipaVowels().end()) {
      if (vowelHit == nullptr) vowelHit = &it->second;
    } else if (auto jt = ipaConsonants().find(cp); jt != ipaConsonants().end()) {
      const bool stronger =
          consonantHit == nullptr || jt->second.lipDominance >= consonantHit->lipDominance;
      if (stronger) consonantHit = &jt->second;
    }
  }
  if (vowelHit != nullptr && consonantHit == nullptr) return *vowelHit;
  if (consonantHit != nullptr && vowelHit == nullptr) return *consonantHit;
  if (consonantHit != nullptr && vowelHit != nullptr) {
    // A syllable-sized unit (some languages' phone names carry both): the vowel shape with
    // a strong consonant's lip closure kept.
    return consonantHit->lipDominance >= 10.0f ? *consonantHit : *vowelHit;
  }
  PhoneTarget unknown = vowel(0.35f, 0.1f, 0.0f);
  unknown.phoneClass = PhoneClass::Consonant;
  unknown.jawDominance = 0.2f;
  unknown.lipDominance = 0.1f;
  return unknown;
}

}  // namespace

PhoneTarget targetForPhone(const std::string& phone) {
  if (phone.empty() || phone[0] == '_' || phone == "SIL" || phone == "sil" ||
      (phone.front() == '+' && phone.back() == '+') || phone == "<s>" || phone == "</s>") {
    return silence();
  }
  // ARPAbet: upper-case ASCII letters with an optional stress digit.
  std::string base;
  bool ascii = true;
  for (char c : phone) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      base += c;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      ascii = false;
      break;
    }
  }
  if (ascii && !base.empty()) {
    if (auto it = arpabet().find(base); it != arpabet().end()) return it->second;
  }
  return ipaTarget(phone);
}

size_t leadingConsonantBytes(const std::string& phone) {
  size_t pos = 0;
  while (pos < phone.size()) {
    const std::string_view cp = codePointAt(phone, pos);
    if (ipaConsonants().find(cp) == ipaConsonants().end()) break;
    pos += cp.size();
  }
  if (pos == 0 || pos >= phone.size()) return 0;
  for (size_t rest = pos; rest < phone.size();) {
    const std::string_view cp = codePointAt(phone, rest);
    if (ipaVowels().find(cp) != ipaVowels().end()) return pos;
    rest += std::max<size_t>(1, cp.size());
  }
  return 0;
}

const char* phoneClassName(PhoneClass phoneClass) {
  switch (phoneClass) {
    case PhoneClass::Silence:
      return "silence";
    case PhoneClass::Vowel:
      return "vowel";
    case PhoneClass::Bilabial:
      return "bilabial";
    case PhoneClass::Labiodental:
      return "labiodental";
    case PhoneClass::Dental:
      return "dental";
    case PhoneClass::Consonant:
      return "consonant";
  }
  return "consonant";
}

}  // namespace dh::speech
