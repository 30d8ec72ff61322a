#include "service/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "media/base64.h"
#include "service/api_error.h"

namespace dh::service {
namespace {

std::string randomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw core::Error(core::ErrorKind::Internal, "keys: no randomness available");
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

std::string toHex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  return hex;
}

std::string base64UrlDecode(std::string text) {
  for (char& c : text) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  const auto bytes = media::decodeBase64(text, "Authorization");
  return std::string(bytes.begin(), bytes.end());
}

bool constantTimeEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

store::ApiKey verifyJwt(store::Store& store, const std::string& token) {
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  const std::string signedPart = token.substr(0, second);
  nlohmann::json header, payload;
  std::string signature;
  try {
    header = nlohmann::json::parse(base64UrlDecode(token.substr(0, first)));
    payload = nlohmann::json::parse(base64UrlDecode(token.substr(first + 1, second - first - 1)));
    signature = base64UrlDecode(token.substr(second + 1));
  } catch (const std::exception&) {
    throw ApiError(1002, "Authorization: the JWT is not three base64url JSON parts");
  }
  if (!header.is_object() || header.value("alg", "") != "HS256")
    throw ApiError(1002, "Authorization: the JWT must use alg HS256");
  if (!payload.is_object() || !payload.contains("iss") || !payload["iss"].is_string())
    throw ApiError(1002, "Authorization: the JWT needs an iss claim (the access key)");
  auto key = store.findKeyByAccessKey(payload["iss"].get<std::string>());
  if (!key || key->revoked) throw ApiError(1000, "Authorization: unknown or revoked access key");
  if (!constantTimeEqual(hmacSha256(key->secretKey, signedPart), signature))
    throw ApiError(1000, "Authorization: the JWT signature does not verify");
  const long long now = store::nowMillis() / 1000;
  if (payload.contains("nbf") && payload["nbf"].is_number() &&
      payload["nbf"].get<long long>() > now)
    throw ApiError(1003, "Authorization: the JWT is not valid before " +
                             std::to_string(payload["nbf"].get<long long>()));
  if (!payload.contains("exp") || !payload["exp"].is_number())
    throw ApiError(1002, "Authorization: the JWT needs an exp claim");
  if (payload["exp"].get<long long>() <= now)
    throw ApiError(1004, "Authorization: the JWT expired at " +
                             std::to_string(payload["exp"].get<long long>()));
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
  out.apiKey = "sk-" + randomHex(24);
  auto& r = out.record;
  r.id = "acct_" + randomHex(8);
  r.name = name;
  r.keyHash = sha256Hex(out.apiKey);
  r.keyPrefix = out.apiKey.substr(0, 9);
  r.accessKey = "ak" + randomHex(15);
  r.secretKey = randomHex(24);
  r.balance = balance;
  r.allowedModes = allowedModes;
  r.createdAt = store::nowMillis();
  return out;
}

store::ApiKey authenticate(store::Store& store, const std::string& header) {
  if (header.empty()) throw ApiError(1001, "Authorization header is empty");
  const std::string scheme = "Bearer ";
  if (header.size() <= scheme.size() || strncasecmp(header.c_str(), "Bearer ", 7) != 0)
    throw ApiError(1002, "Authorization must be \"Bearer <api key or JWT>\"");
  const std::string token = header.substr(scheme.size());
  if (std::count(token.begin(), token.end(), '.') == 2) return verifyJwt(store, token);
  auto key = store.findKeyByHash(sha256Hex(token));
  if (!key) throw ApiError(1000, "Authorization: unknown API key");
  if (key->revoked) throw ApiError(1000, "Authorization: the API key was revoked");
  return *key;
}

}  // namespace dh::service
