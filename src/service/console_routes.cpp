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
#include "service/http_api.h"
#include "service/task_service.h"
#include "store/store.h"

#if defined(DH_CONSOLE_HAS_FACE)
#include "face/face_analysis.h"
#endif

namespace dh::service {
namespace {

// The page loads nothing from elsewhere; media may live under an operator's public URL; live
// sessions stream over a WebSocket on a port of their own.
constexpr const char* kSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
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
  httplib::MultipartFormData part;
  const std::string_view content = fileBody(req, "image", part);
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

// Through the same wrapper as the API: the IP allow-list and metrics for the page and its
// assets; the same auth (Bearer key or JWT with the clock skew), rate limit and envelope for the
// two helper endpoints.
void HttpApi::addConsoleRoutes() {
  route(Method::Get, "/", "console_page", Dialect::Kling, false,
        [](const httplib::Request&, httplib::Response& res, RequestContext&) {
          const ConsoleAsset* page = findAsset("index.html");
          if (!page)
            throw ApiError(ApiCode::UnknownEndpoint, "the console is not part of this build");
          sendAsset(res, *page);
        });
  route(Method::Get, R"(/console/([A-Za-z0-9_-]+\.[a-z]+))", "console_asset", Dialect::Kling, false,
        [](const httplib::Request& req, httplib::Response& res, RequestContext&) {
          const ConsoleAsset* asset = findAsset(std::string(req.matches[1]));
          if (!asset) throw ApiError(ApiCode::NotFound, "no such console file: " + req.path);
          sendAsset(res, *asset);
        });
  route(Method::Get, "/v1/console/account", "console_account", Dialect::Kling, true,
        [this](const httplib::Request&, httplib::Response& res, RequestContext& ctx) {
          sendKling(res, ctx, accountData(tasks_, ctx.account));
        });
#if defined(DH_CONSOLE_HAS_FACE)
  route(Method::Post, "/v1/console/analyze-face", "console_analyze_face", Dialect::Kling, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          sendKling(res, ctx, analysisData(req));
        });
#endif
}

}  // namespace dh::service
