// Callbacks (two real receivers: one healthy, one failing three times) with Standard Webhooks
// signatures verified here, and billing: hold at submit, charge on success, nothing on failure.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <sstream>

#include "media/base64.h"
#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

// 32 secret bytes, Base64, with the whsec_ prefix.
const std::string kSecretBytes = "0123456789abcdef0123456789abcdef";
std::string secret() {
  return "whsec_" + media::encodeBase64(reinterpret_cast<const uint8_t*>(kSecretBytes.data()),
                                        kSecretBytes.size());
}

// Verifies a delivery the way a receiver following Standard Webhooks would.
bool signatureVerifies(const ReceivedCallback& c) {
  const std::string content = c.id + "." + c.timestamp + "." + c.body;
  unsigned char mac[32];
  unsigned int n = 0;
  HMAC(EVP_sha256(), kSecretBytes.data(), static_cast<int>(kSecretBytes.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &n);
  return c.signature == "v1," + media::encodeBase64(mac, n);
}

std::vector<ReceivedCallback> waitForDeliveries(CallbackReceiver& receiver, size_t count,
                                                double seconds = 60) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (receiver.delivered().size() < count && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // Anything beyond `count` would be a duplicate: give it a moment to show up.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  return receiver.delivered();
}

class CallbacksAndBilling : public SharedServerSuite {
 protected:
  static void SetUpTestSuite() {
    startServer({"--allow-fetch-from", "127.0.0.0/8", "--allow-callback-to", "127.0.0.0/8",
                 "--webhook-secret", secret(), "--callback-retry-base-ms", "200"});
  }
};

TEST_F(CallbacksAndBilling, HealthyReceiverGetsEachStatusChangeOnceSigned) {
  const auto key = server_->createKey("healthy");
  CallbackReceiver receiver;
  auto c = server_->client();
  auto res = postJson(c, "/v1/videos/avatar/image2video", key.apiKey,
                      {{"image", media_->url("faces/02_grace_hopper.jpg")},
                       {"sound_file", media_->url("speech/en_m_librivox_0870.wav")},
                       {"callback_url", receiver.url()},
                       {"external_task_id", "cb-1"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string id = nlohmann::json::parse(res->body)["data"]["task_id"];
  const auto got = waitForDeliveries(receiver, 3);
  ASSERT_EQ(got.size(), 3u);
  const std::vector<std::string> expected = {"submitted", "processing", "succeed"};
  std::set<std::string> ids;
  for (size_t i = 0; i < got.size(); ++i) {
    const auto body = nlohmann::json::parse(got[i].body);
    EXPECT_EQ(body["task_status"], expected[i]);
    EXPECT_EQ(body["task_id"], id);
    EXPECT_EQ(body["task_info"]["external_task_id"], "cb-1");
    EXPECT_FALSE(body.contains("code")) << "callbacks carry the data object, not the envelope";
    EXPECT_TRUE(signatureVerifies(got[i])) << got[i].signature;
    EXPECT_NEAR(std::stoll(got[i].timestamp), time(nullptr), 120);
    ids.insert(got[i].id);
  }
  EXPECT_EQ(ids.size(), 3u);
  const auto last = nlohmann::json::parse(got[2].body);
  EXPECT_FALSE(last["task_result"]["videos"][0]["url"].get<std::string>().empty());
  EXPECT_EQ(receiver.attempts(), 3);
  // A tampered body does not verify.
  auto tampered = got[0];
  tampered.body += " ";
  EXPECT_FALSE(signatureVerifies(tampered));
}

TEST_F(CallbacksAndBilling, FailingReceiverGetsEverythingAfterRetriesInOrder) {
  const auto key = server_->createKey("flaky");
  CallbackReceiver receiver(3);
  auto c = server_->client();
  auto res = postJson(c, "/v1/video/generations", key.apiKey,
                      {{"model", "kling-avatar-v2-standard"},
                       {"image_url", media_->url("faces/03_faceapi_sample3_crop_c.jpg")},
                       {"audio_url", media_->url("speech/en_m_librivox_0870.wav")},
                       {"audio_duration_seconds", 7.1},
                       {"callback_url", receiver.url()}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto got = waitForDeliveries(receiver, 3);
  ASSERT_EQ(got.size(), 3u);
  const std::vector<std::string> expected = {"queued", "processing", "completed"};
  for (size_t i = 0; i < got.size(); ++i) {
    const auto job = nlohmann::json::parse(got[i].body);
    EXPECT_EQ(job["object"], "video.generation.job");
    EXPECT_EQ(job["status"], expected[i]);
    EXPECT_TRUE(signatureVerifies(got[i]));
  }
  EXPECT_EQ(receiver.attempts(), 6);  // 3 refusals of the first event, then one each
  // The retries of one event carry its webhook-id, each attempt signed afresh.
  const auto attempts = receiver.received();
  ASSERT_EQ(attempts.size(), 6u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(attempts[i].id, got[0].id);
    EXPECT_TRUE(signatureVerifies(attempts[i]));
  }
  EXPECT_NE(got[1].id, got[0].id);
  EXPECT_NE(got[2].id, got[1].id);
  EXPECT_TRUE(nlohmann::json::parse(got[2].body)["video_url"].is_string());
  const std::string log = server_->log();
  EXPECT_NE(log.find("HTTP 500"), std::string::npos);
}

double balanceOf(const ServeProcess& server, const std::string& name) {
  std::istringstream lines(server.keys({"list"}));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, label, prefix, balance;
    fields >> id >> label >> prefix >> balance;
    if (label == name) return std::stod(balance);
  }
  throw std::runtime_error("no key " + name);
}

TEST_F(CallbacksAndBilling, SuccessChargesOutputSecondsAndFailureChargesNothing) {
  const auto key = server_->createKey("payer", {"--balance", "10"});
  CallbackReceiver receiver;
  auto c = server_->client();
  auto ok = postJson(c, "/v1/videos/avatar/image2video", key.apiKey,
                     {{"image", media_->url("faces/02_grace_hopper.jpg")},
                      {"sound_file", media_->url("speech/en_m_librivox_0870.wav")}});
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  const std::string okId = nlohmann::json::parse(ok->body)["data"]["task_id"];
  // The estimate is held at once.
  EXPECT_NEAR(balanceOf(*server_, "payer"), 10 - 7.1 * 0.4, 0.01);
  const auto done = waitForFinal(*server_, key.apiKey, "/v1/videos/avatar/image2video/" + okId);
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  const double seconds =
      std::stod(done["data"]["task_result"]["videos"][0]["duration"].get<std::string>());
  const double charged = std::stod(done["data"]["final_unit_deduction"].get<std::string>());
  EXPECT_NEAR(charged, seconds * 0.4, 0.001);
  EXPECT_NEAR(balanceOf(*server_, "payer"), 10 - charged, 0.001);

  // A portrait without a face fails in the worker: reason in task_status_msg, hold returned.
  auto bad = postJson(c, "/v1/videos/avatar/image2video", key.apiKey,
                      {{"image", media_->url("negatives/noface_cat_chelsea.png")},
                       {"sound_file", media_->url("speech/en_m_librivox_0870.wav")},
                       {"callback_url", receiver.url()}});
  ASSERT_TRUE(bad);
  ASSERT_EQ(bad->status, 200) << bad->body;
  const std::string badId = nlohmann::json::parse(bad->body)["data"]["task_id"];
  const auto failed = waitForFinal(*server_, key.apiKey, "/v1/videos/avatar/image2video/" + badId);
  EXPECT_EQ(failed["data"]["task_status"], "failed");
  EXPECT_NE(failed["data"]["task_status_msg"].get<std::string>().find("face"), std::string::npos)
      << failed.dump();
  EXPECT_EQ(failed["data"]["final_unit_deduction"], "0");
  const auto unified = parseBody(c.Get("/v1/video/generations/" + badId, bearer(key.apiKey)));
  EXPECT_EQ(unified["status"], "failed");
  EXPECT_EQ(unified["error"]["code"], "content_rejected");
  EXPECT_NEAR(balanceOf(*server_, "payer"), 10 - charged, 0.001);
  const auto got = waitForDeliveries(receiver, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(got[2].body)["task_status"], "failed");

  // The ledger: topup, then hold/release/charge for the success and hold/release for the failure.
  std::map<std::string, std::vector<std::string>> kinds;
  for (const auto& e : ledgerOf(*server_, key.id)) kinds[e["task_id"]].push_back(e["kind"]);
  EXPECT_EQ(kinds[""], std::vector<std::string>({"topup"}));
  EXPECT_EQ(kinds[okId], std::vector<std::string>({"hold", "release", "charge"}));
  EXPECT_EQ(kinds[badId], std::vector<std::string>({"hold", "release"}));
}

}  // namespace
}  // namespace dh::test
