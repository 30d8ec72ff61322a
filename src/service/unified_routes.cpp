// The unified gateway dialect: /v1/video/generations (submit) and /{task_id} (query).
#include <cmath>
#include <string>

#include "service/http_api.h"

namespace dh::service {
namespace {

SubmitRequest parseUnifiedSubmit(const nlohmann::json& body) {
  SubmitRequest r;
  r.dialect = Dialect::Unified;
  r.model = optionalString(body, "model");
  r.image = optionalString(body, "image_url");
  r.soundFile = optionalString(body, "audio_url");
  r.prompt = optionalString(body, "prompt");
  r.callbackUrl = optionalString(body, "callback_url");
  r.externalTaskId = optionalString(body, "external_task_id");
  if (r.model.empty())
    throw ApiError(1201, "model: is required (kling-avatar-v2-standard or kling-avatar-v2-pro)",
                   "model");
  const auto mode = modeForModel(r.model);
  if (!mode)
    throw ApiError(1203,
                   "model: no such model \"" + r.model +
                       "\"; use kling-avatar-v2-standard or kling-avatar-v2-pro",
                   "model");
  r.mode = *mode;
  if (r.image.empty()) throw ApiError(1201, "image_url: is required", "image_url");
  if (r.soundFile.empty()) throw ApiError(1201, "audio_url: is required", "audio_url");
  auto seconds = body.find("audio_duration_seconds");
  if (seconds == body.end() || seconds->is_null())
    throw ApiError(1201,
                   "audio_duration_seconds: is required (the audio's length in seconds; the cost "
                   "estimate uses it)",
                   "audio_duration_seconds");
  double value = 0;
  if (seconds->is_number()) {
    value = seconds->get<double>();
  } else if (seconds->is_string()) {
    try {
      size_t used = 0;
      value = std::stod(seconds->get<std::string>(), &used);
      if (used != seconds->get<std::string>().size()) value = NAN;
    } catch (const std::exception&) {
      value = NAN;
    }
  } else {
    value = NAN;
  }
  if (!std::isfinite(value) || value <= 0)
    throw ApiError(1201, "audio_duration_seconds: must be a positive number of seconds",
                   "audio_duration_seconds");
  r.declaredAudioSeconds = value;
  size_t promptChars = 0;
  for (unsigned char c : r.prompt) promptChars += (c & 0xC0) != 0x80;
  if (promptChars > 2500)
    throw ApiError(1201,
                   "prompt: must be at most 2500 characters, got " + std::to_string(promptChars),
                   "prompt");
  if (!r.callbackUrl.empty() && r.callbackUrl.rfind("http://", 0) != 0 &&
      r.callbackUrl.rfind("https://", 0) != 0)
    throw ApiError(1201, "callback_url: must be an http or https URL", "callback_url");
  return r;
}

}  // namespace

void HttpApi::addUnifiedRoutes() {
  route(Method::Post, "/v1/video/generations", "unified_submit", Dialect::Unified, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const SubmitRequest request = parseUnifiedSubmit(parseJsonObject(req.body));
          const store::Task task = tasks_.submit(ctx.account, request);
          res.status = 200;
          res.set_content(tasks_.unifiedJob(task).dump(), "application/json");
        });
  route(Method::Get, R"(/v1/video/generations/([^/]+))", "unified_query", Dialect::Unified, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const std::string id = req.matches[1];
          auto task = tasks_.store().findTaskFor(ctx.account.id, id);
          if (!task) throw ApiError(1203, "no task with id \"" + id + "\"", "task_id");
          res.status = 200;
          res.set_content(tasks_.unifiedJob(*task).dump(), "application/json");
        });
}

}  // namespace dh::service
