#pragma once
// Shared helpers for the speech tests: decoding the real clips and measuring tracks.
#include <string>
#include <vector>

#include "speech/articulation_track.h"

namespace dh::test {

// A clip from tests/data decoded to mono 16 kHz.
std::vector<float> monoClip(const std::string& relative);

// Frame RMS levels in dBFS, one per `1/fps` seconds, measured directly on the samples.
std::vector<double> frameLevelsDb(const std::vector<float>& mono16k, double fps);

// Runs of silence at least `minSeconds` long, as [first, last) frame indices: frames more than
// 30 dB below the clip's loud level, or within 6 dB of its noise floor when that is higher.
double silenceThresholdDb(const std::vector<double>& levelsDb);
std::vector<std::pair<size_t, size_t>> silentRuns(const std::vector<double>& levelsDb, double fps,
                                                  double minSeconds);

// 60 s of real speech at 16 kHz: two English recordings alternated until a minute is full.
std::vector<float> minuteOfSpeech();

std::vector<float> jawCurve(const speech::ArticulationTrack& track);

// Generated audio (made at run time): seconds of digital silence / of white noise at `dbfs`.
std::vector<float> silence16k(double seconds);
std::vector<float> whiteNoise16k(double seconds, double dbfs, unsigned seed);

}  // namespace dh::test
