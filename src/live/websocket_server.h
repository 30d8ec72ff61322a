#pragma once
// A small WebSocket server over websocketpp (standalone asio). websocketpp's headers do not
// compile as C++20, so they stay inside websocket_server.cpp, which is built as C++17; this
// header is plain C++17 too. Connections are named by numbers; every call is thread-safe.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace dh::live {

using ConnectionId = uint64_t;

struct WebSocketHandlers {
  // A connection asks for `path` (the query string removed): accept it, or refuse it with HTTP
  // 404 and `refusal` as the JSON body.
  std::function<bool(ConnectionId, const std::string& path, std::string& refusal)> accept;
  std::function<void(ConnectionId)> opened;
  std::function<void(ConnectionId, bool binary, const std::string& payload)> message;
  // Closed by either side, or failed: no more messages come from it.
  std::function<void(ConnectionId)> closed;
};

class WebSocketServer {
 public:
  WebSocketServer(WebSocketHandlers handlers, size_t maxMessageBytes);
  ~WebSocketServer();
  WebSocketServer(const WebSocketServer&) = delete;
  WebSocketServer& operator=(const WebSocketServer&) = delete;

  // Listens on `host`:`port` (0: a free port) and returns the port. Throws std::runtime_error.
  int listen(const std::string& host, int port);
  // Serves until stop(); call on a thread of its own.
  void run();
  // Stops accepting connections (open ones stay).
  void stopListening();
  // Ends run() and drops every connection.
  void stop();

  // Queues a message; false when the connection is gone.
  bool send(ConnectionId id, const void* data, size_t size, bool binary);
  // Bytes queued for the connection and not yet taken by the network.
  size_t buffered(ConnectionId id);
  // Starts the closing handshake with a status code (1000 normal, 1001 going away, 1008 policy).
  void close(ConnectionId id, int code, const std::string& reason);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dh::live
