// Every row of the error table (DESIGN §2.1) from a real `dh serve`: HTTP status, business code
// and body shape, in the Kling envelope and in the unified dialect's error object.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <filesystem>
#include <fstream>
#include <tuple>
#include <vector>

#include "media/base64.h"
#include "service_harness.h"
#include "support/generated_media.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

const char* kSubmit = "/v1/videos/avatar/image2video";

// An HS256 JWT made here with OpenSSL, independently of the server's code.
std::string base64Url(const std::string& bytes) {
  std::string s = media::encodeBase64(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}
std::string jwt(const std::string& iss, const std::string& secret, long long nbf, long long exp) {
  const std::string head = base64Url(R"({"alg":"HS256","typ":"JWT"})");
  const std::string body =
      base64Url(nlohmann::json{{"iss", iss}, {"nbf", nbf}, {"exp", exp}}.dump());
  unsigned char mac[32];
  unsigned int n = 0;
  const std::string input = head + "." + body;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &n);
  return input + "." + base64Url(std::string(reinterpret_cast<char*>(mac), n));
}
long long now() {
  return static_cast<long long>(time(nullptr));
}

// Asserts a Kling error envelope.
void expectKling(const httplib::Result& res, int status, int code,
                 const std::string& mention = "") {
  ASSERT_TRUE(res) << "no response";
  EXPECT_EQ(res->status, status) << res->body;
  const auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["code"], code) << res->body;
  EXPECT_TRUE(body["message"].is_string());
  EXPECT_TRUE(body.contains("request_id"));
  EXPECT_TRUE(body["data"].is_null());
  if (!mention.empty()) {
    EXPECT_NE(body["message"].get<std::string>().find(mention), std::string::npos) << res->body;
  }
}

// Asserts a unified error object.
void expectUnified(const httplib::Result& res, int status, const std::string& type,
                   const std::string& param = "") {
  ASSERT_TRUE(res) << "no response";
  EXPECT_EQ(res->status, status) << res->body;
  const auto body = nlohmann::json::parse(res->body);
  ASSERT_TRUE(body.contains("error")) << res->body;
  EXPECT_EQ(body["error"]["type"], type) << res->body;
  EXPECT_TRUE(body["error"]["message"].is_string());
  EXPECT_TRUE(body["error"]["code"].is_string());
  if (!param.empty()) {
    EXPECT_EQ(body["error"]["param"], param) << res->body;
  }
}

class ErrorTable : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(scratchDir());
    server_ = new ServeProcess(
        *dir_ + "/main",
        {"--workers", "0", "--max-active-tasks-per-key", "2", "--blocked-prompt-words",
         "forbidden,banned", "--allow-fetch-from", "127.0.0.0/8", "--fetch-timeout-seconds", "1"});
    server_->start();
    image_ = new std::string(base64File("faces/02_grace_hopper.jpg"));
    voice_ = new std::string(base64File("speech/en_m_librivox_0870.wav"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete image_;
    delete voice_;
    delete dir_;
  }
  void SetUp() override { key_ = server_->createKey(currentTestName()); }
  nlohmann::json validBody() const { return {{"image", *image_}, {"sound_file", *voice_}}; }
  httplib::Result post(const std::string& path, const nlohmann::json& body,
                       const std::string& token = "") {
    auto c = server_->client();
    return postJson(c, path, token.empty() ? key_.apiKey : token, body);
  }

  static inline std::string* dir_ = nullptr;
  static inline ServeProcess* server_ = nullptr;
  static inline std::string* image_ = nullptr;
  static inline std::string* voice_ = nullptr;
  IssuedKey key_;
};

TEST_F(ErrorTable, Auth1000To1004) {
  auto c = server_->client();
  expectKling(c.Post(kSubmit, validBody().dump(), "application/json"), 401, 1001);
  expectKling(
      c.Post(kSubmit, {{"Authorization", "Basic abc"}}, validBody().dump(), "application/json"),
      401, 1002);
  expectKling(post(kSubmit, validBody(), "sk-not-a-real-key"), 401, 1000);
  expectKling(post(kSubmit, validBody(), "aaa.bbb.ccc"), 401, 1002);
  expectKling(
      post(kSubmit, validBody(), jwt(key_.accessKey, "wrong secret", now() - 5, now() + 60)), 401,
      1000);
  expectKling(
      post(kSubmit, validBody(), jwt(key_.accessKey, key_.secretKey, now() + 600, now() + 1200)),
      401, 1003);
  expectKling(
      post(kSubmit, validBody(), jwt(key_.accessKey, key_.secretKey, now() - 600, now() - 60)), 401,
      1004);
  // A valid JWT and the bearer key both work; the CLI's JWT too.
  auto ok = post(kSubmit, validBody(), jwt(key_.accessKey, key_.secretKey, now() - 5, now() + 600));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  const std::string cliJwt = server_->keys({"jwt", key_.id});
  auto viaCli =
      c.Get(std::string(kSubmit) + "?pageSize=5", bearer(cliJwt.substr(0, cliJwt.find('\n'))));
  ASSERT_TRUE(viaCli);
  EXPECT_EQ(viaCli->status, 200) << viaCli->body;
  // Revoked keys fail.
  server_->keys({"revoke", key_.id});
  expectKling(post(kSubmit, validBody()), 401, 1000, "revoked");
  expectUnified(c.Get("/v1/video/generations/123", bearer(key_.apiKey)), 401,
                "authentication_error");
}

TEST_F(ErrorTable, Account1100To1103) {
  const auto disabled = server_->createKey("disabled-account");
  server_->keys({"disable", disabled.id});
  expectKling(post(kSubmit, validBody(), disabled.apiKey), 429, 1100);

  const auto arrears = server_->createKey("in-arrears", {"--balance", "1"});
  server_->keys({"topup", arrears.id, "-2"});
  expectKling(post(kSubmit, validBody(), arrears.apiKey), 429, 1101);

  const auto poor = server_->createKey("poor", {"--balance", "0.5"});
  expectKling(post(kSubmit, validBody(), poor.apiKey), 429, 1102, "2.84");
  expectUnified(post("/v1/video/generations",
                     {{"model", "kling-avatar-v2-standard"},
                      {"image_url", "data:image/jpeg;base64," + *image_},
                      {"audio_url", *voice_},
                      {"audio_duration_seconds", 7.1}},
                     poor.apiKey),
                402, "insufficient_quota");

  const auto stdOnly = server_->createKey("std-only", {"--modes", "std"});
  auto body = validBody();
  body["mode"] = "pro";
  expectKling(post(kSubmit, body, stdOnly.apiKey), 403, 1103, "pro");
}

TEST_F(ErrorTable, Request1200And1201NameTheField) {
  auto c = server_->client();
  expectKling(c.Post(kSubmit, bearer(key_.apiKey), "{not json", "application/json"), 400, 1200);
  expectKling(c.Post(kSubmit, bearer(key_.apiKey), "[1,2]", "application/json"), 400, 1200);
  expectKling(post(kSubmit, {{"sound_file", *voice_}}), 400, 1201, "image");
  expectKling(post(kSubmit, {{"image", *image_}}), 400, 1201, "audio_id / sound_file");
  expectKling(post(kSubmit, {{"image", *image_}, {"sound_file", *voice_}, {"audio_id", "1"}}), 400,
              1201, "both are set");
  // A valid body with one field made wrong: 1201, the message naming what is wrong.
  const std::vector<std::tuple<std::string, nlohmann::json, std::string>> wrongFields = {
      {"prompt", std::string(2501, 'a'), "2500"},
      {"mode", "ultra", "mode"},
      {"watermark_info", "yes", "watermark_info"},
      {"image", "@@@ not base64 @@@", "image"},
      {"image", media::encodeBase64(makeResizedFacePng(200, 260)), "image"},
      {"sound_file", base64File("speech/en_f_alsa_Front_Center_short.wav"), "sound_file"},
      {"image", "ftp://example.com/face.jpg", "image"},
      {"prompt", 5, "prompt"}};
  for (const auto& [field, value, mention] : wrongFields) {
    SCOPED_TRACE(field + " = " + value.dump().substr(0, 60));
    auto body = validBody();
    body[field] = value;
    expectKling(post(kSubmit, body), 400, 1201, mention);
  }
  expectKling(c.Get(std::string(kSubmit) + "?pageNum=0", bearer(key_.apiKey)), 400, 1201,
              "pageNum");
  expectKling(c.Get(std::string(kSubmit) + "?pageSize=501", bearer(key_.apiKey)), 400, 1201,
              "pageSize");
  // Unified: the error object names the parameter.
  expectUnified(post("/v1/video/generations", {{"model", "kling-avatar-v2-standard"},
                                               {"image_url", "data:image/jpeg;base64," + *image_},
                                               {"audio_url", *voice_}}),
                400, "invalid_request_error", "audio_duration_seconds");
  expectUnified(post("/v1/video/generations", {{"model", "kling-avatar-v2-standard"},
                                               {"audio_url", *voice_},
                                               {"audio_duration_seconds", 7}}),
                400, "invalid_request_error", "image_url");
}

TEST_F(ErrorTable, NotFound1202And1203) {
  auto c = server_->client();
  expectKling(c.Get("/v1/no/such/thing", bearer(key_.apiKey)), 404, 1202);
  expectKling(c.Delete(std::string(kSubmit) + "/1", bearer(key_.apiKey)), 404, 1202);
  expectKling(c.Get(std::string(kSubmit) + "/999999999999999999", bearer(key_.apiKey)), 404, 1203);
  expectKling(post(kSubmit, {{"image", *image_}, {"audio_id", "123456789012345678"}}), 404, 1203,
              "audio_id");
  expectUnified(c.Get("/v1/video/generations/nope", bearer(key_.apiKey)), 404,
                "invalid_request_error");
  expectUnified(post("/v1/video/generations", {{"model", "kling-avatar-v9"},
                                               {"image_url", *image_},
                                               {"audio_url", *voice_},
                                               {"audio_duration_seconds", 7}}),
                404, "invalid_request_error", "model");
  expectKling(c.Get("/media/videos/123.mp4"), 404, 1203);
}

// A 404 answered before any route ran (unknown endpoint, unknown media) carries a request id like
// every other answer, in the body and the X-Request-Id header, and the log has it.
TEST_F(ErrorTable, NotFoundAnswersCarryARequestIdAndTaskUrlsTolerateATrailingSlash) {
  auto c = server_->client();
  for (const std::string path : {"/v1/no/such/thing", "/media/videos/123.mp4",
                                 "/media/videos/0123456789abcdef0123456789abcdef.mp4"}) {
    auto res = c.Get(path, bearer(key_.apiKey));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    const auto body = nlohmann::json::parse(res->body);
    const std::string id = body["request_id"];
    EXPECT_FALSE(id.empty()) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("X-Request-Id"), id) << path;
  }
  auto unknown = c.Get("/v1/no/such/other", bearer(key_.apiKey));
  ASSERT_TRUE(unknown);
  const std::string unknownId = nlohmann::json::parse(unknown->body)["request_id"];
  EXPECT_NE(server_->log().find("[" + unknownId + "]"), std::string::npos);
  auto again = c.Get("/v1/no/such/other");
  ASSERT_TRUE(again);
  EXPECT_NE(nlohmann::json::parse(again->body)["request_id"], unknownId) << "one id per answer";

  auto res = post(kSubmit, validBody());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string task = nlohmann::json::parse(res->body)["data"]["task_id"];
  for (const std::string& path : {std::string(kSubmit) + "/" + task + "/",
                                  "/kling" + std::string(kSubmit) + "/" + task + "/"}) {
    const auto got = parseBody(c.Get(path, bearer(key_.apiKey)));
    EXPECT_EQ(got["data"]["task_id"], task) << path << ": " << got.dump();
  }
  const auto unified = parseBody(c.Get("/v1/video/generations/" + task + "/", bearer(key_.apiKey)));
  EXPECT_EQ(unified["id"], task) << unified.dump();
  const auto list = parseBody(c.Get(std::string(kSubmit) + "/?pageSize=5", bearer(key_.apiKey)));
  ASSERT_EQ(list["code"], 0) << list.dump();
  EXPECT_EQ(list["data"][0]["task_id"], task);
  // Two slashes are still not a task URL.
  expectKling(c.Get(std::string(kSubmit) + "/" + task + "//", bearer(key_.apiKey)), 404, 1202);
}

TEST(ServeFlags, UnknownLogLevelIsRefusedListingTheValidOnes) {
  const std::string dir = scratchDir();
  const auto result = runProcess({dhBinary(), "serve", "--port", "0", "--db", dir + "/db.sqlite",
                                  "--media-dir", dir + "/media", "--log-level", "verbose"});
  EXPECT_NE(result.exitCode, 0);
  const std::string said = result.out + result.err;
  EXPECT_NE(said.find("--log-level"), std::string::npos) << said;
  EXPECT_NE(said.find("\"verbose\""), std::string::npos) << said;
  EXPECT_NE(said.find("trace, debug, info, warn, error, critical, off"), std::string::npos) << said;
  EXPECT_FALSE(std::filesystem::exists(dir + "/db.sqlite")) << "refused before doing anything";
}

TEST_F(ErrorTable, Policy1300AndRunningTasks1303) {
  auto body = validBody();
  body["prompt"] = "a calm presenter saying something Forbidden";
  expectKling(post(kSubmit, body), 400, 1300, "policy");
  // This server has no workers: tasks stay submitted and count as running.
  for (int i = 0; i < 2; ++i) {
    auto ok = post(kSubmit, validBody());
    ASSERT_TRUE(ok);
    ASSERT_EQ(ok->status, 200) << ok->body;
  }
  expectKling(post(kSubmit, validBody()), 429, 1303);
}

TEST_F(ErrorTable, Timeout5002AndLoopbackUrlsNeedTheOperatorFlag) {
  LocalServer slow;
  slow.server().Get("/slow.jpg", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    res.set_content("late", "image/jpeg");
  });
  slow.start();
  auto body = validBody();
  body["image"] = slow.url() + "/slow.jpg";
  expectKling(post(kSubmit, body), 504, 5002, "image");

  // A server without --allow-fetch-from refuses loopback URLs.
  ServeProcess strict(*dir_ + "/strict", {"--workers", "0"});
  strict.start();
  const auto key = strict.createKey("strict");
  MediaServer media;
  body = validBody();
  body["image"] = media.url("faces/02_grace_hopper.jpg");
  auto c = strict.client();
  expectKling(postJson(c, kSubmit, key.apiKey, body), 400, 1201, "127.0.0.1");
}

TEST(ErrorTableServers, RateLimit1302IpNotAllowed1304Maintenance5001Internal5000) {
  const std::string dir = scratchDir();
  const nlohmann::json body = {{"image", base64File("faces/02_grace_hopper.jpg")},
                               {"sound_file", base64File("speech/en_m_librivox_0870.wav")}};
  {
    ServeProcess limited(dir + "/limited", {"--workers", "0", "--rate-limit-per-minute", "3"});
    limited.start();
    const auto key = limited.createKey("limited");
    auto c = limited.client();
    for (int i = 0; i < 3; ++i) {
      auto res = c.Get(kSubmit, bearer(key.apiKey));
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200);
    }
    expectKling(c.Get(kSubmit, bearer(key.apiKey)), 429, 1302);
  }
  {
    ServeProcess fenced(dir + "/fenced", {"--workers", "0", "--allow-client-ip", "10.0.0.0/8"});
    fenced.start();
    const auto key = fenced.createKey("fenced");
    auto c = fenced.client();
    expectKling(c.Get(kSubmit, bearer(key.apiKey)), 429, 1304, "127.0.0.1");
  }
  {
    ServeProcess closed(dir + "/closed", {"--workers", "0", "--maintenance"});
    closed.start();
    const auto key = closed.createKey("closed");
    auto c = closed.client();
    expectKling(postJson(c, kSubmit, key.apiKey, body), 503, 5001);
    expectUnified(postJson(c, "/v1/video/generations", key.apiKey,
                           {{"model", "kling-avatar-v2-pro"},
                            {"image_url", body["image"]},
                            {"audio_url", body["sound_file"]},
                            {"audio_duration_seconds", 7.1}}),
                  503, "server_error");
  }
  {
    // Inputs cannot be stored (a file sits where the inputs directory belongs): internal error,
    // reported without internals.
    std::filesystem::create_directories(dir + "/broken/media");
    std::ofstream(dir + "/broken/media/inputs") << "not a directory";
    ServeProcess broken(dir + "/broken", {"--workers", "0"});
    broken.start();
    const auto key = broken.createKey("broken");
    auto c = broken.client();
    auto res = postJson(c, kSubmit, key.apiKey, body);
    expectKling(res, 500, 5000);
    EXPECT_EQ(nlohmann::json::parse(res->body)["message"], "internal error");
    EXPECT_NE(broken.log().find("inputs"), std::string::npos);
  }
}

TEST(ErrorTableServers, ConsoleRoutesShareTheApisAuthRateLimitIpFilterAndMetrics) {
  const std::string dir = scratchDir();
  {
    // One window of 4 requests a minute per key, shared by console and API routes; JWTs get the
    // server's clock skew (120 s here) on console routes too.
    ServeProcess limited(dir + "/limited", {"--workers", "0", "--rate-limit-per-minute", "4",
                                            "--jwt-clock-skew-seconds", "120"});
    limited.start();
    const auto key = limited.createKey("console-limited");
    auto c = limited.client();
    auto page = c.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"),
              std::string::npos);
    EXPECT_FALSE(page->get_header_value("X-Request-Id").empty());
    for (int i = 0; i < 2; ++i) {
      auto res = c.Get("/v1/console/account", bearer(key.apiKey));
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      const auto body = nlohmann::json::parse(res->body);
      EXPECT_EQ(body["code"], 0);
      EXPECT_EQ(body["data"]["name"], "console-limited");
      EXPECT_EQ(body["request_id"], res->get_header_value("X-Request-Id"));
    }
    // nbf 60 s ahead: inside the configured skew, so accepted (the default 5 s would refuse it).
    auto early = c.Get("/v1/console/account",
                       bearer(jwt(key.accessKey, key.secretKey, now() + 60, now() + 600)));
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 200) << early->body;
    auto api = c.Get(kSubmit, bearer(key.apiKey));
    ASSERT_TRUE(api);
    EXPECT_EQ(api->status, 200) << api->body;
    // The fifth request of the minute, console or API, is refused.
    expectKling(c.Get("/v1/console/account", bearer(key.apiKey)), 429, 1302, "rate limit");
    expectKling(c.Get(kSubmit, bearer(key.apiKey)), 429, 1302);
    expectKling(
        c.Post("/v1/console/analyze-face", bearer(key.apiKey), std::string("x"), "image/jpeg"), 429,
        1302);
    // Another key has its own window.
    const auto other = limited.createKey("console-other");
    auto fresh = c.Get("/v1/console/account", bearer(other.apiKey));
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->status, 200) << fresh->body;
    // Bad auth answers like the API's.
    expectKling(c.Get("/v1/console/account"), 401, 1001);
    expectKling(c.Get("/v1/console/account",
                      bearer(jwt(key.accessKey, key.secretKey, now() - 900, now() - 300))),
                401, 1004);
    // The console routes are counted in the metrics like the API's (3 + 1 for the other key).
    auto metrics = c.Get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(
        metrics->body.find(R"(dh_http_requests_total{route="console_account",status="200"} 4)"),
        std::string::npos)
        << metrics->body;
    EXPECT_NE(metrics->body.find(R"(dh_http_requests_total{route="console_account",status="429"})"),
              std::string::npos);
    EXPECT_NE(metrics->body.find(R"(dh_http_requests_total{route="console_page",status="200"} 1)"),
              std::string::npos);
  }
  {
    // Outside the allow-list, the console's page, assets and endpoints are refused like the API.
    ServeProcess fenced(dir + "/fenced", {"--workers", "0", "--allow-client-ip", "10.0.0.0/8"});
    fenced.start();
    const auto key = fenced.createKey("console-fenced");
    auto c = fenced.client();
    expectKling(c.Get("/"), 429, 1304, "127.0.0.1");
    expectKling(c.Get("/console/console.js"), 429, 1304, "127.0.0.1");
    expectKling(c.Get("/v1/console/account", bearer(key.apiKey)), 429, 1304, "127.0.0.1");
    expectKling(
        c.Post("/v1/console/analyze-face", bearer(key.apiKey), std::string("x"), "image/jpeg"), 429,
        1304, "127.0.0.1");
    expectKling(c.Get(kSubmit, bearer(key.apiKey)), 429, 1304, "127.0.0.1");
  }
}

}  // namespace
}  // namespace dh::test
