#pragma once
// A WebSocket client for tests (websocketpp over standalone asio, in a C++17 source file of its
// own as the server's is). Messages are kept in arrival order with the time they arrived.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace dh::test {

struct SocketMessage {
  bool binary = false;
  std::string payload;
  std::chrono::steady_clock::time_point arrived;
};

class WebSocketClient {
 public:
  // Connects to `url` (ws://...) within `timeout`; throws std::runtime_error with the HTTP status
  // of a refused handshake (httpStatus() tells it too).
  explicit WebSocketClient(const std::string& url,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  void sendText(const std::string& text);
  void sendBinary(const std::string& bytes);
  // The next message, waiting up to `timeout`; none when it did not come (or the socket closed).
  std::optional<SocketMessage> next(std::chrono::milliseconds timeout);
  // Closes from this side (normal closure) and waits briefly for the handshake.
  void close();
  bool closed() const;
  // The server's close code and reason once closed (0 and "" before).
  int closeCode() const;
  std::string closeReason() const;

  // The HTTP status of a refused handshake (connect to a URL expected to fail with it).
  static int refusedStatus(const std::string& url);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dh::test
