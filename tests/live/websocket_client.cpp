#include "websocket_client.h"

#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace dh::test {
namespace {

using Endpoint = websocketpp::client<websocketpp::config::asio_client>;
using Clock = std::chrono::steady_clock;

}  // namespace

struct WebSocketClient::State {
  Endpoint endpoint;
  Endpoint::connection_ptr connection;
  std::thread thread;
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<SocketMessage> messages;
  bool open = false;
  bool failed = false;
  bool isClosed = false;
  int httpStatus = 0;
  int closeCode = 0;
  std::string closeReason;

  void connect(const std::string& url) {
    endpoint.clear_access_channels(websocketpp::log::alevel::all);
    endpoint.clear_error_channels(websocketpp::log::elevel::all);
    endpoint.init_asio();
    std::error_code ec;
    connection = endpoint.get_connection(url, ec);
    if (ec) throw std::runtime_error("bad WebSocket URL " + url + ": " + ec.message());
    connection->set_open_handler([this](websocketpp::connection_hdl) {
      std::lock_guard<std::mutex> lock(mutex);
      open = true;
      changed.notify_all();
    });
    connection->set_fail_handler([this](websocketpp::connection_hdl) {
      std::lock_guard<std::mutex> lock(mutex);
      failed = true;
      httpStatus = connection->get_response_code();
      changed.notify_all();
    });
    connection->set_close_handler([this](websocketpp::connection_hdl) {
      std::lock_guard<std::mutex> lock(mutex);
      isClosed = true;
      closeCode = connection->get_remote_close_code();
      closeReason = connection->get_remote_close_reason();
      changed.notify_all();
    });
    connection->set_message_handler([this](websocketpp::connection_hdl, Endpoint::message_ptr m) {
      std::lock_guard<std::mutex> lock(mutex);
      messages.push_back(
          {m->get_opcode() == websocketpp::frame::opcode::binary, m->get_payload(), Clock::now()});
      changed.notify_all();
    });
    endpoint.connect(connection);
    thread = std::thread([this] { endpoint.run(); });
  }
};

WebSocketClient::WebSocketClient(const std::string& url, std::chrono::milliseconds timeout)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.connect(url);
  std::unique_lock<std::mutex> lock(s.mutex);
  s.changed.wait_for(lock, timeout, [&] { return s.open || s.failed || s.isClosed; });
  if (!s.open) {
    const int status = s.httpStatus;
    lock.unlock();
    s.endpoint.stop();
    s.thread.join();
    throw std::runtime_error("WebSocket " + url + " refused (HTTP " + std::to_string(status) + ")");
  }
}

WebSocketClient::~WebSocketClient() {
  State& s = *state_;
  if (s.thread.joinable()) {
    s.endpoint.stop();
    s.thread.join();
  }
}

void WebSocketClient::sendText(const std::string& text) {
  state_->connection->send(text, websocketpp::frame::opcode::text);
}

void WebSocketClient::sendBinary(const std::string& bytes) {
  state_->connection->send(bytes, websocketpp::frame::opcode::binary);
}

std::optional<SocketMessage> WebSocketClient::next(std::chrono::milliseconds timeout) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  s.changed.wait_for(lock, timeout, [&] { return !s.messages.empty() || s.isClosed; });
  if (s.messages.empty()) return std::nullopt;
  SocketMessage m = std::move(s.messages.front());
  s.messages.pop_front();
  return m;
}

void WebSocketClient::close() {
  State& s = *state_;
  std::error_code ec;
  s.connection->close(websocketpp::close::status::normal, "done", ec);
  std::unique_lock<std::mutex> lock(s.mutex);
  s.changed.wait_for(lock, std::chrono::seconds(3), [&] { return s.isClosed; });
}

bool WebSocketClient::closed() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->isClosed;
}

int WebSocketClient::closeCode() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->closeCode;
}

std::string WebSocketClient::closeReason() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->closeReason;
}

int WebSocketClient::refusedStatus(const std::string& url) {
  auto state = std::make_unique<State>();
  state->connect(url);
  {
    std::unique_lock<std::mutex> lock(state->mutex);
    state->changed.wait_for(lock, std::chrono::seconds(10),
                            [&] { return state->open || state->failed || state->isClosed; });
  }
  const int status = state->open ? 101 : state->httpStatus;
  state->endpoint.stop();
  state->thread.join();
  return status;
}

}  // namespace dh::test
