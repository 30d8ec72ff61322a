#pragma once
// The live sessions of one server and the WebSocket endpoint they stream on
// (ws://HOST:PORT/v1/live/sessions/<id>). A session is made by the HTTP API (portrait decoded and
// analysed, renderer ready), waits for its connection, streams while connected and is gone with
// it: a closed socket frees everything. Sessions idle longer than the configured time are closed,
// and so are unused ones; caps bound sessions per key and on the node.
#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "face/face_analysis.h"
#include "live/live_session.h"

namespace dh::live {

struct HubSettings {
  std::string host = "127.0.0.1";  // listen address
  int port = 0;                    // listen port; 0 picks a free one
  double idleSeconds = 120.0;      // no client message for this long closes a session; a new one
                                   // not connected within it is dropped
  int maxSessions = 4;             // live sessions on this node (each renders in real time)
  int maxPerKey = 2;               // live sessions of one API key
  size_t maxBufferedBytes = 16u << 20;  // a client this far behind the stream is disconnected
  size_t maxMessageBytes = 1u << 20;    // largest client message (audio chunks included)
};

// A cap of HubSettings is reached; `perKey` tells which.
class LimitReached : public std::runtime_error {
 public:
  LimitReached(const std::string& message, bool perKey)
      : std::runtime_error(message), perKey_(perKey) {}
  bool perKey() const noexcept { return perKey_; }

 private:
  bool perKey_;
};

struct SessionRequest {
  std::string accountId;
  cv::Mat photo;            // decoded portrait
  face::FaceAnalysis face;  // its analysis
  SessionSettings settings;
  std::function<void(double)> onSpeech;  // seconds of speech played, for billing
};

struct CreatedSession {
  std::string id;           // 32 hex digits (128 random bits): the connection's only key
  int64_t expiresAtMs = 0;  // Unix ms by which the client must connect
};

class LiveHub {
 public:
  // `describe` turns exceptions into error events; `newId` makes session ids.
  LiveHub(HubSettings settings, ErrorDescriber describe, std::function<std::string()> newId);
  ~LiveHub();  // stop()
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // Listens (resolving port 0); returns the port.
  int bind();
  // Serves connections on a thread of its own until stop().
  void start();
  // Closes every connection and frees every session.
  void stop();

  // Throws LimitReached when `accountId` (or the node) may not open another session.
  void checkCapacity(const std::string& accountId) const;
  // Prepares a session (renderer and encoder ready) that waits for its connection.
  CreatedSession create(SessionRequest request);

  int port() const;
  size_t sessionCount() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dh::live
