#pragma once
// Errors with a kind and the input field they concern. Lower layers throw these; only the HTTP
// layer maps a kind to a status code. Context is added by nesting (std::throw_with_nested).
#include <exception>
#include <stdexcept>
#include <string>

namespace dh::core {

enum class ErrorKind {
  InvalidInput,     // a request field breaks a rule (size, format, range)
  ContentRejected,  // the input is well-formed but unusable (no face, no speech)
  NotFound,         // a referenced resource does not exist
  Cancelled,        // the work was cancelled by its owner
  Timeout,          // an external operation took too long
  Internal,         // a bug or an environment failure
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string field = {})
      : std::runtime_error(message), kind_(kind), field_(std::move(field)) {}

  ErrorKind kind() const noexcept { return kind_; }
  // The request field the error is about ("image", "sound_file"), empty when none.
  const std::string& field() const noexcept { return field_; }

 private:
  ErrorKind kind_;
  std::string field_;
};

// Shorthands for the common kinds.
[[noreturn]] void throwInvalid(const std::string& field, const std::string& message);
[[noreturn]] void throwRejected(const std::string& field, const std::string& message);

// Rethrows the current exception nested inside a new Error carrying `context`, keeping the
// inner error's kind and field so callers still see what went wrong.
[[noreturn]] void rethrowWithContext(const std::string& context);

// The innermost dh::core::Error of a nested chain, or nullptr.
const Error* findError(const std::exception& e);

// "outer: inner: innermost" for a nested exception chain.
std::string describe(const std::exception& e);

// The message of the innermost exception only: what a user should read.
std::string rootMessage(const std::exception& e);

}  // namespace dh::core
