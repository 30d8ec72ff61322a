#pragma once
// A live session as a test client sees it: opened through a real `dh serve`, its WebSocket read
// message by message, events parsed, fragments kept with their arrival times.
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "service_harness.h"
#include "websocket_client.h"

namespace dh::test {

using LiveClock = std::chrono::steady_clock;

// POST /v1/live/sessions with the Base64 of tests/data/`face` and `extra` fields; the response.
httplib::Result openLiveSession(ServeProcess& server, const std::string& key,
                                const std::string& face, nlohmann::json extra = {});

class LiveClient {
 public:
  explicit LiveClient(const std::string& wsUrl);

  WebSocketClient& socket() { return *socket_; }
  // Sends a JSON message; returns when it was sent.
  LiveClock::time_point send(const nlohmann::json& message);

  // Reads until `stop` is true for a message (true) or `seconds` pass (false). Every message
  // read is kept.
  bool readUntil(const std::function<bool(const SocketMessage&)>& stop, double seconds);
  // Reads until the event of `type` comes; the event, or null after the time.
  nlohmann::json waitForEvent(const std::string& type, double seconds);

  const std::vector<SocketMessage>& messages() const { return messages_; }
  // The init segment followed by every fragment read so far, as one fragmented MP4 file.
  void writeStream(const std::string& path) const;

 private:
  std::unique_ptr<WebSocketClient> socket_;
  std::vector<SocketMessage> messages_;
};

// The event in a text message, else null.
nlohmann::json eventOf(const SocketMessage& message);

// Mono float samples of the first audio stream of `path` at `rate` (ffmpeg).
std::vector<float> decodeAudio(const std::string& path, int rate);

// Start and end (seconds) of the part of `samples` louder than `threshold` (RMS per 10 ms).
std::pair<double, double> loudSpan(const std::vector<float>& samples, int rate,
                                   double threshold = 0.01);

}  // namespace dh::test
