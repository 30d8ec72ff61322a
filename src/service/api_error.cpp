#include "service/api_error.h"

#include <array>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace dh::service {
namespace {

constexpr std::array<ErrorRow, 22> kTable = {{
    {0, 200, 200, "", ""},
    {1000, 401, 401, "authentication_error", "invalid_api_key"},
    {1001, 401, 401, "authentication_error", "missing_authorization"},
    {1002, 401, 401, "authentication_error", "invalid_authorization"},
    {1003, 401, 401, "authentication_error", "token_not_yet_valid"},
    {1004, 401, 401, "authentication_error", "token_expired"},
    {1100, 429, 402, "insufficient_quota", "account_disabled"},
    {1101, 429, 402, "insufficient_quota", "account_in_arrears"},
    {1102, 429, 402, "insufficient_quota", "insufficient_balance"},
    {1103, 403, 403, "permission_error", "model_not_allowed"},
    {1200, 400, 400, "invalid_request_error", "invalid_request"},
    {1201, 400, 400, "invalid_request_error", "invalid_value"},
    {1202, 404, 404, "invalid_request_error", "unknown_endpoint"},
    {1203, 404, 404, "invalid_request_error", "not_found"},
    {1300, 400, 400, "invalid_request_error", "policy_violation"},
    {1301, 400, 400, "invalid_request_error", "content_rejected"},
    {1302, 429, 429, "rate_limit_error", "rate_limit_exceeded"},
    {1303, 429, 429, "rate_limit_error", "too_many_running_tasks"},
    {1304, 429, 429, "permission_error", "ip_not_allowed"},
    {5000, 500, 500, "server_error", "internal_error"},
    {5001, 503, 503, "server_error", "maintenance"},
    {5002, 504, 504, "server_error", "timeout"},
}};

int codeForKind(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::InvalidInput:
      return 1201;
    case core::ErrorKind::ContentRejected:
      return 1301;
    case core::ErrorKind::NotFound:
      return 1203;
    case core::ErrorKind::Timeout:
      return 5002;
    case core::ErrorKind::Cancelled:
    case core::ErrorKind::Internal:
      return 5000;
  }
  return 5000;
}

}  // namespace

const ErrorRow& errorRow(int code) {
  for (const auto& row : kTable) {
    if (row.code == code) return row;
  }
  return kTable[19];  // 5000
}

ApiError toApiError(const std::exception& e) {
  if (auto* api = dynamic_cast<const ApiError*>(&e)) return *api;
  if (const core::Error* err = core::findError(e)) {
    const int code = codeForKind(err->kind());
    // Internal details stay in the log; users read a stable sentence.
    const std::string message = code == 5000 ? "internal error" : core::rootMessage(e);
    return ApiError(code, message, err->field());
  }
  return ApiError(5000, "internal error");
}

ErrorResponse renderError(const ApiError& error, Dialect dialect, const std::string& requestId) {
  const ErrorRow& row = errorRow(error.code());
  if (dialect == Dialect::Kling) {
    const nlohmann::json body = {{"code", error.code()},
                                 {"message", error.what()},
                                 {"request_id", requestId},
                                 {"data", nullptr}};
    return {row.klingStatus, body.dump()};
  }
  nlohmann::json inner = {
      {"message", error.what()},
      {"type", row.type},
      {"code", row.name},
      {"param", error.param().empty() ? nlohmann::json(nullptr) : nlohmann::json(error.param())}};
  return {row.unifiedStatus, nlohmann::json{{"error", inner}}.dump()};
}

}  // namespace dh::service
