// Secrets: JWT nbf/exp enforced with a small, configurable clock skew; webhook secret rotation
// (one v1 signature per configured secret, each verifiable on its own); keys and secrets never
// appear in the server's log.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <ctime>
#include <sstream>

#include "media/base64.h"
#include "service/api_error.h"
#include "service/auth.h"
#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

const char* kSubmit = "/v1/videos/avatar/image2video";

long long now() {
  return static_cast<long long>(time(nullptr));
}

// An HS256 JWT built here with OpenSSL from its JSON parts, independently of the server's code.
std::string base64Url(const std::string& bytes) {
  std::string s = media::encodeBase64(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}
std::string jwtOf(const std::string& header, const std::string& payload,
                  const std::string& secret) {
  const std::string input = base64Url(header) + "." + base64Url(payload);
  unsigned char mac[32];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &n);
  return input + "." + base64Url(std::string(reinterpret_cast<char*>(mac), n));
}
std::string jwt(const IssuedKey& key, long long nbf, long long exp) {
  return jwtOf(R"({"alg":"HS256","typ":"JWT"})",
               nlohmann::json{{"iss", key.accessKey}, {"nbf", nbf}, {"exp", exp}}.dump(),
               key.secretKey);
}

int codeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const service::ApiError& e) {
    return e.code();
  }
  return 0;
}

TEST(JwtTimes, NotBeforeAndExpiryAreEnforcedWithTheSkew) {
  service::JwtClaims c;
  c.issuer = "ak";
  const long long t = 1700000000;
  c.notBefore = t + 5;
  c.expires = t + 60;
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(c, t, 5); }), 0);
  c.notBefore = t + 6;
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(c, t, 5); }), 1003);
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(c, t, 0); }), 1003);
  c.notBefore.reset();  // nbf is optional
  c.expires = t - 4;
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(c, t, 5); }), 0);
  c.expires = t - 5;
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(c, t, 5); }), 1004);
  c.expires = t;
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(c, t, 0); }), 1004);
  c.expires.reset();
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(c, t, 5); }), 1002);
}

TEST(JwtParse, MalformedTokensAre1002AndExtremeNumbersAreClamped) {
  const std::string head = R"({"alg":"HS256","typ":"JWT"})";
  for (const std::string& bad :
       {std::string("a.b"), std::string("a.b.c.d"), std::string("..."), std::string("!!.??.**"),
        jwtOf(R"({"alg":"none"})", R"({"iss":"ak","exp":1})", "s"),
        jwtOf(R"({"alg":1})", R"({"iss":"ak","exp":1})", "s"),
        jwtOf(R"(["HS256"])", R"({"iss":"ak","exp":1})", "s"), jwtOf(head, R"({"exp":1})", "s"),
        jwtOf(head, R"({"iss":7,"exp":1})", "s"), jwtOf(head, R"([1,2])", "s")})
    EXPECT_EQ(codeOf([&] { service::parseJwt(bad); }), 1002) << bad;
  const auto claims =
      service::parseJwt(jwtOf(head, R"({"iss":"ak","nbf":-1e300,"exp":1e300})", "s"));
  EXPECT_EQ(claims.issuer, "ak");
  ASSERT_TRUE(claims.expires && claims.notBefore);
  EXPECT_GT(*claims.expires, now() + 1000000000LL);
  EXPECT_LT(*claims.notBefore, 0);
  EXPECT_EQ(codeOf([&] { service::checkJwtTimes(claims, now(), 5); }), 0);
  const auto text = service::parseJwt(jwtOf(head, R"({"iss":"ak","exp":"soon"})", "s"));
  EXPECT_FALSE(text.expires);
}

TEST(JwtSkewServer, TheFlagWidensTheToleranceAndTheDefaultIsFiveSeconds) {
  const std::string dir = scratchDir();
  ServeProcess lenient(dir + "/lenient", {"--workers", "0", "--jwt-clock-skew-seconds", "30"});
  ServeProcess strict(dir + "/strict", {"--workers", "0"});
  lenient.start();
  strict.start();
  const auto lk = lenient.createKey("lenient");
  const auto sk = strict.createKey("strict");
  auto code = [](ServeProcess& s, const std::string& token) {
    auto c = s.client();
    auto res = c.Get(kSubmit, bearer(token));
    if (!res) return -1;
    return nlohmann::json::parse(res->body)["code"].get<int>();
  };
  const long long t = now();
  // A client clock 20 s ahead: fine with 30 s of skew, refused with the default 5 s.
  EXPECT_EQ(code(lenient, jwt(lk, t + 20, t + 600)), 0);
  EXPECT_EQ(code(strict, jwt(sk, t + 20, t + 600)), 1003);
  EXPECT_EQ(code(strict, jwt(sk, t + 2, t + 600)), 0);
  EXPECT_EQ(code(lenient, jwt(lk, t + 60, t + 600)), 1003);
  // Just expired tokens: within the skew they pass, beyond it they are 1004.
  EXPECT_EQ(code(lenient, jwt(lk, t - 600, t - 20)), 0);
  EXPECT_EQ(code(strict, jwt(sk, t - 600, t - 20)), 1004);
  EXPECT_EQ(code(strict, jwt(sk, t - 600, t - 2)), 0);
  EXPECT_EQ(code(lenient, jwt(lk, t - 600, t - 60)), 1004);
  // Neither the API key nor the JWT secret reaches the log.
  for (ServeProcess* s : {&lenient, &strict}) {
    const std::string log = s->log();
    EXPECT_FALSE(log.empty());
    for (const auto* k : {&lk, &sk}) {
      EXPECT_EQ(log.find(k->apiKey), std::string::npos);
      EXPECT_EQ(log.find(k->secretKey), std::string::npos);
    }
  }
}

std::string whsec(const std::string& bytes) {
  return "whsec_" +
         media::encodeBase64(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string signatureWith(const std::string& secretBytes, const ReceivedCallback& c) {
  const std::string content = c.id + "." + c.timestamp + "." + c.body;
  unsigned char mac[32];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secretBytes.data(), static_cast<int>(secretBytes.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &n);
  return "v1," + media::encodeBase64(mac, n);
}

TEST(WebhookRotation, EverySecretSignsTheCallbackAndNoneIsLogged) {
  const std::string oldSecret = "old-secret-bytes-0123456789abcdef";
  const std::string newSecret = "new-secret-bytes-fedcba9876543210";
  const std::string dir = scratchDir();
  ServeProcess server(dir + "/serve",
                      {"--workers", "1", "--webhook-secret", whsec(oldSecret), "--webhook-secret",
                       whsec(newSecret), "--allow-callback-to", "127.0.0.0/8"});
  server.start();
  const auto key = server.createKey("hooks");
  CallbackReceiver receiver;
  const nlohmann::json body = {{"image", base64File("faces/02_grace_hopper.jpg")},
                               {"sound_file", media::encodeBase64(speechOfLength(2.5, dir))},
                               {"callback_url", receiver.url()}};
  auto c = server.client();
  auto res = c.Post(kSubmit, bearer(key.apiKey), body.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string id = nlohmann::json::parse(res->body)["data"]["task_id"];
  waitForFinal(server, key.apiKey, std::string(kSubmit) + "/" + id, 180);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (receiver.delivered().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto got = receiver.delivered();
  ASSERT_FALSE(got.empty());
  const auto& last = got.back();
  // "v1,<old> v1,<new>": a receiver holding either secret verifies the delivery.
  std::vector<std::string> entries;
  std::istringstream words(last.signature);
  for (std::string w; words >> w;) entries.push_back(w);
  ASSERT_EQ(entries.size(), 2u) << last.signature;
  EXPECT_EQ(entries[0], signatureWith(oldSecret, last));
  EXPECT_EQ(entries[1], signatureWith(newSecret, last));
  EXPECT_NE(entries[0], entries[1]);
  // A tampered body verifies with neither.
  ReceivedCallback tampered = last;
  tampered.body += " ";
  EXPECT_NE(entries[0], signatureWith(oldSecret, tampered));
  EXPECT_NE(entries[1], signatureWith(newSecret, tampered));
  const std::string log = server.log();
  EXPECT_EQ(log.find(whsec(oldSecret)), std::string::npos);
  EXPECT_EQ(log.find(whsec(newSecret)), std::string::npos);
  EXPECT_EQ(log.find(key.apiKey), std::string::npos);
}

}  // namespace
}  // namespace dh::test
