#pragma once
// The HTTP surface. Every route goes through one wrapper that assigns a request id, checks the
// client address, authenticates, rate-limits, turns exceptions into the dialect's error body via
// the one error table, and records latency. Handlers only validate, store and enqueue.
#include <httplib.h>

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "service/api_error.h"
#include "service/fetch.h"
#include "service/task_service.h"

namespace dh::live {
class LiveHub;
}

namespace dh::service {

struct RequestContext {
  std::string requestId;
  store::ApiKey account;  // empty id for routes without auth
};

class HttpApi {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&, RequestContext&)>;
  using ReadyCheck = std::function<bool()>;

  HttpApi(TaskService& tasks, httplib::Server& server, ReadyCheck ready);
  // Every route of the service, the console's included.
  void registerRoutes();
  // Live sessions are served when a hub is given (before registerRoutes()).
  void setLiveHub(live::LiveHub* hub) { live_ = hub; }

 private:
  enum class Method { Get, Post };
  // The one way in: every handler is registered through this wrapper.
  void route(Method method, const std::string& pattern, const std::string& name, Dialect dialect,
             bool authenticated, Handler handler);

  void addConsoleRoutes();  // console_routes.cpp
  void addKlingRoutes(const std::string& prefix);
  void addUnifiedRoutes();
  void addTtsRoutes(const std::string& prefix);
  void addUploadRoutes();
  void addAccountRoutes(const std::string& prefix);
  void addMediaRoutes();
  void addOpsRoutes();
  void addLiveRoutes();  // live_routes.cpp

  void checkClientAddress(const std::string& address) const;
  void checkRateLimit(const std::string& accountId);
  void sendKling(httplib::Response& res, const RequestContext& ctx, nlohmann::json data) const;

  TaskService& tasks_;
  httplib::Server& server_;
  ReadyCheck ready_;
  std::vector<Cidr> allowedClients_;
  std::mutex rateMutex_;
  struct Window {
    int64_t startMs = 0;
    int count = 0;
  };
  std::unordered_map<std::string, Window> rateWindows_;
  live::LiveHub* live_ = nullptr;
};

// Request bodies larger than this are refused (413 / 1200) from their Content-Length, before
// the body is read. A 10 MB photo as Base64 (13.4 MB) plus a Base64 voice track fits.
constexpr size_t kMaxBodyBytes = 24 * 1024 * 1024;

// Request-body helpers shared by the dialects.
constexpr size_t kMaxJsonDepth = 16;  // request bodies nest a few levels; deeper is refused
// The deepest nesting of arrays/objects in `text` (strings skipped), without parsing it.
size_t jsonNestingDepth(const std::string& text);
// Throws ApiError 1200 when `body` is not a JSON object or nests deeper than kMaxJsonDepth.
nlohmann::json parseJsonObject(const std::string& body);
// A submit body of each dialect as a validated request. Throw ApiError 1201/1203 naming the field.
SubmitRequest parseKlingSubmit(const nlohmann::json& body);
SubmitRequest parseUnifiedSubmit(const nlohmann::json& body);
// The file bytes of an upload-style body: the part named "file" of a multipart form (kept in
// `part`), else the raw body. Throws ApiError InvalidValue naming `param` when a multipart form
// has no "file" part or the bytes are empty.
std::string_view fileBody(const httplib::Request& req, const std::string& param,
                          httplib::MultipartFormData& part);
// The string at `field`; "" when missing, null or "" (gateways send "" for "not set").
std::string optionalString(const nlohmann::json& body, const std::string& field);
// A live session's error event for `e`: {"code", "message", "param"} from the one error table.
nlohmann::json liveErrorEvent(const std::exception& e);

}  // namespace dh::service
