#pragma once
// The one table from failures to HTTP answers. Handlers throw ApiError (or let a core::Error
// escape); the dialect decides the body shape, the table decides status and codes.
#include <exception>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace dh::service {

enum class Dialect { Kling, Unified };

// The business codes of DESIGN §2.1; the number is what a Kling client sees in `code`.
enum class ApiCode : int {
  Ok = 0,
  InvalidApiKey = 1000,
  MissingAuthorization = 1001,
  InvalidAuthorization = 1002,
  TokenNotYetValid = 1003,
  TokenExpired = 1004,
  AccountDisabled = 1100,
  AccountInArrears = 1101,
  InsufficientBalance = 1102,
  ModeNotAllowed = 1103,
  InvalidRequest = 1200,
  InvalidValue = 1201,
  UnknownEndpoint = 1202,
  NotFound = 1203,
  PolicyViolation = 1300,
  ContentRejected = 1301,
  RateLimited = 1302,
  TooManyRunningTasks = 1303,
  IpNotAllowed = 1304,
  Internal = 5000,
  Maintenance = 5001,
  Timeout = 5002,
};

// A business code with its message and the field concerned.
class ApiError : public std::runtime_error {
 public:
  ApiError(ApiCode code, const std::string& message, std::string param = {})
      : std::runtime_error(message), code_(code), param_(std::move(param)) {}
  ApiCode apiCode() const noexcept { return code_; }
  int code() const noexcept { return static_cast<int>(code_); }  // the number on the wire
  bool serverSide() const noexcept { return code() >= 5000; }    // logged with details
  const std::string& param() const noexcept { return param_; }

 private:
  ApiCode code_;
  std::string param_;
};

struct ErrorRow {
  ApiCode code;
  int klingStatus;    // HTTP status in the Kling dialect
  int unifiedStatus;  // HTTP status in the unified dialect
  const char* type;   // unified error.type
  const char* name;   // unified error.code
};

const ErrorRow& errorRow(ApiCode code);

// The one table from a core::Error kind to what clients see: the API code of a request that
// fails with it, and the `error.code` of a task whose render fails with it.
struct KindRow {
  core::ErrorKind kind;
  ApiCode code;
  const char* taskErrorCode;
};
const KindRow& kindRow(core::ErrorKind kind);

// Any exception as an ApiError: core::Error kinds map through kindRow().
ApiError toApiError(const std::exception& e);

// The response body and status for `error` in `dialect`.
struct ErrorResponse {
  int status;
  std::string body;
};
ErrorResponse renderError(const ApiError& error, Dialect dialect, const std::string& requestId);

}  // namespace dh::service
