#pragma once
// Phonetic decoding of recorded English speech with PocketSphinx's all-phone search: no words,
// just the phones and their times, which is what lip sync needs.
#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "speech/pause_split.h"
#include "speech/timed_phone.h"

namespace dh::speech {

struct PhoneRecognizerConfig {
  std::string modelDir = "/usr/share/pocketsphinx/model/en-us";  // holds en-us/, the phone LM
  double beam = 1e-48;          // main search beam (PocketSphinx's default; narrower beams
                                // lose the path on real recordings)
  double phoneBeam = 1e-48;     // phone-level beam (default)
  double languageWeight = 4.0;  // phone language model weight (higher = fewer phones)
  int topGaussians = 2;         // Gaussians scored per senone (fewer = faster)
  int frameSkip = 1;            // 1 = score every 10 ms frame, 2 = every other one (faster)
  int maxHmmsPerFrame = 30000;  // cap on active HMMs per frame (smaller = faster)
  // Monophones only: about 8x faster than triphones, with similar phone accuracy here.
  bool contextIndependent = true;
  // Long recordings are cut at pauses into pieces recognised in parallel; the cut points depend
  // only on the audio, so the phones do not depend on the machine's core count.
  PauseSplitConfig split;
  int threads = 0;  // pieces decoded at once; 0 = one per core
};

constexpr int kRecognizerSampleRate = 16000;  // Hz expected of the audio

// ARPAbet phones ("AH", "P", "SIL", noise tokens like "+SPN+") with times in seconds.
// `mono16k` is mono float audio at 16 kHz. Thread-safe: each piece decodes with its own decoder
// (loading one takes about 20 ms), so results do not depend on earlier calls.
// `skip`: stretches known to be silent (see innerSilences), left out of the recognition and
// labelled SIL; they cost nothing to decode.
std::vector<TimedPhone> recognizePhones(const std::vector<float>& mono16k,
                                        const PhoneRecognizerConfig& config = {},
                                        const std::vector<SampleSpan>& skip = {});

// One piece of a recording (cut at a pause) and its phones, timed from the recording's start.
struct RecognisedPiece {
  SampleSpan span;
  std::vector<TimedPhone> phones;
};

// Called once per piece as it is recognised, one call at a time, from a decoding thread.
using PieceCallback = std::function<void(size_t index, size_t count, RecognisedPiece piece)>;

// The pieces of a recording (cut at pauses, PhoneRecognizerConfig::split), each handed out once:
// in time order from the front, or from the back to a helper that should not take the pieces
// needed first. Thread-safe.
class PieceQueue {
 public:
  PieceQueue(const std::vector<float>& mono16k, const PauseSplitConfig& split);
  std::optional<size_t> takeFront();
  std::optional<size_t> takeBack();
  const std::vector<SampleSpan>& spans() const { return spans_; }

 private:
  const std::vector<SampleSpan> spans_;
  std::mutex mutex_;
  size_t front_ = 0;
  size_t back_;  // pieces [front_, back_) are still to be taken
};

// Recognises piece `index` of `queue`, as recognizePieces does.
RecognisedPiece recognizeQueuedPiece(const std::vector<float>& mono16k, const PieceQueue& queue,
                                     size_t index, const PhoneRecognizerConfig& config,
                                     const std::vector<SampleSpan>& skip = {});

// recognizePhones piece by piece: `onPiece` hears of each piece as soon as it is done. Pieces
// are started in time order. When `stop` is set, no further piece is started. Rethrows the first
// failure after every started piece has ended.
void recognizePieces(const std::vector<float>& mono16k, const PhoneRecognizerConfig& config,
                     const PieceCallback& onPiece, const std::atomic<bool>* stop = nullptr,
                     const std::vector<SampleSpan>& skip = {});
// The same over the pieces of `queue` still there, taken from the front; a helper may take
// others from the back meanwhile.
void recognizePieces(const std::vector<float>& mono16k, const PhoneRecognizerConfig& config,
                     PieceQueue& queue, const PieceCallback& onPiece,
                     const std::atomic<bool>* stop = nullptr,
                     const std::vector<SampleSpan>& skip = {});

// Appends a piece's phones in order; silence meeting silence at the cut becomes one.
void appendPiece(std::vector<TimedPhone>& phones, const RecognisedPiece& piece);

}  // namespace dh::speech
