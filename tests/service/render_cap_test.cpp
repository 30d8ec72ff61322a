// The global render cap: `dh serve --workers 3 --max-running-renders 1` renders one task at a
// time although three threads are idle, the others wait in the queue, and all of them finish.
#include <gtest/gtest.h>

#include <chrono>

#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

using Clock = std::chrono::steady_clock;

TEST(RenderCap, OneRenderAtATimeWithThreeWorkersAndEveryTaskFinishes) {
  ServeProcess server(scratchDir(), {"--workers", "3", "--max-running-renders", "1"});
  server.start();
  const auto key = server.createKey("capped");
  auto c = server.client();
  const std::string image = base64File("faces/02_grace_hopper.jpg");
  const std::string voice = base64File("speech/en_m_jfk.wav");
  constexpr int kTasks = 4;
  std::vector<std::string> ids;
  for (int i = 0; i < kTasks; ++i) {
    auto res = postJson(c, "/v1/videos/avatar/image2video", key.apiKey,
                        {{"image", image}, {"sound_file", voice}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    ids.push_back(parseBody(res)["data"]["task_id"]);
  }

  // Every list of the tasks is one read of the store: count the states it shows.
  int maxProcessing = 0, maxQueuedBesideOne = 0, polls = 0;
  std::set<std::string> seenProcessing;
  const auto deadline = Clock::now() + std::chrono::seconds(240);
  int finished = 0;
  while (finished < kTasks && Clock::now() < deadline) {
    auto res = c.Get("/v1/videos/avatar/image2video?pageNum=1&pageSize=50", bearer(key.apiKey));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    int processing = 0, queued = 0;
    finished = 0;
    const nlohmann::json list = parseBody(res);
    for (const auto& t : list["data"]) {
      const std::string status = t["task_status"];
      if (status == "processing") {
        ++processing;
        seenProcessing.insert(t["task_id"].get<std::string>());
      }
      if (status == "submitted") ++queued;
      if (status == "succeed" || status == "failed") ++finished;
    }
    ++polls;
    maxProcessing = std::max(maxProcessing, processing);
    if (processing == 1) maxQueuedBesideOne = std::max(maxQueuedBesideOne, queued);
    EXPECT_LE(processing, 1) << res->body;
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  ASSERT_EQ(finished, kTasks) << "not all tasks finished in time\n" << server.log();
  EXPECT_EQ(maxProcessing, 1);
  EXPECT_EQ(maxQueuedBesideOne, kTasks - 1) << "the others wait while one renders";
  EXPECT_GE(seenProcessing.size(), 2u) << "polled " << polls << " times";
  for (const auto& id : ids) {
    const auto done = waitForFinal(server, key.apiKey, "/v1/videos/avatar/image2video/" + id, 10);
    EXPECT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  }
  EXPECT_NE(server.log().find("\"max_running_renders\":1"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace dh::test
