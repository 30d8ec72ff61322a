#pragma once
// One live avatar: an analysed portrait that speaks what it is given, as an endless fragmented
// MP4 stream paced in real time. Between utterances the face listens (blinks, gaze, breathing,
// small head motion); text is synthesised sentence by sentence on a thread of its own, so the
// first sentence plays while the next is prepared.
//
// Output, in order: the initialisation segment, then fragments of `fragmentFrames` frames (video
// and sound), and JSON events: {"type":"speaking_started"} just before the fragment holding an
// utterance's first frame, {"type":"speaking_ended"} just after the one holding its last, and
// {"type":"error"} for a request that could not be served.
#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "face/face_analysis.h"
#include "pipeline/render_settings.h"

namespace dh::live {

struct SessionSettings {
  pipeline::Mode mode = pipeline::Mode::Standard;
  std::string prompt;   // style words as for tasks (energy, expression; camera words are ignored)
  std::string voiceId;  // empty: the default voice
  uint64_t seed = 1;
  int fragmentFrames = 2;       // frames per fragment (at 25 fps: 80 ms)
  double leadSeconds = 0.08;    // frames are drawn up to this far ahead of real time
  size_t maxQueued = 8;         // utterances waiting to play; more is refused
  double maxAudioSeconds = 60;  // longest raw audio utterance
};

// Where a session's output goes (the WebSocket connection). Called from the session's threads.
class SessionOutput {
 public:
  virtual ~SessionOutput() = default;
  virtual void sendBinary(std::vector<uint8_t> bytes) = 0;
  virtual void sendEvent(const nlohmann::json& event) = 0;
  // Ends the connection: the session cannot go on (`reason` for the close frame).
  virtual void close(const std::string& reason) = 0;
};

// Turns an exception into the error event's {"code", "message", "param"} (the API's table).
using ErrorDescriber = std::function<nlohmann::json(const std::exception&)>;

class LiveSession {
 public:
  // `photo`: the decoded portrait; `face`: its analysis, in the photo's pixels.
  // `onSpeech(seconds)` is told the length of every piece of speech played (for billing).
  LiveSession(const cv::Mat& photo, const face::FaceAnalysis& face, SessionSettings settings,
              SessionOutput& output, ErrorDescriber describe,
              std::function<void(double)> onSpeech = {});
  // Stops both threads; nothing is sent after it returns.
  ~LiveSession();
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  // Sends the initialisation segment and starts streaming.
  void start();

  // A client message: JSON text or binary audio. Problems are answered with an error event.
  void onText(const std::string& message);
  void onBinary(std::span<const uint8_t> bytes);

  cv::Size frameSize() const;
  int fps() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dh::live
