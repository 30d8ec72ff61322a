// The unified gateway dialect: /v1/video/generations (submit) and /{task_id} (query).
#include <cmath>
#include <string>

#include "service/http_api.h"

namespace dh::service {

void HttpApi::addUnifiedRoutes() {
  route(Method::Post, "/v1/video/generations", "unified_submit", Dialect::Unified, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const SubmitRequest request = parseUnifiedSubmit(parseJsonObject(req.body));
          const store::Task task = tasks_.submit(ctx.account, request);
          res.status = 200;
          res.set_content(tasks_.unifiedJob(task).dump(), "application/json");
        });
  route(Method::Get, R"(/v1/video/generations/([^/]+)/?)", "unified_query", Dialect::Unified, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const std::string id = req.matches[1];
          auto task = tasks_.store().findTaskFor(ctx.account.id, id);
          if (!task) throw ApiError(ApiCode::NotFound, "no task with id \"" + id + "\"", "task_id");
          res.status = 200;
          res.set_content(tasks_.unifiedJob(*task).dump(), "application/json");
        });
}

}  // namespace dh::service
