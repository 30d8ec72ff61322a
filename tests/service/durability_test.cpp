// Durability: `kill -9` of the server while tasks render, then a restart on the same store:
// every accepted task reaches a final state, none is lost or charged twice. Also the graceful
// path (SIGTERM hands work back) and the ops endpoints.
#include <gtest/gtest.h>

#include <filesystem>

#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

std::string submit(const ServeProcess& server, const std::string& key, const std::string& voice) {
  auto c = server.client();
  auto res = postJson(
      c, "/v1/videos/avatar/image2video", key,
      {{"image", base64File("faces/02_grace_hopper.jpg")}, {"sound_file", base64File(voice)}});
  if (!res || res->status != 200) throw std::runtime_error("submit failed");
  return nlohmann::json::parse(res->body)["data"]["task_id"];
}

TEST(Durability, KillNineWhileRenderingLosesNoTaskAndChargesOnce) {
  const std::string dir = scratchDir();
  const std::vector<std::string> flags = {"--lease-seconds", "2", "--workers", "2"};
  auto server = std::make_unique<ServeProcess>(dir, flags);
  server->start();
  const auto key = server->createKey("durable", {"--balance", "100"});
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(submit(*server, key.apiKey,
                         i % 2 ? "speech/en_m_jfk.wav" : "speech/en_m_librivox_0870.wav"));
  // Wait until rendering is under way, then kill the process outright.
  auto c = server->client();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool processing = false;
  while (!processing && std::chrono::steady_clock::now() < deadline) {
    auto res = c.Get("/v1/videos/avatar/image2video/" + ids[0], bearer(key.apiKey));
    processing = res && nlohmann::json::parse(res->body)["data"]["task_status"] == "processing";
    if (!processing) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(processing);
  server->kill9();

  // Restart on the same database and media dir.
  server = std::make_unique<ServeProcess>(dir, flags);
  server->start();
  for (const auto& id : ids) {
    const auto done = waitForFinal(*server, key.apiKey, "/v1/videos/avatar/image2video/" + id, 180);
    EXPECT_EQ(done["data"]["task_status"], "succeed") << done.dump();
    EXPECT_NE(done["data"]["final_unit_deduction"], "0");
  }
  // Exactly one hold, one release and one charge per task.
  std::map<std::string, std::map<std::string, int>> kinds;
  for (const auto& e : ledgerOf(*server, key.id)) ++kinds[e["task_id"]][e["kind"]];
  for (const auto& id : ids) {
    EXPECT_EQ(kinds[id]["hold"], 1) << id;
    EXPECT_EQ(kinds[id]["release"], 1) << id;
    EXPECT_EQ(kinds[id]["charge"], 1) << id;
  }
  EXPECT_NE(server->log().find("resumed"), std::string::npos) << server->log();
}

TEST(Durability, ATaskWhoseWorkerKeepsDyingFailsAfterThreeAttempts) {
  const std::string dir = scratchDir();
  const std::vector<std::string> flags = {"--lease-seconds", "1", "--workers", "1"};
  auto server = std::make_unique<ServeProcess>(dir, flags);
  server->start();
  const auto key = server->createKey("doomed", {"--balance", "50"});
  // The longest voice keeps the worker busy long enough to be killed mid-render each time.
  const std::string id = submit(*server, key.apiKey, "speech/fr_f_asterisk_demo-congrats.mp3");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto c = server->client();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool claimed = false;
    while (!claimed && std::chrono::steady_clock::now() < deadline) {
      claimed = server->log().find("(attempt " + std::to_string(attempt)) != std::string::npos;
      if (!claimed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(claimed) << server->log();
    server->kill9();
    server = std::make_unique<ServeProcess>(dir, flags);
    server->start();
  }
  const auto done = waitForFinal(*server, key.apiKey, "/v1/videos/avatar/image2video/" + id, 60);
  EXPECT_EQ(done["data"]["task_status"], "failed") << done.dump();
  EXPECT_NE(done["data"]["task_status_msg"].get<std::string>().find("3 times"), std::string::npos)
      << done.dump();
  EXPECT_EQ(done["data"]["final_unit_deduction"], "0");
  // The hold came back.
  double balance = 0;
  for (const auto& e : ledgerOf(*server, key.id)) {
    if (!e["balance_after"].is_null()) balance = e["balance_after"];
  }
  EXPECT_NEAR(balance, 50, 0.001);
}

TEST(Durability, SigtermHandsBackWorkAndOpsEndpointsAnswer) {
  const std::string dir = scratchDir();
  const std::vector<std::string> flags = {"--workers", "1", "--shutdown-grace-seconds", "0"};
  auto server = std::make_unique<ServeProcess>(dir, flags);
  server->start();
  auto c = server->client();
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = c.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  const auto key = server->createKey("graceful");
  const std::string id = submit(*server, key.apiKey, "speech/fr_f_asterisk_demo-congrats.mp3");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (server->log().find("claimed") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("dh_queue_depth"), std::string::npos);
  EXPECT_NE(metrics->body.find("dh_tasks{status=\"processing\"} 1"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("dh_http_request_seconds_bucket{route=\"kling_submit\""),
            std::string::npos);
  server->terminate();
  EXPECT_NE(server->log().find("handed back"), std::string::npos) << server->log();

  // The next server picks it up at once (no lease to wait out) and finishes it.
  server = std::make_unique<ServeProcess>(dir, std::vector<std::string>{"--workers", "1"});
  server->start();
  const auto done = waitForFinal(*server, key.apiKey, "/v1/videos/avatar/image2video/" + id, 180);
  EXPECT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  auto after = server->client().Get("/metrics");
  ASSERT_TRUE(after);
  EXPECT_NE(after->body.find("dh_render_seconds_count{mode=\"std\"} 1"), std::string::npos)
      << after->body;
}

TEST(Retention, ExpiredResultsArePurgedFromDiskAndFromTheTask) {
  const std::string dir = scratchDir();
  // Retention of 0 days: anything finished is already expired; look every second.
  ServeProcess server(dir, {"--retention-days", "0", "--purge-interval-seconds", "1"});
  server.start();
  const auto key = server.createKey("short-lived");
  const std::string id = submit(server, key.apiKey, "speech/en_m_librivox_0870.wav");
  const auto done = waitForFinal(server, key.apiKey, "/v1/videos/avatar/image2video/" + id);
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  // The purge may already have run by the time the poll saw the result, so the result's name is
  // taken from the worker's log line ("... units; result videos/<name>.mp4").
  const std::string log = server.log();
  const std::string marker = "task " + id + " succeeded";
  const size_t line = log.find(marker);
  ASSERT_NE(line, std::string::npos) << log;
  const size_t at = log.find("; result ", line) + 9;
  const std::string name = log.substr(at, log.find('\n', at) - at);
  EXPECT_EQ(name.find(id), std::string::npos) << name;
  const std::string path = "/media/" + name;
  const std::string file = dir + path;  // the media dir is DIR/media
  auto c = server.client();
  const std::string input = dir + "/media/inputs/" + id + "-image";
  // The purge removes its files one after another: wait for both, not just the first.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((std::filesystem::exists(file) || std::filesystem::exists(input)) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(input));
  auto gone = c.Get(path);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  const auto after = parseBody(c.Get("/v1/videos/avatar/image2video/" + id, bearer(key.apiKey)));
  EXPECT_EQ(after["data"]["task_status"], "succeed");
  EXPECT_TRUE(after["data"]["task_result"]["videos"].empty());
  // The purge logs its round after it has removed the files and updated the task.
  const auto logged = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.log().find("purged") == std::string::npos &&
         std::chrono::steady_clock::now() < logged)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_NE(server.log().find("purged"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace dh::test
