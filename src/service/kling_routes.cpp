// The Kling avatar dialect: /v1/videos/avatar/image2video (submit, query, list), identical under
// the /kling gateway prefix.
#include <string>

#include "service/http_api.h"

namespace dh::service {
namespace {

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
        ApiCode::InvalidValue,
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
  // A trailing slash is tolerated on the task and list URLs.
  route(Method::Get, base + R"(/([^/]+)/?)", "kling_query", Dialect::Kling, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const std::string id = req.matches[1];
          auto task = tasks_.store().findTaskFor(ctx.account.id, id);
          if (!task)
            throw ApiError(ApiCode::NotFound,
                           "no task with task_id or external_task_id \"" + id + "\"", "task_id");
          sendKling(res, ctx, tasks_.klingData(*task));
        });
  route(Method::Get, base + "/?", "kling_list", Dialect::Kling, true,
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
