#include "service/console_routes.h"

#include <cmath>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "core/error.h"
#include "core/log.h"
#include "media/image_decoder.h"
#include "service/api_error.h"
#include "service/auth.h"
#include "service/task_service.h"
#include "store/store.h"

#if defined(DH_CONSOLE_HAS_FACE)
#include "face/face_analysis.h"
#endif

namespace dh::service {
namespace {

// The page loads nothing from elsewhere; media may live under an operator's public URL.
constexpr const char* kSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' blob: data:; media-src 'self' blob: http: https:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'";

const ConsoleAsset* findAsset(std::string_view path) {
  for (const auto& asset : consoleAssets())
    if (asset.path == path) return &asset;
  return nullptr;
}

void sendAsset(httplib::Response& res, const ConsoleAsset& asset) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy", kSecurityPolicy);
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_content(asset.bytes.data(), asset.bytes.size(), std::string(asset.contentType));
}

void sendKlingError(httplib::Response& res, const ApiError& error, const std::string& requestId) {
  const ErrorResponse body = renderError(error, Dialect::Kling, requestId);
  res.status = body.status;
  res.set_content(body.body, "application/json");
}

using ConsoleHandler =
    std::function<nlohmann::json(const httplib::Request&, const store::ApiKey& account)>;

// Authenticates like the API does and wraps the handler's data (or its failure) in the Kling
// envelope.
httplib::Server::Handler withKey(TaskService& tasks, const std::string& name,
                                 ConsoleHandler handler) {
  return [&tasks, name, handler](const httplib::Request& req, httplib::Response& res) {
    const std::string requestId = store::newId();
    res.set_header("X-Request-Id", requestId);
    try {
      const store::ApiKey account =
          authenticate(tasks.store(), req.get_header_value("Authorization"));
      nlohmann::json data = handler(req, account);
      res.set_content(nlohmann::json{{"code", 0},
                                     {"message", "SUCCEED"},
                                     {"request_id", requestId},
                                     {"data", std::move(data)}}
                          .dump(),
                      "application/json");
    } catch (const std::exception& e) {
      const ApiError error = toApiError(e);
      if (error.code() >= 5000)
        core::logger("console")->error("{} [{}]: {}", name, requestId, core::describe(e));
      sendKlingError(res, error, requestId);
    }
  };
}

nlohmann::json accountData(const TaskService& tasks, const store::ApiKey& account) {
  return {{"id", account.id},
          {"name", account.name},
          {"balance", account.balance ? nlohmann::json(*account.balance) : nlohmann::json(nullptr)},
          {"allowed_modes", account.allowedModes},
          {"rates", {{"std", tasks.rateFor("std")}, {"pro", tasks.rateFor("pro")}}}};
}

#if defined(DH_CONSOLE_HAS_FACE)
double rounded(float value) {
  return std::round(static_cast<double>(value) * 10.0) / 10.0;
}

nlohmann::json analysisData(const httplib::Request& req) {
  std::string_view content = req.body;
  httplib::MultipartFormData part;
  if (req.is_multipart_form_data()) {
    if (!req.has_file("file"))
      throw ApiError(1201, "image: a multipart request needs a part named \"file\"", "image");
    part = req.get_file_value("file");
    content = part.content;
  }
  if (content.empty())
    throw ApiError(1201, "image: the request body is empty; send the photo's bytes", "image");
  const cv::Mat image = media::decodeImage(
      std::span(reinterpret_cast<const uint8_t*>(content.data()), content.size()), "image");
  // One analysis at a time: the service's CPU belongs to the render workers.
  static std::mutex analysisMutex;
  face::FaceAnalysis analysis;
  {
    std::lock_guard lock(analysisMutex);
    analysis = face::analyzeFace(image);
  }
  nlohmann::json landmarks = nlohmann::json::array();
  for (const auto& p : analysis.landmarks) landmarks.push_back({rounded(p.x), rounded(p.y)});
  return {{"width", image.cols},
          {"height", image.rows},
          {"faces_found", analysis.facesFound},
          {"box",
           {{"x", analysis.box.x},
            {"y", analysis.box.y},
            {"width", analysis.box.width},
            {"height", analysis.box.height}}},
          {"landmarks", std::move(landmarks)},
          {"yaw_degrees", rounded(analysis.yawDegrees)},
          {"roll_degrees", rounded(analysis.rollDegrees)},
          {"mouth", analysis.mouth == face::MouthState::Open ? "open" : "closed"},
          {"teeth_visible", analysis.teethVisible}};
}
#endif

}  // namespace

void addConsoleRoutes(httplib::Server& server, TaskService& tasks) {
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    if (const ConsoleAsset* page = findAsset("index.html")) {
      sendAsset(res, *page);
      return;
    }
    sendKlingError(res, ApiError(1202, "the console is not part of this build"), "");
  });
  server.Get(R"(/console/([A-Za-z0-9_-]+\.[a-z]+))",
             [](const httplib::Request& req, httplib::Response& res) {
               if (const ConsoleAsset* asset = findAsset(std::string(req.matches[1]))) {
                 sendAsset(res, *asset);
                 return;
               }
               sendKlingError(res, ApiError(1203, "no such console file: " + req.path), "");
             });
  server.Get("/v1/console/account",
             withKey(tasks, "console_account",
                     [&tasks](const httplib::Request&, const store::ApiKey& account) {
                       return accountData(tasks, account);
                     }));
#if defined(DH_CONSOLE_HAS_FACE)
  server.Post(
      "/v1/console/analyze-face",
      withKey(tasks, "console_analyze_face",
              [](const httplib::Request& req, const store::ApiKey&) { return analysisData(req); }));
#endif
}

}  // namespace dh::service
