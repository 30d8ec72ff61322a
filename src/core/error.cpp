#include "core/error.h"

namespace dh::core {

void throwInvalid(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::InvalidInput, message, field);
}

void throwRejected(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::ContentRejected, message, field);
}

void rethrowWithContext(const std::string& context) {
  try {
    throw;
  } catch (const Error& e) {
    std::throw_with_nested(Error(e.kind(), context, e.field()));
  } catch (...) {
    std::throw_with_nested(Error(ErrorKind::Internal, context));
  }
}

namespace {
template <typename Visit>
void walk(const std::exception& e, Visit&& visit) {
  visit(e);
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& inner) {
    walk(inner, visit);
  } catch (...) {
  }
}
}  // namespace

const Error* findError(const std::exception& e) {
  const Error* found = nullptr;
  walk(e, [&](const std::exception& x) {
    if (auto* err = dynamic_cast<const Error*>(&x)) found = err;
  });
  return found;
}

std::string describe(const std::exception& e) {
  std::string out;
  walk(e, [&](const std::exception& x) {
    if (!out.empty()) out += ": ";
    out += x.what();
  });
  return out;
}

std::string rootMessage(const std::exception& e) {
  std::string out;
  walk(e, [&](const std::exception& x) { out = x.what(); });
  return out;
}

}  // namespace dh::core
