#pragma once
// API keys (stored as SHA-256 hashes) and HS256 JWTs signed with an access key's secret.
#include <optional>
#include <string>

#include "store/store.h"

namespace dh::service {

struct NewKey {
  store::ApiKey record;  // what is stored
  std::string apiKey;    // "sk-...": shown once, never stored
};

// A fresh key for `name` with an optional starting balance (units).
NewKey generateKey(const std::string& name, std::optional<double> balance,
                   const std::string& allowedModes = "std,pro");

std::string sha256Hex(const std::string& text);
std::string hmacSha256(const std::string& key, const std::string& message);  // raw bytes

// base64url without padding, as JWTs use.
std::string base64UrlEncode(const std::string& bytes);

// An HS256 JWT with iss = accessKey, valid from nbf to exp (Unix seconds).
std::string makeJwt(const std::string& accessKey, const std::string& secretKey, long long nbf,
                    long long exp);

// An HS256 JWT split and decoded, not yet verified.
struct JwtClaims {
  std::string issuer;                           // iss: the access key
  std::string signedPart;                       // "header.payload" as sent
  std::string signature;                        // raw HMAC bytes
  std::optional<long long> notBefore, expires;  // nbf, exp (Unix seconds)
};
// Throws ApiError 1002 when `token` is not a well-formed HS256 JWT with an iss claim.
JwtClaims parseJwt(const std::string& token);
// Throws ApiError 1003 (nbf later than now + skew), 1002 (no exp) or 1004 (exp at or before
// now - skew).
void checkJwtTimes(const JwtClaims& claims, long long nowSeconds, int skewSeconds);

// The account behind an Authorization header value. Throws ApiError 1000-1004. JWT nbf/exp are
// enforced with `jwtSkewSeconds` of tolerance for clients whose clocks are a little off.
store::ApiKey authenticate(store::Store& store, const std::string& authorizationHeader,
                           int jwtSkewSeconds = 5);

}  // namespace dh::service
