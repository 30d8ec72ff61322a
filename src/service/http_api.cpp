#include "service/http_api.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "core/log.h"
#include "service/auth.h"
#include "service/connections.h"

namespace dh::service {
namespace {

std::string newRequestId() {
  const std::string id = store::newId();
  return id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12);
}

bool addressIn(const std::vector<Cidr>& list, const std::string& address) {
  unsigned char raw[16] = {};
  if (inet_pton(AF_INET, address.c_str(), raw) == 1) {
    for (const auto& c : list)
      if (c.contains(raw, AF_INET)) return true;
    return false;
  }
  if (inet_pton(AF_INET6, address.c_str(), raw) == 1) {
    for (const auto& c : list)
      if (c.contains(raw, AF_INET6)) return true;
  }
  return false;
}

}  // namespace

HttpApi::HttpApi(TaskService& tasks, httplib::Server& server, ReadyCheck ready)
    : tasks_(tasks), server_(server), ready_(std::move(ready)) {
  for (const auto& c : tasks.config().allowClientIps) allowedClients_.emplace_back(c);
}

void HttpApi::checkClientAddress(const std::string& address) const {
  if (allowedClients_.empty() || addressIn(allowedClients_, address)) return;
  throw ApiError(ApiCode::IpNotAllowed,
                 "the client address " + address + " is not allowed to call this service");
}

void HttpApi::checkRateLimit(const std::string& accountId) {
  const int limit = tasks_.config().rateLimitPerMinute;
  if (limit <= 0) return;
  const int64_t now = store::nowMillis();
  std::lock_guard lock(rateMutex_);
  Window& w = rateWindows_[accountId];
  if (now - w.startMs >= 60000) w = {now, 0};
  if (++w.count > limit)
    throw ApiError(ApiCode::RateLimited,
                   "rate limit: more than " + std::to_string(limit) +
                       " requests a minute for this key; retry after " +
                       std::to_string((w.startMs + 60000 - now + 999) / 1000) + " s");
}

void HttpApi::sendKling(httplib::Response& res, const RequestContext& ctx,
                        nlohmann::json data) const {
  res.status = 200;
  res.set_content(nlohmann::json{{"code", 0},
                                 {"message", "SUCCEED"},
                                 {"request_id", ctx.requestId},
                                 {"data", std::move(data)}}
                      .dump(),
                  "application/json");
}

void HttpApi::route(Method method, const std::string& pattern, const std::string& name,
                    Dialect dialect, bool authenticated, Handler handler) {
  auto wrapped = [this, name, dialect, authenticated, handler](const httplib::Request& req,
                                                               httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    RequestContext ctx;
    ctx.requestId = newRequestId();
    res.set_header("X-Request-Id", ctx.requestId);
    try {
      checkClientAddress(req.remote_addr);
      if (authenticated) {
        ctx.account = authenticate(tasks_.store(), req.get_header_value("Authorization"),
                                   tasks_.config().jwtClockSkewSeconds);
        checkRateLimit(ctx.account.id);
      }
      handler(req, res, ctx);
    } catch (const std::exception& e) {
      const ApiError error = toApiError(e);
      if (error.serverSide())
        core::logger("api")->error("{} {} [{}]: {}", req.method, req.path, ctx.requestId,
                                   core::describe(e));
      const ErrorResponse body = renderError(error, dialect, ctx.requestId);
      res.status = body.status;
      res.set_content(body.body, "application/json");
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    tasks_.metrics().observeHttp(name, res.status == -1 ? 200 : res.status, seconds);
  };
  if (method == Method::Get)
    server_.Get(pattern, wrapped);
  else
    server_.Post(pattern, wrapped);
}

void HttpApi::registerRoutes() {
  addKlingRoutes("");
  addKlingRoutes("/kling");
  addTtsRoutes("");
  addTtsRoutes("/kling");
  addUnifiedRoutes();
  addUploadRoutes();
  addAccountRoutes("");
  addAccountRoutes("/kling");
  addMediaRoutes();
  addOpsRoutes();
  addConsoleRoutes();
  addLiveRoutes();
  // An announced body over the cap is refused from its Content-Length before any of it is read
  // (the server's own payload limit would read and discard it first).
  server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Content-Length")) return httplib::Server::HandlerResponse::Unhandled;
    const std::string text = req.get_header_value("Content-Length");
    unsigned long long length = 0;
    try {
      length = std::stoull(text);
    } catch (const std::exception&) {
      length = 0;
    }
    if (length <= kMaxBodyBytes) return httplib::Server::HandlerResponse::Unhandled;
    const Dialect dialect =
        req.path.rfind("/v1/video/", 0) == 0 ? Dialect::Unified : Dialect::Kling;
    const std::string requestId = newRequestId();
    const ErrorResponse body =
        renderError(ApiError(ApiCode::InvalidRequest,
                             "invalid request: the body (" + text + " bytes) is larger than the " +
                                 std::to_string(kMaxBodyBytes / (1024 * 1024)) +
                                 " MiB limit (HTTP 413); send large files by URL or upload"),
                    dialect, requestId);
    res.status = 413;
    res.set_header("X-Request-Id", requestId);
    res.set_header("Connection", "close");
    res.set_content(body.body, "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        // A body that stopped arriving (read timeout): answer, then close the connection rather
        // than keep it alive (cpp-httplib would wait the keep-alive timeout for a next request
        // and read the rest of the trickle as one).
        if (res.status == 400 && req.has_header("Content-Length") &&
            req.body.size() <
                std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10)) {
          res.set_header("Connection", "close");
          shutdownClientReads(req.local_port, req.remote_addr, req.remote_port);
        }
        const Dialect dialect =
            req.path.rfind("/v1/video/", 0) == 0 ? Dialect::Unified : Dialect::Kling;
        const bool unknown = res.status == 404 || res.status == 405;
        const ApiCode code = unknown ? ApiCode::UnknownEndpoint : ApiCode::InvalidRequest;
        const std::string message =
            unknown             ? "no such method: " + req.method + " " + req.path
            : res.status == 413 ? "invalid request: the body is larger than the " +
                                      std::to_string(kMaxBodyBytes / (1024 * 1024)) +
                                      " MiB limit (HTTP 413); send large files by URL or upload"
                                : "invalid request (HTTP " + std::to_string(res.status) + ")";
        // Errors answered before any route ran get a request id of their own, like every other
        // answer, so a client's report can be found in the log.
        const std::string requestId = newRequestId();
        res.set_header("X-Request-Id", requestId);
        core::logger("api")->info("{} {} [{}]: {} (HTTP {})", req.method, req.path, requestId,
                                  message, unknown ? 404 : res.status);
        const ErrorResponse body = renderError(ApiError(code, message), dialect, requestId);
        res.status = unknown ? 404 : res.status;
        res.set_content(body.body, "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
}

void HttpApi::addOpsRoutes() {
  server_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  server_.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    bool ok = ready_();
    std::string reason = ok ? "" : "shutting down";
    if (ok) {
      try {
        tasks_.store().counts();
      } catch (const std::exception& e) {
        ok = false;
        reason = "store unavailable";
      }
    }
    res.status = ok ? 200 : 503;
    res.set_content(
        nlohmann::json{{"status", ok ? "ready" : "not ready"}, {"reason", reason}}.dump(),
        "application/json");
  });
  server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(tasks_.metrics().render(tasks_.store().counts()), "text/plain; version=0.0.4");
  });
}

namespace {

// Answers with the media file `relative` (ETag, byte ranges) as `type`, or 404 / 1203.
void serveMediaFile(store::MediaStore& media, const httplib::Request& req, httplib::Response& res,
                    const std::string& relative, const std::string& type,
                    const std::string& cacheControl) {
  const auto notFound = [&] {
    res.status = 404;
    const std::string requestId = newRequestId();
    res.set_header("X-Request-Id", requestId);
    const auto body = renderError(ApiError(ApiCode::NotFound, "no such media file: " + req.path),
                                  Dialect::Kling, requestId);
    res.set_content(body.body, "application/json");
  };
  const auto info = store::isValidMediaName(relative) ? media.info(relative) : std::nullopt;
  if (!info) return notFound();
  const uint64_t size = info->bytes;
  const std::string etag =
      "\"" + std::to_string(size) + "-" + std::to_string(info->modifiedNs) + "\"";
  res.set_header("ETag", etag);
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Cache-Control", cacheControl);
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  std::shared_ptr<std::istream> file;
  try {
    file = media.open(relative);
  } catch (const core::Error& e) {
    if (e.kind() != core::ErrorKind::NotFound) throw;
    return notFound();  // removed since info()
  }
  res.set_content_provider(size, type,
                           [file](size_t offset, size_t length, httplib::DataSink& sink) {
                             std::vector<char> buffer(std::min<size_t>(length, 256 * 1024));
                             file->seekg(static_cast<std::streamoff>(offset));
                             file->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
                             const auto n = file->gcount();
                             if (n <= 0) return false;
                             sink.write(buffer.data(), static_cast<size_t>(n));
                             return true;
                           });
}

}  // namespace

void HttpApi::addMediaRoutes() {
  server_.Get(R"(/media/(videos|uploads|audio)/([A-Za-z0-9_-]+\.(?:mp4|wav|mp3|m4a|aac|png|jpg)))",
              [this](const httplib::Request& req, httplib::Response& res) {
                const std::string relative =
                    std::string(req.matches[1]) + "/" + std::string(req.matches[2]);
                const std::string ext = std::filesystem::path(relative).extension().string();
                const std::string type = ext == ".mp4"   ? "video/mp4"
                                         : ext == ".wav" ? "audio/wav"
                                         : ext == ".mp3" ? "audio/mpeg"
                                         : ext == ".m4a" ? "audio/mp4"
                                         : ext == ".aac" ? "audio/aac"
                                         : ext == ".png" ? "image/png"
                                         : ext == ".jpg" ? "image/jpeg"
                                                         : "application/octet-stream";
                serveMediaFile(tasks_.media(), req, res, relative, type, "public, max-age=86400");
              });
  // Live streams (media::HlsWriter): the playlist grows while the task renders, so it is never
  // cached; the segments and the initialisation segment never change once they exist.
  server_.Get(
      R"(/media/streams/([0-9a-f]{32})/(index\.m3u8|init(?:-[0-9]+)?\.mp4|seg[0-9]{5}\.m4s))",
      [this](const httplib::Request& req, httplib::Response& res) {
        const std::string file = req.matches[2];
        const std::string relative = "streams/" + std::string(req.matches[1]) + "/" + file;
        const bool playlist = file == "index.m3u8";
        const std::string type = playlist                     ? "application/vnd.apple.mpegurl"
                                 : file.rfind("init", 0) == 0 ? "video/mp4"
                                                              : "video/iso.segment";
        serveMediaFile(tasks_.media(), req, res, relative, type,
                       playlist ? "no-cache" : "public, max-age=86400, immutable");
      });
}

}  // namespace dh::service
