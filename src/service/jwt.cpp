// HS256 JWTs taken apart (parseJwt) and their validity window checked (checkJwtTimes): pure
// functions of the token text and the clock, fuzzed on their own; signatures are checked in
// auth.cpp against the stored secret.
#include <nlohmann/json.hpp>

#include "media/base64.h"
#include "service/api_error.h"
#include "service/auth.h"

namespace dh::service {
namespace {

std::string base64UrlDecode(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  const auto bytes = media::decodeBase64(text, "Authorization");
  return std::string(bytes.begin(), bytes.end());
}

// Whole seconds of a numeric claim, clamped so that any JSON number converts safely.
std::optional<long long> claimSeconds(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_integer() && !it->is_number_unsigned()) return it->get<long long>();
  const double value = it->get<double>();
  if (!(value > -1e15)) return -1000000000000000LL;
  if (value > 1e15) return 1000000000000000LL;
  return static_cast<long long>(value);
}

}  // namespace

JwtClaims parseJwt(const std::string& token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string::npos ? first : token.find('.', first + 1);
  if (second == std::string::npos || token.find('.', second + 1) != std::string::npos)
    throw ApiError(ApiCode::InvalidAuthorization,
                   "Authorization: the JWT is not three base64url JSON parts");
  JwtClaims claims;
  claims.signedPart = token.substr(0, second);
  nlohmann::json header, payload;
  try {
    header = nlohmann::json::parse(base64UrlDecode(token.substr(0, first)));
    payload = nlohmann::json::parse(base64UrlDecode(token.substr(first + 1, second - first - 1)));
    claims.signature = base64UrlDecode(token.substr(second + 1));
  } catch (const std::exception&) {
    throw ApiError(ApiCode::InvalidAuthorization,
                   "Authorization: the JWT is not three base64url JSON parts");
  }
  if (!header.is_object() || !header.contains("alg") || header["alg"] != "HS256")
    throw ApiError(ApiCode::InvalidAuthorization, "Authorization: the JWT must use alg HS256");
  if (!payload.is_object() || !payload.contains("iss") || !payload["iss"].is_string())
    throw ApiError(ApiCode::InvalidAuthorization,
                   "Authorization: the JWT needs an iss claim (the access key)");
  claims.issuer = payload["iss"].get<std::string>();
  claims.notBefore = claimSeconds(payload, "nbf");
  claims.expires = claimSeconds(payload, "exp");
  return claims;
}

void checkJwtTimes(const JwtClaims& claims, long long now, int skewSeconds) {
  if (claims.notBefore && *claims.notBefore > now + skewSeconds)
    throw ApiError(ApiCode::TokenNotYetValid,
                   "Authorization: the JWT is not valid before " +
                       std::to_string(*claims.notBefore) + " (now " + std::to_string(now) + ", " +
                       std::to_string(skewSeconds) + " s of clock skew allowed)");
  if (!claims.expires)
    throw ApiError(ApiCode::InvalidAuthorization, "Authorization: the JWT needs an exp claim");
  if (*claims.expires <= now - skewSeconds)
    throw ApiError(ApiCode::TokenExpired,
                   "Authorization: the JWT expired at " + std::to_string(*claims.expires) +
                       " (now " + std::to_string(now) + ", " + std::to_string(skewSeconds) +
                       " s of clock skew allowed)");
}

}  // namespace dh::service
