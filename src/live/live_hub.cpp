#include "live/live_hub.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "live/websocket_server.h"

namespace dh::live {
namespace {

using Clock = std::chrono::steady_clock;
const std::string kPathPrefix = "/v1/live/sessions/";

int64_t unixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The session's output into its WebSocket connection (nothing before it connects).
class SocketOutput : public SessionOutput {
 public:
  SocketOutput(WebSocketServer& server, size_t maxBuffered)
      : server_(server), maxBuffered_(maxBuffered) {}

  void connect(ConnectionId id) { connection_ = id; }
  bool overflowed() const { return overflowed_.load(); }

  void sendBinary(std::vector<uint8_t> bytes) override { send(bytes.data(), bytes.size(), true); }
  void sendEvent(const nlohmann::json& event) override {
    const std::string text = event.dump();
    send(text.data(), text.size(), false);
  }
  void close(const std::string& reason) override {
    if (const ConnectionId id = connection_.load()) server_.close(id, 1011, reason);
  }

 private:
  void send(const void* data, size_t size, bool binary) {
    const ConnectionId id = connection_.load();
    if (id == 0) return;
    if (server_.buffered(id) > maxBuffered_) {
      overflowed_ = true;  // the hub closes the connection
      return;
    }
    server_.send(id, data, size, binary);
  }

  WebSocketServer& server_;
  const size_t maxBuffered_;
  std::atomic<ConnectionId> connection_{0};
  std::atomic<bool> overflowed_{false};
};

struct Entry {
  std::string id;
  std::string accountId;
  // Shared with a message being handled, so neither goes away under it; the session (which
  // sends into the output) is released before the output.
  std::shared_ptr<SocketOutput> output;
  std::shared_ptr<LiveSession> session;
  ConnectionId connection = 0;
  bool connected = false;
  bool closing = false;  // asked to close; removed when the socket closes (or soon after)
  Clock::time_point created;
  Clock::time_point lastMessage;
  Clock::time_point closeAsked;
};

}  // namespace

struct LiveHub::State {
  HubSettings settings;
  ErrorDescriber describe;
  std::function<std::string()> newId;
  std::unique_ptr<WebSocketServer> server;
  std::thread ioThread;
  std::thread janitor;
  int port = 0;

  mutable std::mutex mutex;
  std::condition_variable stopCv;
  bool stopping = false;
  std::map<std::string, std::unique_ptr<Entry>> sessions;
  std::map<ConnectionId, std::string> byConnection;

  void setUpHandlers();
  void janitorLoop();
  // Takes the session out of the tables; the caller destroys it outside the lock.
  std::unique_ptr<Entry> remove(const std::string& id) {
    auto it = sessions.find(id);
    if (it == sessions.end()) return nullptr;
    std::unique_ptr<Entry> entry = std::move(it->second);
    sessions.erase(it);
    if (entry->connected) byConnection.erase(entry->connection);
    return entry;
  }
  // Throws LimitReached when `accountId` or the node is at its cap (the lock held).
  void checkCaps(const std::string& accountId) const {
    if (settings.maxPerKey > 0 && countFor(accountId) >= static_cast<size_t>(settings.maxPerKey))
      throw LimitReached("this key already has " + std::to_string(settings.maxPerKey) +
                             " live sessions (the cap per key); close one first",
                         true);
    if (settings.maxSessions > 0 && sessions.size() >= static_cast<size_t>(settings.maxSessions))
      throw LimitReached("this server already runs " + std::to_string(settings.maxSessions) +
                             " live sessions (its cap); try again later",
                         false);
  }
  size_t countFor(const std::string& accountId) const {
    size_t n = 0;
    for (const auto& [id, entry] : sessions)
      if (entry->accountId == accountId) ++n;
    return n;
  }
};

void LiveHub::State::setUpHandlers() {
  WebSocketHandlers handlers;
  // Only the path of a session that exists and has no connection yet is accepted.
  handlers.accept = [this](ConnectionId connection, const std::string& path, std::string& refusal) {
    const std::string id =
        path.rfind(kPathPrefix, 0) == 0 ? path.substr(kPathPrefix.size()) : std::string();
    std::lock_guard lock(mutex);
    auto it = sessions.find(id);
    if (it == sessions.end() || it->second->connected || it->second->closing) {
      refusal = nlohmann::json{{"code", 1203},
                               {"message", "no live session waiting at " + path +
                                               " (unknown, expired or already connected)"}}
                    .dump();
      return false;
    }
    Entry& entry = *it->second;
    entry.connected = true;
    entry.connection = connection;
    entry.lastMessage = Clock::now();
    byConnection[connection] = id;
    entry.output->connect(connection);
    return true;
  };
  handlers.opened = [this](ConnectionId connection) {
    std::lock_guard lock(mutex);
    auto found = byConnection.find(connection);
    if (found == byConnection.end()) return;
    Entry& entry = *sessions.at(found->second);
    core::logger("live")->info("session {} connected", entry.id);
    entry.session->start();
  };
  handlers.message = [this](ConnectionId connection, bool binary, const std::string& payload) {
    std::shared_ptr<SocketOutput> output;
    std::shared_ptr<LiveSession> session;
    {
      std::lock_guard lock(mutex);
      auto found = byConnection.find(connection);
      if (found == byConnection.end()) return;
      Entry& entry = *sessions.at(found->second);
      entry.lastMessage = Clock::now();
      output = entry.output;
      session = entry.session;
    }
    if (binary)
      session->onBinary(
          std::span(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()));
    else
      session->onText(payload);
  };
  handlers.closed = [this](ConnectionId connection) {
    std::lock_guard lock(mutex);
    auto found = byConnection.find(connection);
    if (found == byConnection.end()) return;
    Entry& entry = *sessions.at(found->second);
    entry.closing = true;
    entry.closeAsked = Clock::now() - std::chrono::hours(1);  // the janitor frees it at once
    stopCv.notify_all();
  };
  server = std::make_unique<WebSocketServer>(std::move(handlers), settings.maxMessageBytes);
}

void LiveHub::State::janitorLoop() {
  auto log = core::logger("live");
  const auto idle = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(settings.idleSeconds));
  std::unique_lock lock(mutex);
  while (!stopping) {
    stopCv.wait_for(lock, std::chrono::milliseconds(200));
    const auto now = Clock::now();
    std::vector<std::unique_ptr<Entry>> done;
    std::vector<std::string> ids;
    for (auto& [id, entry] : sessions) ids.push_back(id);
    for (const std::string& id : ids) {
      Entry& entry = *sessions.at(id);
      if (!entry.connected && now - entry.created > idle) {
        log->info("session {} dropped: nobody connected within {} s", id, settings.idleSeconds);
        done.push_back(remove(id));
      } else if (entry.closing) {
        // Closed by the client, or asked to close and given 5 s for the handshake.
        if (now - entry.closeAsked > std::chrono::seconds(5)) done.push_back(remove(id));
      } else if (entry.connected &&
                 (now - entry.lastMessage > idle || entry.output->overflowed())) {
        const bool slow = entry.output->overflowed();
        const std::string reason =
            slow ? "client too slow: more than " + std::to_string(settings.maxBufferedBytes >> 20) +
                       " MiB not yet taken"
                 : "idle for " + std::to_string(static_cast<int>(settings.idleSeconds)) + " s";
        log->info("session {} closed: {}", id, reason);
        entry.closing = true;
        entry.closeAsked = now;
        server->close(entry.connection, slow ? 1008 : 1001, reason);
      }
    }
    if (!done.empty()) {
      lock.unlock();
      for (auto& entry : done) {
        if (entry) log->info("session {} freed", entry->id);
      }
      done.clear();  // joins the sessions' threads
      lock.lock();
    }
  }
}

LiveHub::LiveHub(HubSettings settings, ErrorDescriber describe, std::function<std::string()> newId)
    : state_(std::make_unique<State>()) {
  state_->settings = std::move(settings);
  state_->describe = std::move(describe);
  state_->newId = std::move(newId);
}

LiveHub::~LiveHub() {
  stop();
}

int LiveHub::bind() {
  State& s = *state_;
  s.setUpHandlers();
  try {
    s.port = s.server->listen(s.settings.host, s.settings.port);
  } catch (const std::exception& e) {
    throw core::Error(core::ErrorKind::InvalidInput, std::string("--live-port: ") + e.what(),
                      "live-port");
  }
  return s.port;
}

void LiveHub::start() {
  State& s = *state_;
  s.ioThread = std::thread([&s] {
    try {
      s.server->run();
    } catch (const std::exception& e) {
      core::logger("live")->error("live endpoint stopped: {}", e.what());
    }
  });
  s.janitor = std::thread([&s] { s.janitorLoop(); });
}

void LiveHub::stop() {
  State& s = *state_;
  std::map<std::string, std::unique_ptr<Entry>> all;
  {
    std::lock_guard lock(s.mutex);
    if (s.stopping) return;
    s.stopping = true;
    if (!s.server) return;
    s.server->stopListening();
    for (auto& [id, entry] : s.sessions) {
      if (entry->connected && !entry->closing)
        s.server->close(entry->connection, 1001, "server shutting down");
    }
  }
  s.stopCv.notify_all();
  if (s.janitor.joinable()) s.janitor.join();
  {
    std::lock_guard lock(s.mutex);
    all = std::move(s.sessions);
    s.byConnection.clear();
  }
  all.clear();  // stops every session: nothing is sent any more
  if (s.ioThread.joinable()) {
    // Lets the close handshakes go out, then ends the loop.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s.server->stop();
    s.ioThread.join();
  }
}

void LiveHub::checkCapacity(const std::string& accountId) const {
  std::lock_guard lock(state_->mutex);
  state_->checkCaps(accountId);
}

CreatedSession LiveHub::create(SessionRequest request) {
  State& s = *state_;
  if (!s.server) throw core::Error(core::ErrorKind::Internal, "live sessions are not listening");
  auto entry = std::make_unique<Entry>();
  entry->id = s.newId();
  entry->accountId = request.accountId;
  entry->output = std::make_shared<SocketOutput>(*s.server, s.settings.maxBufferedBytes);
  entry->session =
      std::make_shared<LiveSession>(request.photo, request.face, std::move(request.settings),
                                    *entry->output, s.describe, std::move(request.onSpeech));
  entry->created = entry->lastMessage = Clock::now();
  CreatedSession created{entry->id,
                         unixMillis() + static_cast<int64_t>(s.settings.idleSeconds * 1000)};
  std::lock_guard lock(s.mutex);
  if (s.stopping) throw core::Error(core::ErrorKind::Internal, "the server is shutting down");
  s.checkCaps(request.accountId);
  s.sessions[created.id] = std::move(entry);
  core::logger("live")->info("session {} created for key {}", created.id, request.accountId);
  return created;
}

int LiveHub::port() const {
  return state_->port;
}

size_t LiveHub::sessionCount() const {
  std::lock_guard lock(state_->mutex);
  return state_->sessions.size();
}

}  // namespace dh::live
