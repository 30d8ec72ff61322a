#pragma once
// The articulation track of a voice, delivered as it becomes known: the acoustic cues (frame
// count, loudness, voicing, stress) at once, each frame's mouth pose as soon as the phones around
// it are recognised. Recognition runs in the background piece by piece in time order, so a render
// can start drawing while the rest of the voice is still being recognised. While nothing is known
// yet and a consumer waits, a helper thread recognises pieces from the end of the voice, so the
// core the waiting consumer leaves free is not idle. Every pose is exactly the one
// analyzeSpeech() gives for the same inputs.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "speech/speech_analysis.h"

namespace dh::speech {

class ArticulationFeed {
 public:
  // Measures the voice and starts recognising it. Throws core::Error(ContentRejected, "no speech
  // found in the audio", audioField) before starting anything. `phones` given (from the speech
  // synthesiser) or recognition switched off: every pose is known on return.
  ArticulationFeed(std::vector<float> mono16k, double fps, std::vector<TimedPhone> phones,
                   std::string audioField = "sound_file", SpeechAnalysisConfig config = {});
  // Stops starting new pieces and waits for the ones under way.
  ~ArticulationFeed();
  ArticulationFeed(const ArticulationFeed&) = delete;
  ArticulationFeed& operator=(const ArticulationFeed&) = delete;

  // Loudness, voicing and stress for every frame, final from the start. Its mouth poses are
  // placeholders: use pose().
  const ArticulationTrack& cues() const { return cues_; }
  size_t frameCount() const { return cues_.size(); }

  // Frame `index`'s mouth pose, waiting until it is final. Rethrows a recognition failure.
  MouthPose pose(size_t index);

  // Frames whose poses are final so far, and how that count grew: one entry per publication.
  size_t finalFrames();
  std::vector<size_t> publications();
  // Pieces the helper has recognised (see above).
  size_t helpedPieces();

 private:
  void recognise();
  void helpFromTheBack();
  void onPiece(size_t index, size_t count, RecognisedPiece piece);
  void publish(const ArticulationTrack& track, size_t upTo);

  const std::vector<float> mono_;
  const double fps_;
  const SpeechAnalysisConfig config_;
  AcousticFeatures features_;
  ArticulationTrack cues_;

  std::mutex mutex_;
  std::condition_variable published_;
  std::vector<MouthPose> poses_;  // frames [0, final_) are final
  size_t final_ = 0;
  std::vector<size_t> publications_;
  std::exception_ptr failure_;

  std::unique_ptr<PieceQueue> queue_;
  std::vector<SampleSpan> skip_;  // silences the recogniser skips

  std::mutex piecesMutex_;  // onPiece's state: the recognition thread's and the helper's
  std::vector<RecognisedPiece> pieces_;
  std::vector<bool> done_;
  size_t prefix_ = 0;  // pieces [0, prefix_) are recognised
  size_t helped_ = 0;  // of which by the helper

  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::thread helper_;  // started at most once, by pose(); guarded by mutex_
};

}  // namespace dh::speech
