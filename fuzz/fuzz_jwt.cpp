// Fuzz target: the token of "Authorization: Bearer <JWT>" through splitting, base64url and JSON
// decoding of its parts (parseJwt) and the nbf/exp check (checkJwtTimes).
#include <cstddef>
#include <cstdint>
#include <string>

#include "service/api_error.h"
#include "service/auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dh::service;
  const std::string token(reinterpret_cast<const char*>(data), size);
  try {
    const JwtClaims claims = parseJwt(token);
    if (claims.signedPart.size() >= token.size()) __builtin_trap();
    checkJwtTimes(claims, 1700000000, 5);
  } catch (const ApiError& e) {
    if (e.code() < 1002 || e.code() > 1004) __builtin_trap();
  }
  return 0;
}
