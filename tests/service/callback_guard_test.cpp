// Callbacks go through the guard of URL fetches: a receiver on a loopback address is refused by
// default (the task still succeeds; the refusal is logged and counted as a failed delivery) and
// reached once --allow-callback-to lists its network; redirects are never followed. Without a
// webhook secret, deliveries still carry webhook-id (stable across retries) and
// webhook-timestamp so receivers can de-duplicate.
#include <gtest/gtest.h>

#include <regex>

#include "media/base64.h"
#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

const char* kSubmit = "/v1/videos/avatar/image2video";

// dh_callback_attempts_total{result="RESULT"} from /metrics.
int callbackAttempts(const ServeProcess& server, const std::string& result) {
  auto c = server.client();
  auto res = c.Get("/metrics");
  if (!res || res->status != 200) throw std::runtime_error("GET /metrics failed");
  std::smatch m;
  const std::regex line("dh_callback_attempts_total\\{result=\"" + result + "\"\\} (\\d+)");
  if (!std::regex_search(res->body, m, line)) throw std::runtime_error("no callback metric");
  return std::stoi(m[1]);
}

bool waitUntil(const std::function<bool()>& done, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string submitWithCallback(const ServeProcess& server, const std::string& apiKey,
                               const std::string& callbackUrl, const std::string& dir) {
  const nlohmann::json body = {{"image", base64File("faces/02_grace_hopper.jpg")},
                               {"sound_file", media::encodeBase64(speechOfLength(2.5, dir))},
                               {"callback_url", callbackUrl}};
  auto c = server.client();
  auto res = c.Post(kSubmit, bearer(apiKey), body.dump(), "application/json");
  if (!res || res->status != 200)
    throw std::runtime_error("submit failed: " + (res ? res->body : std::string("no answer")));
  return nlohmann::json::parse(res->body)["data"]["task_id"];
}

TEST(CallbackGuard, LoopbackReceiverIsRefusedByDefaultAndTheTaskStillSucceeds) {
  const std::string dir = scratchDir();
  ServeProcess server(dir + "/serve", {"--workers", "1", "--callback-retry-base-ms", "200"});
  server.start();
  const auto key = server.createKey("guarded");
  CallbackReceiver receiver;
  const std::string id = submitWithCallback(server, key.apiKey, receiver.url(), dir);
  const auto done = waitForFinal(server, key.apiKey, std::string(kSubmit) + "/" + id, 180);
  EXPECT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  // submitted, processing, succeed: each refused once, none retried.
  ASSERT_TRUE(waitUntil([&] { return callbackAttempts(server, "failed") >= 3; }, 30))
      << server.log();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(callbackAttempts(server, "failed"), 3);
  EXPECT_EQ(callbackAttempts(server, "ok"), 0);
  EXPECT_EQ(receiver.attempts(), 0) << "the receiver must not have been contacted";
  const std::string log = server.log();
  EXPECT_NE(log.find("task " + id + " callback to " + receiver.url() + " refused"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("127.0.0.1, a loopback/private/link-local address"), std::string::npos);
  EXPECT_NE(log.find("--allow-callback-to"), std::string::npos);
}

TEST(CallbackGuard, AllowListOpensExactlyItsNetworksAndRedirectsAreNotFollowed) {
  const std::string dir = scratchDir();
  // No workers: only the "submitted" callback of each task goes out.
  ServeProcess server(dir + "/serve", {"--workers", "0", "--allow-callback-to", "127.0.0.1/32",
                                       "--callback-retry-base-ms", "60000"});
  server.start();
  const auto key = server.createKey("allowed");
  CallbackReceiver receiver;

  const std::string delivered = submitWithCallback(server, key.apiKey, receiver.url(), dir);
  ASSERT_TRUE(waitUntil([&] { return receiver.delivered().size() == 1; }, 30)) << server.log();
  EXPECT_EQ(nlohmann::json::parse(receiver.delivered()[0].body)["task_id"], delivered);
  EXPECT_EQ(nlohmann::json::parse(receiver.delivered()[0].body)["task_status"], "submitted");

  // 127.0.0.2 is loopback too, but outside the allowed 127.0.0.1/32.
  const std::string port = receiver.url().substr(receiver.url().rfind(':') + 1);
  const std::string outside = "http://127.0.0.2:" + port;
  const std::string refused = submitWithCallback(server, key.apiKey, outside, dir);
  ASSERT_TRUE(
      waitUntil([&] { return server.log().find("task " + refused) != std::string::npos; }, 30));
  // The refusal is logged by the callback thread, after the submit's own line.
  EXPECT_TRUE(waitUntil(
      [&] {
        return server.log().find("127.0.0.2, a loopback/private/link-local address") !=
               std::string::npos;
      },
      30))
      << server.log();

  // An allowed receiver that redirects elsewhere: the 307 is the answer, nothing follows it.
  LocalServer redirector;
  std::atomic<int> redirected{0};
  redirector.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    ++redirected;
    res.set_redirect(receiver.url(), 307);
  });
  redirector.start();
  const std::string bounced =
      submitWithCallback(server, key.apiKey, redirector.url() + "/hook", dir);
  ASSERT_TRUE(waitUntil([&] { return redirected.load() == 1; }, 30)) << server.log();
  ASSERT_TRUE(waitUntil(
      [&] {
        return server.log().find("task " + bounced + " callback to " + redirector.url() +
                                 "/hook failed (HTTP 307)") != std::string::npos;
      },
      10))
      << server.log();
  EXPECT_EQ(receiver.delivered().size(), 1u) << "the redirect must not have been followed";
  EXPECT_EQ(receiver.attempts(), 1);
}

TEST(CallbackHeaders, WithoutASecretEveryAttemptCarriesAStableIdAndATimestamp) {
  const std::string dir = scratchDir();
  ServeProcess server(dir + "/serve", {"--workers", "0", "--allow-callback-to", "127.0.0.0/8",
                                       "--callback-retry-base-ms", "200"});
  server.start();
  const auto key = server.createKey("unsigned");
  CallbackReceiver receiver(2);  // refuses twice, then accepts
  const std::string first = submitWithCallback(server, key.apiKey, receiver.url(), dir);
  ASSERT_TRUE(waitUntil([&] { return receiver.delivered().size() == 1; }, 30)) << server.log();
  const std::string second = submitWithCallback(server, key.apiKey, receiver.url(), dir);
  ASSERT_TRUE(waitUntil([&] { return receiver.delivered().size() == 2; }, 30)) << server.log();
  const auto attempts = receiver.received();
  ASSERT_EQ(attempts.size(), 4u);
  const auto now = static_cast<long long>(time(nullptr));
  for (const auto& a : attempts) {
    EXPECT_FALSE(a.id.empty());
    EXPECT_EQ(a.id.rfind("msg_", 0), 0u) << a.id;
    ASSERT_FALSE(a.timestamp.empty());
    EXPECT_NEAR(std::stoll(a.timestamp), now, 120);
    EXPECT_TRUE(a.signature.empty()) << "no secret, no signature: " << a.signature;
  }
  // Three attempts of the first event (two refused), one of the second: one id per event.
  EXPECT_EQ(nlohmann::json::parse(attempts[0].body)["task_id"], first);
  EXPECT_EQ(attempts[0].id.rfind("msg_" + first + "_", 0), 0u) << attempts[0].id;
  EXPECT_EQ(attempts[1].id, attempts[0].id);
  EXPECT_EQ(attempts[2].id, attempts[0].id);
  EXPECT_EQ(nlohmann::json::parse(attempts[3].body)["task_id"], second);
  EXPECT_NE(attempts[3].id, attempts[0].id);
}

}  // namespace
}  // namespace dh::test
