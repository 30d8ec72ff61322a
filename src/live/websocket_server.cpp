#include "live/websocket_server.h"

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <map>
#include <mutex>
#include <stdexcept>

namespace dh::live {
namespace {

using Endpoint = websocketpp::server<websocketpp::config::asio>;

}  // namespace

struct WebSocketServer::State {
  WebSocketHandlers handlers;
  Endpoint endpoint;
  std::mutex mutex;
  ConnectionId nextId = 1;
  std::map<ConnectionId, websocketpp::connection_hdl> connections;
  std::map<websocketpp::connection_hdl, ConnectionId, std::owner_less<websocketpp::connection_hdl>>
      ids;

  ConnectionId idOf(const websocketpp::connection_hdl& hdl) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = ids.find(hdl);
    return it == ids.end() ? 0 : it->second;
  }
  Endpoint::connection_ptr connection(ConnectionId id) {
    websocketpp::connection_hdl hdl;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = connections.find(id);
      if (it == connections.end()) return nullptr;
      hdl = it->second;
    }
    std::error_code ec;
    Endpoint::connection_ptr con = endpoint.get_con_from_hdl(hdl, ec);
    return ec ? nullptr : con;
  }
  void forget(const websocketpp::connection_hdl& hdl) {
    ConnectionId id = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = ids.find(hdl);
      if (it == ids.end()) return;
      id = it->second;
      ids.erase(it);
      connections.erase(id);
    }
    handlers.closed(id);
  }
};

WebSocketServer::WebSocketServer(WebSocketHandlers handlers, size_t maxMessageBytes)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.handlers = std::move(handlers);
  s.endpoint.clear_access_channels(websocketpp::log::alevel::all);
  s.endpoint.clear_error_channels(websocketpp::log::elevel::all);
  s.endpoint.init_asio();
  s.endpoint.set_reuse_addr(true);
  s.endpoint.set_max_message_size(maxMessageBytes);
  s.endpoint.set_validate_handler([&s](websocketpp::connection_hdl hdl) {
    Endpoint::connection_ptr con = s.endpoint.get_con_from_hdl(hdl);
    std::string path = con->get_resource();
    path = path.substr(0, path.find('?'));
    ConnectionId id = 0;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      id = s.nextId++;
      s.connections[id] = hdl;
      s.ids[hdl] = id;
    }
    std::string refusal;
    if (s.handlers.accept(id, path, refusal)) return true;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.connections.erase(id);
      s.ids.erase(hdl);
    }
    con->set_status(websocketpp::http::status_code::not_found);
    con->replace_header("Content-Type", "application/json");
    con->set_body(refusal);
    return false;
  });
  s.endpoint.set_open_handler([&s](websocketpp::connection_hdl hdl) {
    if (const ConnectionId id = s.idOf(hdl)) s.handlers.opened(id);
  });
  s.endpoint.set_message_handler([&s](websocketpp::connection_hdl hdl, Endpoint::message_ptr msg) {
    if (const ConnectionId id = s.idOf(hdl))
      s.handlers.message(id, msg->get_opcode() == websocketpp::frame::opcode::binary,
                         msg->get_payload());
  });
  s.endpoint.set_close_handler([&s](websocketpp::connection_hdl hdl) { s.forget(hdl); });
  s.endpoint.set_fail_handler([&s](websocketpp::connection_hdl hdl) { s.forget(hdl); });
}

WebSocketServer::~WebSocketServer() = default;

int WebSocketServer::listen(const std::string& host, int port) {
  State& s = *state_;
  std::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("\"" + host + "\" is not an IP address");
  s.endpoint.listen(asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port)), ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             ec.message());
  const int bound = s.endpoint.get_local_endpoint(ec).port();
  if (ec) throw std::runtime_error("no local port: " + ec.message());
  s.endpoint.start_accept(ec);
  if (ec) throw std::runtime_error("cannot accept connections: " + ec.message());
  return bound;
}

void WebSocketServer::run() {
  state_->endpoint.run();
}

void WebSocketServer::stopListening() {
  std::error_code ec;
  state_->endpoint.stop_listening(ec);
}

void WebSocketServer::stop() {
  state_->endpoint.stop();
}

bool WebSocketServer::send(ConnectionId id, const void* data, size_t size, bool binary) {
  Endpoint::connection_ptr con = state_->connection(id);
  if (!con) return false;
  const std::error_code ec = con->send(
      data, size, binary ? websocketpp::frame::opcode::binary : websocketpp::frame::opcode::text);
  return !ec;
}

size_t WebSocketServer::buffered(ConnectionId id) {
  Endpoint::connection_ptr con = state_->connection(id);
  return con ? con->get_buffered_amount() : 0;
}

void WebSocketServer::close(ConnectionId id, int code, const std::string& reason) {
  Endpoint::connection_ptr con = state_->connection(id);
  if (!con) return;
  std::error_code ec;
  con->close(static_cast<websocketpp::close::status::value>(code), reason, ec);
}

}  // namespace dh::live
