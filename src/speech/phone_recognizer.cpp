#include "speech/phone_recognizer.h"

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/log.h"

namespace dh::speech {
namespace {

struct DecoderDeleter {
  void operator()(ps_decoder_t* decoder) const { ps_free(decoder); }
};
using DecoderPtr = std::unique_ptr<ps_decoder_t, DecoderDeleter>;

constexpr double kFrameSeconds = 0.01;  // PocketSphinx's frame rate is 100 per second

std::string formatDouble(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

DecoderPtr makeDecoder(const PhoneRecognizerConfig& config) {
  namespace fs = std::filesystem;
  const fs::path root(config.modelDir);
  const fs::path hmm = root / "en-us";
  const fs::path phoneLm = root / "en-us-phone.lm.bin";
  for (const fs::path& needed : {hmm, phoneLm}) {
    if (!fs::exists(needed)) {
      throw core::Error(core::ErrorKind::Internal,
                        "PocketSphinx model missing: " + needed.string() +
                            " (install the pocketsphinx-en-us package)");
    }
  }
  const std::string beam = formatDouble(config.beam);
  const std::string phoneBeam = formatDouble(config.phoneBeam);
  const std::string lw = formatDouble(config.languageWeight);
  const std::string topn = std::to_string(config.topGaussians);
  const std::string ds = std::to_string(std::max(1, config.frameSkip));
  const std::string maxHmm = std::to_string(config.maxHmmsPerFrame);
  // clang-format off
  const std::vector<const char*> argv = {
      "-hmm", hmm.c_str(),
      "-allphone", phoneLm.c_str(),
      "-allphone_ci", config.contextIndependent ? "yes" : "no",
      "-beam", beam.c_str(),
      "-pbeam", phoneBeam.c_str(),
      "-lw", lw.c_str(),
      "-topn", topn.c_str(),
      "-ds", ds.c_str(),
      "-maxhmmpf", maxHmm.c_str(),
      "-remove_silence", "no",  // keep every frame: dropping silence would shift the times
      "-logfn", "/dev/null",
  };
  // clang-format on

  // The parser copies what it needs; the strings only have to outlive the call.
  cmd_ln_t* args = cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()),
                                  const_cast<char**>(argv.data()), TRUE);
  if (args == nullptr) {
    throw core::Error(core::ErrorKind::Internal, "PocketSphinx rejected its configuration");
  }
  DecoderPtr decoder(ps_init(args));
  cmd_ln_free_r(args);  // the decoder holds its own reference
  if (!decoder) {
    throw core::Error(core::ErrorKind::Internal,
                      "PocketSphinx could not load the model in " + config.modelDir);
  }
  return decoder;
}

// A fresh decoder per call: loading takes ~20 ms (the model files are memory-mapped), and a
// reused decoder carries cepstral-mean state from the previous clip, which changes the result.
// Loading is serialised because sphinxbase's logging and argument parsing are process-global.
DecoderPtr loadDecoder(const PhoneRecognizerConfig& config) {
  static std::mutex loadMutex;
  std::lock_guard lock(loadMutex);
  err_set_logfp(nullptr);
  return makeDecoder(config);
}

std::vector<int16_t> toPcm16(const float* begin, const float* end) {
  std::vector<int16_t> pcm(static_cast<size_t>(end - begin));
  std::transform(begin, end, pcm.begin(), [](float s) {
    return static_cast<int16_t>(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f));
  });
  return pcm;
}

// Recognises audio on its own; times are relative to its start.
std::vector<TimedPhone> recognizePcm(const std::vector<int16_t>& pcm,
                                     const PhoneRecognizerConfig& config) {
  const DecoderPtr decoder = loadDecoder(config);
  ps_decoder_t* ps = decoder.get();
  if (ps_start_utt(ps) < 0) {
    throw core::Error(core::ErrorKind::Internal, "PocketSphinx could not start an utterance");
  }
  // full_utt = TRUE: the whole piece at once, so cepstral mean normalisation sees all of it.
  if (ps_process_raw(ps, pcm.data(), pcm.size(), FALSE, TRUE) < 0) {
    ps_end_utt(ps);
    throw core::Error(core::ErrorKind::Internal, "PocketSphinx failed to decode the audio");
  }
  ps_end_utt(ps);

  std::vector<TimedPhone> phones;
  for (ps_seg_t* seg = ps_seg_iter(ps); seg != nullptr; seg = ps_seg_next(seg)) {
    int startFrame = 0;
    int endFrame = 0;
    ps_seg_frames(seg, &startFrame, &endFrame);
    const char* word = ps_seg_word(seg);
    TimedPhone phone;
    phone.phone = word != nullptr ? word : "SIL";
    phone.start = startFrame * kFrameSeconds;
    phone.end = (endFrame + 1) * kFrameSeconds;
    phones.push_back(std::move(phone));
  }
  return phones;
}

// The parts of `span` outside the (ordered, disjoint) `skip` spans.
std::vector<SampleSpan> keptParts(const SampleSpan& span, const std::vector<SampleSpan>& skip) {
  std::vector<SampleSpan> kept;
  size_t at = span.begin;
  for (const SampleSpan& gap : skip) {
    if (gap.end <= at || gap.begin >= span.end) continue;
    if (gap.begin > at) kept.push_back({at, gap.begin});
    at = std::min(std::max(gap.end, at), span.end);
  }
  if (at < span.end) kept.push_back({at, span.end});
  return kept;
}

// Appends a phone; silence that meets silence (within a frame and a half) extends it instead.
void appendPhone(std::vector<TimedPhone>& phones, const std::string& label, double start,
                 double end) {
  if (end <= start) return;
  if (!phones.empty() && label == "SIL" && phones.back().phone == "SIL" &&
      start - phones.back().end < kFrameSeconds * 1.5) {
    phones.back().end = end;
    return;
  }
  phones.push_back({label, start, end});
}

// Recognises `span` of the recording without its `skip` parts: the kept parts are heard end to
// end, and the times are mapped back, the skipped stretches becoming SIL. Times are seconds
// from the recording's start.
std::vector<TimedPhone> recognizePiece(const std::vector<float>& mono, const SampleSpan& span,
                                       const std::vector<SampleSpan>& skip,
                                       const PhoneRecognizerConfig& config) {
  const auto seconds = [](size_t sample) {
    return static_cast<double>(sample) / kRecognizerSampleRate;
  };
  const std::vector<SampleSpan> kept = keptParts(span, skip);
  if (kept.empty()) return {{"SIL", seconds(span.begin), seconds(span.end)}};
  std::vector<int16_t> pcm;
  std::vector<size_t> joinedStart;  // where each kept part begins in `pcm`
  for (const SampleSpan& part : kept) {
    joinedStart.push_back(pcm.size());
    const std::vector<int16_t> samples = toPcm16(mono.data() + part.begin, mono.data() + part.end);
    pcm.insert(pcm.end(), samples.begin(), samples.end());
  }
  // The part holding joined sample `at`; an end at a part's last sample stays in that part.
  const auto partOf = [&](double at, bool isEnd) {
    size_t k = 0;
    while (k + 1 < kept.size() && (isEnd ? at > joinedStart[k + 1] : at >= joinedStart[k + 1])) {
      ++k;
    }
    return k;
  };
  const auto original = [&](double at, size_t k) {
    const double offset = std::clamp(at - static_cast<double>(joinedStart[k]), 0.0,
                                     static_cast<double>(kept[k].end - kept[k].begin));
    return (static_cast<double>(kept[k].begin) + offset) / kRecognizerSampleRate;
  };

  std::vector<TimedPhone> phones;
  appendPhone(phones, "SIL", seconds(span.begin), seconds(kept.front().begin));
  for (const TimedPhone& phone : recognizePcm(pcm, config)) {
    const double from = phone.start * kRecognizerSampleRate;
    const double to = phone.end * kRecognizerSampleRate;
    const size_t first = partOf(from, false);
    const size_t last = partOf(to, true);
    // A phone over a cut is split there, with the skipped stretch between as SIL.
    for (size_t k = first; k <= last; ++k) {
      const double start = k == first ? original(from, k) : seconds(kept[k].begin);
      const double end = k == last ? original(to, k) : seconds(kept[k].end);
      if (k > first) appendPhone(phones, "SIL", seconds(kept[k - 1].end), start);
      appendPhone(phones, phone.phone, start, end);
    }
  }
  appendPhone(phones, "SIL", seconds(kept.back().end), seconds(span.end));
  return phones;
}

}  // namespace

void appendPiece(std::vector<TimedPhone>& phones, const RecognisedPiece& piece) {
  for (const TimedPhone& p : piece.phones) appendPhone(phones, p.phone, p.start, p.end);
}

PieceQueue::PieceQueue(const std::vector<float>& mono16k, const PauseSplitConfig& split)
    : spans_(splitAtPauses(mono16k, kRecognizerSampleRate, split)), back_(spans_.size()) {}

std::optional<size_t> PieceQueue::takeFront() {
  std::lock_guard lock(mutex_);
  if (front_ >= back_) return std::nullopt;
  return front_++;
}

std::optional<size_t> PieceQueue::takeBack() {
  std::lock_guard lock(mutex_);
  if (front_ >= back_) return std::nullopt;
  return --back_;
}

RecognisedPiece recognizeQueuedPiece(const std::vector<float>& mono16k, const PieceQueue& queue,
                                     size_t index, const PhoneRecognizerConfig& config,
                                     const std::vector<SampleSpan>& skip) {
  RecognisedPiece piece;
  piece.span = queue.spans().at(index);
  piece.phones = recognizePiece(mono16k, piece.span, skip, config);
  return piece;
}

void recognizePieces(const std::vector<float>& mono16k, const PhoneRecognizerConfig& config,
                     PieceQueue& queue, const PieceCallback& onPiece, const std::atomic<bool>* stop,
                     const std::vector<SampleSpan>& skip) {
  const size_t count = queue.spans().size();
  std::mutex callbackMutex;
  std::vector<std::exception_ptr> failures(count);
  const auto decodePieces = [&] {
    // Pieces are taken in time order, so the start of the recording is known first.
    while (const std::optional<size_t> i = queue.takeFront()) {
      if (stop != nullptr && stop->load()) return;
      try {
        RecognisedPiece piece = recognizeQueuedPiece(mono16k, queue, *i, config, skip);
        std::lock_guard lock(callbackMutex);
        onPiece(*i, count, std::move(piece));
      } catch (...) {
        failures[*i] = std::current_exception();
      }
    }
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t threadCount =
      std::min(count, static_cast<size_t>(config.threads > 0 ? config.threads : cores));
  std::vector<std::thread> threads;
  for (size_t t = 1; t < threadCount; ++t) threads.emplace_back(decodePieces);
  decodePieces();
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

void recognizePieces(const std::vector<float>& mono16k, const PhoneRecognizerConfig& config,
                     const PieceCallback& onPiece, const std::atomic<bool>* stop,
                     const std::vector<SampleSpan>& skip) {
  PieceQueue queue(mono16k, config.split);
  recognizePieces(mono16k, config, queue, onPiece, stop, skip);
}

std::vector<TimedPhone> recognizePhones(const std::vector<float>& mono16k,
                                        const PhoneRecognizerConfig& config,
                                        const std::vector<SampleSpan>& skip) {
  std::vector<RecognisedPiece> pieces;
  recognizePieces(
      mono16k, config,
      [&](size_t index, size_t count, RecognisedPiece piece) {
        pieces.resize(count);
        pieces[index] = std::move(piece);
      },
      nullptr, skip);
  std::vector<TimedPhone> phones;
  for (const RecognisedPiece& piece : pieces) appendPiece(phones, piece);
  core::logger("speech")->debug("recognised {} phones in {:.2f} s of audio ({} pieces)",
                                phones.size(), mono16k.size() / 16000.0, pieces.size());
  return phones;
}

}  // namespace dh::speech
