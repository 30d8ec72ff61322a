#pragma once
// What each phone asks of the mouth: targets for every articulation parameter and how strongly
// the phone holds them against its neighbours (dominance, as in Cohen and Massaro's model).
#include <string>

#include "speech/articulation_track.h"

namespace dh::speech {

enum class PhoneClass {
  Silence,  // pause, breath, noise
  Vowel,
  Bilabial,     // p b m: lips pressed shut
  Labiodental,  // f v: lower lip tucked under the upper teeth
  Dental,       // th: tongue tip between the teeth
  Consonant,    // the rest
};

struct PhoneTarget {
  PhoneClass phoneClass = PhoneClass::Consonant;
  MouthPose pose;
  float jawDominance = 1.0f;     // how firmly the phone holds the jaw target
  float lipDominance = 1.0f;     // ... the lip targets (spread, round, press, tuck)
  float tongueDominance = 1.0f;  // ... the tongue target
};

// Targets for an ARPAbet phone from recognition ("AA1", "P", "SIL", "+NSN+") or an IPA phone
// from espeak-ng ("aɪ", "p", "ʃ", "_"). Unknown phones get a neutral, weakly held target.
PhoneTarget targetForPhone(const std::string& phone);

const char* phoneClassName(PhoneClass phoneClass);

// Bytes of leading consonant letters when an IPA phone name also holds a vowel after them
// (espeak-ng sometimes reports "miː" as one phone); 0 otherwise.
size_t leadingConsonantBytes(const std::string& phone);

}  // namespace dh::speech
