#pragma once
// API keys (stored as SHA-256 hashes) and HS256 JWTs signed with an access key's secret.
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

// The account behind an Authorization header value. Throws ApiError 1000-1004.
store::ApiKey authenticate(store::Store& store, const std::string& authorizationHeader);

}  // namespace dh::service
