#pragma once
// The language-independent acoustic path: per 10 ms frame, loudness, voice activity, voicing,
// formant-based openness/rounding cues and fricative energy.
#include <cstdint>
#include <string>
#include <vector>

namespace dh::speech {

struct AcousticConfig {
  int sampleRate = 16000;               // Hz of the mono input
  double hopSeconds = 0.01;             // frame step
  double windowSeconds = 0.025;         // analysis window
  double speechPercentile = 0.95;       // frame level taken as the clip's "loud speech" level
  double floorPercentile = 0.10;        // frame level taken as the clip's noise floor
  double loudnessRangeDb = 40.0;        // loudness 0..1 spans this many dB below the speech level
  double activityAboveFloorDb = 9.0;    // speech is at least this far above the noise floor
  double activityBelowSpeechDb = 32.0;  // ... and no further than this below the speech level
  double minSpeechRunSeconds = 0.05;    // shorter bursts are not speech
  double fillGapSeconds = 0.08;         // shorter gaps inside speech are bridged
  double minVoicedSeconds = 0.04;       // a stretch of sound needs this much pitched voice
  // Recordings whose level spans less than this (speech percentile to floor percentile, dB) are
  // speech under loud noise: their level is measured above each band's noise instead.
  double noisyRangeDb = 15.0;
  double noiseBandPercentile = 0.2;  // a band's noise power: this percentile over the clip
  double overSubtraction = 2.0;      // noise power is subtracted this many times over
};

struct AcousticFeatures {
  double hopSeconds = 0.01;
  std::vector<float> levelDb;    // frame RMS level, dBFS
  std::vector<float> loudness;   // 0..1 relative to the clip's speech level, smoothed
  std::vector<uint8_t> active;   // 1 = speech activity
  std::vector<float> voicing;    // 0..1 normalised autocorrelation peak at the pitch lag
  std::vector<float> pitchHz;    // voice pitch (F0) where voiced (voicing >= 0.5), else 0
  std::vector<float> f1;         // Hz, first formant estimate (0 where unvoiced)
  std::vector<float> f2;         // Hz, second formant estimate (0 where unvoiced)
  std::vector<float> fricative;  // 0..1 share of energy above 4 kHz
  // Power in the 1.8-3.2 kHz band (the region of F2 and F3), dB. Of the voice's spectrum it is
  // the band whose envelope follows the area of the mouth opening most closely (Chandrasekaran
  // et al. 2009, "The natural statistics of audiovisual speech", PLoS Comput Biol 5(7)).
  std::vector<float> mouthBandDb;
  double speechLevelDb = -120.0;  // the clip's loud-speech level
  double noiseFloorDb = -120.0;   // the clip's noise floor
  bool denoised = false;          // levelDb was measured above the bands' noise (loud noise)

  size_t size() const { return levelDb.size(); }
  double seconds() const { return size() * hopSeconds; }
};

AcousticFeatures analyzeAcoustics(const std::vector<float>& mono,
                                  const AcousticConfig& config = {});

// Whether the features show speech: enough active time, voiced (periodic) frames among it and a
// level that varies like speech rather than steady noise. `reason` says why not.
bool containsSpeech(const AcousticFeatures& features, std::string* reason = nullptr);

}  // namespace dh::speech
