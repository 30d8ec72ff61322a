#pragma once
// The one table from failures to HTTP answers. Handlers throw ApiError (or let a core::Error
// escape); the dialect decides the body shape, the table decides status and codes.
#include <exception>
#include <stdexcept>
#include <string>

namespace dh::service {

enum class Dialect { Kling, Unified };

// A business code of DESIGN §2.1 (1000 ... 5002) with its message and the field concerned.
class ApiError : public std::runtime_error {
 public:
  ApiError(int code, const std::string& message, std::string param = {})
      : std::runtime_error(message), code_(code), param_(std::move(param)) {}
  int code() const noexcept { return code_; }
  const std::string& param() const noexcept { return param_; }

 private:
  int code_;
  std::string param_;
};

struct ErrorRow {
  int code;           // business code
  int klingStatus;    // HTTP status in the Kling dialect
  int unifiedStatus;  // HTTP status in the unified dialect
  const char* type;   // unified error.type
  const char* name;   // unified error.code
};

const ErrorRow& errorRow(int code);

// Any exception as an ApiError: core::Error kinds map to 1201 / 1301 / 1203 / 5000 / 5002.
ApiError toApiError(const std::exception& e);

// The response body and status for `error` in `dialect`.
struct ErrorResponse {
  int status;
  std::string body;
};
ErrorResponse renderError(const ApiError& error, Dialect dialect, const std::string& requestId);

}  // namespace dh::service
