// The Kling avatar dialect: /v1/videos/avatar/image2video (submit, query, list), identical under
// the /kling gateway prefix.
#include <string>

#include "service/http_api.h"

namespace dh::service {
namespace {

size_t utf8Length(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

SubmitRequest parseKlingSubmit(const nlohmann::json& body) {
  SubmitRequest r;
  r.dialect = Dialect::Kling;
  r.image = optionalString(body, "image");
  r.audioId = optionalString(body, "audio_id");
  r.soundFile = optionalString(body, "sound_file");
  r.prompt = optionalString(body, "prompt");
  r.mode = optionalString(body, "mode");
  r.callbackUrl = optionalString(body, "callback_url");
  r.externalTaskId = optionalString(body, "external_task_id");
  if (r.image.empty()) throw ApiError(1201, "image: is required (a URL or Base64)", "image");
  if (r.audioId.empty() == r.soundFile.empty())
    throw ApiError(1201,
                   r.audioId.empty()
                       ? "audio_id / sound_file: exactly one must be set; both are empty"
                       : "audio_id / sound_file: exactly one must be set; both are set",
                   r.audioId.empty() ? "sound_file" : "audio_id");
  if (utf8Length(r.prompt) > 2500)
    throw ApiError(
        1201,
        "prompt: must be at most 2500 characters, got " + std::to_string(utf8Length(r.prompt)),
        "prompt");
  if (r.mode.empty()) r.mode = "std";
  if (r.mode != "std" && r.mode != "pro")
    throw ApiError(1201, "mode: must be std or pro, got \"" + r.mode + "\"", "mode");
  if (!r.callbackUrl.empty() && r.callbackUrl.rfind("http://", 0) != 0 &&
      r.callbackUrl.rfind("https://", 0) != 0)
    throw ApiError(1201, "callback_url: must be an http or https URL", "callback_url");
  if (r.externalTaskId.size() > 128)
    throw ApiError(1201, "external_task_id: must be at most 128 characters", "external_task_id");
  if (auto it = body.find("watermark_info");
      it != body.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty())) {
    if (!it->is_object())
      throw ApiError(1201, "watermark_info: must be an object like {\"enabled\": true}",
                     "watermark_info");
    auto enabled = it->find("enabled");
    if (enabled != it->end() && !enabled->is_boolean())
      throw ApiError(1201, "watermark_info.enabled: must be true or false", "watermark_info");
    r.watermark = enabled != it->end() && enabled->get<bool>();
  }
  return r;
}

int pageParam(const httplib::Request& req, const std::string& name, int fallback, int max) {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string text = req.get_param_value(name.c_str());
  int value = 0;
  try {
    size_t used = 0;
    value = std::stoi(text, &used);
    if (used != text.size()) value = -1;
  } catch (const std::exception&) {
    value = -1;
  }
  if (value < 1 || value > max)
    throw ApiError(
        1201,
        name + ": must be an integer from 1 to " + std::to_string(max) + ", got \"" + text + "\"",
        name);
  return value;
}

}  // namespace

void HttpApi::addKlingRoutes(const std::string& prefix) {
  const std::string base = prefix + "/v1/videos/avatar/image2video";
  route(Method::Post, base, "kling_submit", Dialect::Kling, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const SubmitRequest request = parseKlingSubmit(parseJsonObject(req.body));
          const store::Task task = tasks_.submit(ctx.account, request);
          sendKling(res, ctx, tasks_.klingData(task));
        });
  route(Method::Get, base + R"(/([^/]+))", "kling_query", Dialect::Kling, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const std::string id = req.matches[1];
          auto task = tasks_.store().findTaskFor(ctx.account.id, id);
          if (!task)
            throw ApiError(1203, "no task with task_id or external_task_id \"" + id + "\"",
                           "task_id");
          sendKling(res, ctx, tasks_.klingData(*task));
        });
  route(Method::Get, base, "kling_list", Dialect::Kling, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const int pageNum = pageParam(req, "pageNum", 1, 1000);
          const int pageSize = pageParam(req, "pageSize", 30, 500);
          nlohmann::json list = nlohmann::json::array();
          for (const auto& task :
               tasks_.store().listTasks(ctx.account.id, (pageNum - 1) * pageSize, pageSize))
            list.push_back(tasks_.klingData(task));
          sendKling(res, ctx, std::move(list));
        });
}

}  // namespace dh::service
