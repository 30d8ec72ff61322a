// GET /account/costs (Kling's resource-pack query; also under /v1 and the /kling prefix): the
// calling key's balance as one resource pack, so Kling SDKs' account and health checks work.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "service/http_api.h"

namespace dh::service {
namespace {

// Keys do not expire; Kling clients read a pack without an end as expired, so a key's pack ends
// on 2100-01-01 (Unix milliseconds).
constexpr int64_t kNoExpiryMs = 4102444800000LL;

// An optional Unix-millisecond query parameter; throws ApiError 1201 naming it when malformed.
std::optional<int64_t> millisParam(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  const std::string text = req.get_param_value(name.c_str());
  if (text.empty()) return std::nullopt;
  int64_t value = -1;
  try {
    size_t used = 0;
    value = std::stoll(text, &used);
    if (used != text.size()) value = -1;
  } catch (const std::exception&) {
    value = -1;
  }
  if (value < 0)
    throw ApiError(ApiCode::InvalidValue,
                   name + ": must be a Unix time in milliseconds (a non-negative integer), got \"" +
                       text + "\"",
                   name);
  return value;
}

double roundUnits(double units) {
  return std::round(units * 1000.0) / 1000.0;
}

}  // namespace

void HttpApi::addAccountRoutes(const std::string& prefix) {
  const auto costs = [this](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) {
    const auto start = millisParam(req, "start_time");
    const auto end = millisParam(req, "end_time");
    if (start && end && *start > *end)
      throw ApiError(ApiCode::InvalidValue,
                     "end_time: must not be before start_time (" + std::to_string(*end) + " < " +
                         std::to_string(*start) + ")",
                     "end_time");
    const std::string nameFilter =
        req.has_param("resource_pack_name") ? req.get_param_value("resource_pack_name") : "";
    const store::ApiKey& key = ctx.account;
    const std::string packName = "Digital Human units (" + key.name + ")";
    nlohmann::json pack = {{"resource_pack_name", packName},
                           {"resource_pack_id", key.id},
                           {"purchase_time", key.createdAt},
                           {"effective_time", key.createdAt},
                           {"invalid_time", kNoExpiryMs}};
    if (key.balance) {
      double toppedUp = 0;
      for (const auto& entry : tasks_.store().ledger(key.id))
        if (entry.kind == "topup") toppedUp += entry.units;
      const double remaining = roundUnits(std::max(0.0, *key.balance));
      pack["resource_pack_type"] = "decreasing_total";
      pack["total_quantity"] = roundUnits(std::max(toppedUp, remaining));
      pack["remaining_quantity"] = remaining;
      pack["status"] = remaining > 0 ? "online" : "runOut";
    } else {
      // An unlimited key has no quantity to count down: 0 / 0 with its own type.
      pack["resource_pack_type"] = "unlimited";
      pack["total_quantity"] = 0;
      pack["remaining_quantity"] = 0;
      pack["status"] = "online";
    }
    // Kling lists the packs valid at some time in [start_time, end_time]. A key's one pack is
    // always listed: a window ending just before the key was made (clocks of two machines, or
    // seconds against milliseconds) would otherwise hide the only balance there is.
    const bool nameMatches = nameFilter.empty() || packName.find(nameFilter) != std::string::npos;
    nlohmann::json packs = nlohmann::json::array();
    if (nameMatches) packs.push_back(std::move(pack));
    sendKling(res, ctx,
              {{"code", 0}, {"msg", "success"}, {"resource_pack_subscribe_infos", packs}});
  };
  route(Method::Get, prefix + "/account/costs", "account_costs", Dialect::Kling, true, costs);
  route(Method::Get, prefix + "/v1/account/costs", "account_costs", Dialect::Kling, true, costs);
}

}  // namespace dh::service
