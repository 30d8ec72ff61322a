#include "service/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "media/base64.h"
#include "service/api_error.h"

namespace dh::service {
namespace {

std::string toHex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

bool constantTimeEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

store::ApiKey verifyJwt(store::Store& store, const std::string& token, int skewSeconds) {
  const JwtClaims claims = parseJwt(token);
  auto key = store.findKeyByAccessKey(claims.issuer);
  if (!key || key->revoked)
    throw ApiError(ApiCode::InvalidApiKey, "Authorization: unknown or revoked access key");
  if (!constantTimeEqual(hmacSha256(key->secretKey, claims.signedPart), claims.signature))
    throw ApiError(ApiCode::InvalidApiKey, "Authorization: the JWT signature does not verify");
  checkJwtTimes(claims, store::nowMillis() / 1000, skewSeconds);
  return *key;
}

}  // namespace

std::string sha256Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return toHex(std::string(reinterpret_cast<char*>(digest), length));
}

std::string hmacSha256(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string base64UrlEncode(const std::string& bytes) {
  std::string text =
      media::encodeBase64(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::string makeJwt(const std::string& accessKey, const std::string& secretKey, long long nbf,
                    long long exp) {
  const std::string header = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  const std::string payload =
      base64UrlEncode(nlohmann::json{{"iss", accessKey}, {"nbf", nbf}, {"exp", exp}}.dump());
  const std::string signedPart = header + "." + payload;
  return signedPart + "." + base64UrlEncode(hmacSha256(secretKey, signedPart));
}

NewKey generateKey(const std::string& name, std::optional<double> balance,
                   const std::string& allowedModes) {
  NewKey out;
  out.apiKey = "sk-" + store::randomHex(24);
  auto& r = out.record;
  r.id = "acct_" + store::randomHex(8);
  r.name = name;
  r.keyHash = sha256Hex(out.apiKey);
  r.keyPrefix = out.apiKey.substr(0, 9);
  r.accessKey = "ak" + store::randomHex(15);
  r.secretKey = store::randomHex(24);
  r.balance = balance;
  r.allowedModes = allowedModes;
  r.createdAt = store::nowMillis();
  return out;
}

store::ApiKey authenticate(store::Store& store, const std::string& header, int jwtSkewSeconds) {
  if (header.empty())
    throw ApiError(ApiCode::MissingAuthorization, "Authorization header is empty");
  const std::string scheme = "Bearer ";
  if (header.size() <= scheme.size() || strncasecmp(header.c_str(), "Bearer ", 7) != 0)
    throw ApiError(ApiCode::InvalidAuthorization,
                   "Authorization must be \"Bearer <api key or JWT>\"");
  const std::string token = header.substr(scheme.size());
  if (std::count(token.begin(), token.end(), '.') == 2)
    return verifyJwt(store, token, jwtSkewSeconds);
  const std::string hash = sha256Hex(token);
  auto key = store.findKeyByHash(hash);
  // The store finds the row by its index; the final comparison does not leak timing.
  if (!key || !constantTimeEqual(key->keyHash, hash))
    throw ApiError(ApiCode::InvalidApiKey, "Authorization: unknown API key");
  if (key->revoked)
    throw ApiError(ApiCode::InvalidApiKey, "Authorization: the API key was revoked");
  return *key;
}

}  // namespace dh::service
