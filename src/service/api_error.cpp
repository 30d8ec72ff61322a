#include "service/api_error.h"

#include <array>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace dh::service {
namespace {

constexpr std::array<ErrorRow, 22> kTable = {{
    {ApiCode::Ok, 200, 200, "", ""},
    {ApiCode::InvalidApiKey, 401, 401, "authentication_error", "invalid_api_key"},
    {ApiCode::MissingAuthorization, 401, 401, "authentication_error", "missing_authorization"},
    {ApiCode::InvalidAuthorization, 401, 401, "authentication_error", "invalid_authorization"},
    {ApiCode::TokenNotYetValid, 401, 401, "authentication_error", "token_not_yet_valid"},
    {ApiCode::TokenExpired, 401, 401, "authentication_error", "token_expired"},
    {ApiCode::AccountDisabled, 429, 402, "insufficient_quota", "account_disabled"},
    {ApiCode::AccountInArrears, 429, 402, "insufficient_quota", "account_in_arrears"},
    {ApiCode::InsufficientBalance, 429, 402, "insufficient_quota", "insufficient_balance"},
    {ApiCode::ModeNotAllowed, 403, 403, "permission_error", "model_not_allowed"},
    {ApiCode::InvalidRequest, 400, 400, "invalid_request_error", "invalid_request"},
    {ApiCode::InvalidValue, 400, 400, "invalid_request_error", "invalid_value"},
    {ApiCode::UnknownEndpoint, 404, 404, "invalid_request_error", "unknown_endpoint"},
    {ApiCode::NotFound, 404, 404, "invalid_request_error", "not_found"},
    {ApiCode::PolicyViolation, 400, 400, "invalid_request_error", "policy_violation"},
    {ApiCode::ContentRejected, 400, 400, "invalid_request_error", "content_rejected"},
    {ApiCode::RateLimited, 429, 429, "rate_limit_error", "rate_limit_exceeded"},
    {ApiCode::TooManyRunningTasks, 429, 429, "rate_limit_error", "too_many_running_tasks"},
    {ApiCode::IpNotAllowed, 429, 429, "permission_error", "ip_not_allowed"},
    {ApiCode::Internal, 500, 500, "server_error", "internal_error"},
    {ApiCode::Maintenance, 503, 503, "server_error", "maintenance"},
    {ApiCode::Timeout, 504, 504, "server_error", "timeout"},
}};

constexpr std::array<KindRow, 6> kKinds = {{
    {core::ErrorKind::InvalidInput, ApiCode::InvalidValue, "invalid_input"},
    {core::ErrorKind::ContentRejected, ApiCode::ContentRejected, "content_rejected"},
    {core::ErrorKind::NotFound, ApiCode::NotFound, "not_found"},
    {core::ErrorKind::Timeout, ApiCode::Timeout, "timeout"},
    {core::ErrorKind::Cancelled, ApiCode::Internal, "internal_error"},
    {core::ErrorKind::Internal, ApiCode::Internal, "internal_error"},
}};

}  // namespace

const ErrorRow& errorRow(ApiCode code) {
  for (const auto& row : kTable) {
    if (row.code == code) return row;
  }
  return errorRow(ApiCode::Internal);
}

const KindRow& kindRow(core::ErrorKind kind) {
  for (const auto& row : kKinds) {
    if (row.kind == kind) return row;
  }
  return kKinds.back();  // Internal
}

ApiError toApiError(const std::exception& e) {
  if (auto* api = dynamic_cast<const ApiError*>(&e)) return *api;
  if (const core::Error* err = core::findError(e)) {
    const ApiCode code = kindRow(err->kind()).code;
    // Internal details stay in the log; users read a stable sentence.
    const std::string message = code == ApiCode::Internal ? "internal error" : core::rootMessage(e);
    return ApiError(code, message, err->field());
  }
  return ApiError(ApiCode::Internal, "internal error");
}

ErrorResponse renderError(const ApiError& error, Dialect dialect, const std::string& requestId) {
  const ErrorRow& row = errorRow(error.apiCode());
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
