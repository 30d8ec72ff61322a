// Request limits of a real `dh serve`: the body cap answers 413 / 1200 from the Content-Length
// before the body is read (and a 10 MB photo as Base64 fits), deeply nested JSON is refused
// without parsing it, and a disk-space floor turns submits into 503 / 5001 "maintenance".
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "media/base64.h"
#include "raw_client.h"
#include "service/http_api.h"
#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

const char* kSubmit = "/v1/videos/avatar/image2video";

// Sends `head` (and `bodyPart`) on a raw connection and returns what the server answers within
// `seconds`, without ever sending the rest of the announced body.
std::string rawExchange(int port, const std::string& head, const std::string& bodyPart,
                        double seconds) {
  RawClient client(port);
  if (!client.send(head + bodyPart)) throw std::runtime_error("send failed");
  return client.readResponse(seconds);
}

TEST(JsonDepth, CountsNestingOutsideStringsOnly) {
  EXPECT_EQ(service::jsonNestingDepth(R"({"a": 1})"), 1u);
  EXPECT_EQ(service::jsonNestingDepth(R"({"a": [[{"b": []}]]})"), 5u);
  EXPECT_EQ(service::jsonNestingDepth(R"({"a": "[[[[{{{{\"[["})"), 1u);
  EXPECT_EQ(service::jsonNestingDepth(std::string(100000, '[')), 100000u);
  const std::string ok = std::string(15, '[') + std::string(15, ']');
  EXPECT_NO_THROW(service::parseJsonObject("{\"a\":" + ok + "}"));
  try {
    service::parseJsonObject("{\"a\":" + std::string(16, '[') + std::string(16, ']') + "}");
    ADD_FAILURE() << "17 levels were accepted";
  } catch (const service::ApiError& e) {
    EXPECT_EQ(e.code(), 1200);
    EXPECT_NE(std::string(e.what()).find("17 levels"), std::string::npos) << e.what();
  }
}

class Limits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(scratchDir());
    server_ = new ServeProcess(*dir_ + "/serve", {"--workers", "0"});
    server_->start();
    key_ = new IssuedKey(server_->createKey("limits"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete key_;
    delete dir_;
  }
  static inline std::string* dir_ = nullptr;
  static inline ServeProcess* server_ = nullptr;
  static inline IssuedKey* key_ = nullptr;
};

TEST_F(Limits, OversizedBodyIsRefusedFromItsContentLengthBeforeItIsRead) {
  const std::string head =
      std::string("POST ") + kSubmit + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
      key_->apiKey +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(200 * 1024 * 1024) +
      "\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  // Only 64 KB of the announced 200 MiB are ever sent.
  const std::string answer =
      rawExchange(server_->port(), head, "{\"image\":\"" + std::string(65536, 'A'), 10);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  const auto body = nlohmann::json::parse(answer.substr(answer.find("\r\n\r\n") + 4));
  EXPECT_EQ(body["code"], 1200) << body;
  EXPECT_NE(body["message"].get<std::string>().find("24 MiB limit"), std::string::npos) << body;
  EXPECT_LT(seconds, 5.0);
  // The server is still serving.
  auto c = server_->client();
  auto res = c.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(Limits, TenMegabytePhotoAsBase64Fits) {
  // A real photo padded after its end-of-image marker to 10,000,000 bytes: 13.3 MB as Base64.
  auto photo = readData("faces/02_grace_hopper.jpg");
  photo.resize(10 * 1000 * 1000, 0);
  const nlohmann::json body = {{"image", media::encodeBase64(photo)},
                               {"sound_file", base64File("speech/en_m_librivox_0870.wav")}};
  const std::string text = body.dump();
  EXPECT_GT(text.size(), 13u * 1000 * 1000);
  auto c = server_->client();
  auto res = c.Post(kSubmit, bearer(key_->apiKey), text, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body.substr(0, 500);
  EXPECT_EQ(nlohmann::json::parse(res->body)["code"], 0) << res->body.substr(0, 500);
}

TEST_F(Limits, DeeplyNestedJsonIsRefusedWith1200AndTheServerStaysUp) {
  auto c = server_->client();
  for (size_t depth : {17, 1000, 200000}) {
    const std::string text =
        "{\"image\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
    auto res = c.Post(kSubmit, bearer(key_->apiKey), text, "application/json");
    ASSERT_TRUE(res) << depth;
    EXPECT_EQ(res->status, 400) << res->body;
    const auto body = nlohmann::json::parse(res->body);
    EXPECT_EQ(body["code"], 1200) << res->body;
    EXPECT_NE(body["message"].get<std::string>().find("levels deep"), std::string::npos);
  }
  auto res = c.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(DiskFloor, SubmitsAreRefusedWith5001BelowTheFloorAndAcceptedAboveIt) {
  const std::string dir = scratchDir();
  const nlohmann::json body = {{"image", base64File("faces/02_grace_hopper.jpg")},
                               {"sound_file", base64File("speech/en_m_librivox_0870.wav")}};
  {
    // A floor of 1 PiB: no disk here has that much free.
    ServeProcess full(dir + "/full", {"--workers", "0", "--min-free-disk-mb", "1073741824"});
    full.start();
    const auto key = full.createKey("full");
    auto c = full.client();
    auto res = c.Post(kSubmit, bearer(key.apiKey), body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503) << res->body;
    const auto j = nlohmann::json::parse(res->body);
    EXPECT_EQ(j["code"], 5001) << res->body;
    EXPECT_NE(j["message"].get<std::string>().find("MiB free, below the 1073741824 MiB floor"),
              std::string::npos)
        << res->body;
    // Reads still work.
    res = c.Get(kSubmit, bearer(key.apiKey));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(nlohmann::json::parse(res->body)["data"].size(), 0u);
  }
  {
    ServeProcess roomy(dir + "/roomy", {"--workers", "0", "--min-free-disk-mb", "1"});
    roomy.start();
    const auto key = roomy.createKey("roomy");
    auto c = roomy.client();
    auto res = c.Post(kSubmit, bearer(key.apiKey), body.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
}

}  // namespace
}  // namespace dh::test
