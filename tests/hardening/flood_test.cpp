// A flood of submits from one key on loopback: the per-key limits answer 1302 (rate) and 1303
// (running tasks), no request goes unanswered, and another key's task GETs keep a p99 under 50 ms
// while the flood runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

const char* kSubmit = "/v1/videos/avatar/image2video";

TEST(Flood, LimitsAnswer1302And1303WhileGetsStayFast) {
  constexpr int kRatePerMinute = 600;
  constexpr int kMaxActive = 2;
  constexpr int kFloodThreads = 6;
  constexpr int kMinSubmits = 900;   // 1303 up to the key's 600th request, then 1302
  constexpr int kMaxSubmits = 6000;  // the flood runs until the reader is done, at most this
  constexpr size_t kGets = 200;
  ServeProcess server(scratchDir() + "/serve",
                      {"--workers", "0", "--rate-limit-per-minute", std::to_string(kRatePerMinute),
                       "--max-active-tasks-per-key", std::to_string(kMaxActive)});
  server.start();
  const auto flooder = server.createKey("flooder");
  const auto reader = server.createKey("reader");
  const nlohmann::json real = {{"image", base64File("faces/02_grace_hopper.jpg")},
                               {"sound_file", base64File("speech/en_m_librivox_0870.wav")}};

  auto c = server.client();
  std::string readerTask;
  {
    auto res = c.Post(kSubmit, bearer(reader.apiKey), real.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    readerTask = nlohmann::json::parse(res->body)["data"]["task_id"];
  }
  for (int i = 0; i < kMaxActive; ++i) {
    auto res = c.Post(kSubmit, bearer(flooder.apiKey), real.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  // The flood: small bodies (the limit checks come before any input is fetched or decoded).
  const std::string small =
      nlohmann::json{{"image", "http://127.0.0.1:9/face.jpg"}, {"sound_file", "AAAA"}}.dump();
  std::mutex mutex;
  std::map<int, int> codes;  // business code -> count; -1 = no response
  std::atomic<bool> readerDone{false};
  std::atomic<int> sent{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::vector<std::thread> threads;
  for (int t = 0; t < kFloodThreads; ++t) {
    threads.emplace_back([&] {
      auto client = server.client();
      while ((sent.load() < kMinSubmits || !readerDone.load()) && sent.load() < kMaxSubmits &&
             std::chrono::steady_clock::now() < deadline) {
        ++sent;
        auto res = client.Post(kSubmit, bearer(flooder.apiKey), small, "application/json");
        int code = -1;
        if (res) code = nlohmann::json::parse(res->body).value("code", -2);
        std::lock_guard lock(mutex);
        ++codes[code];
      }
    });
  }
  // Meanwhile another key reads its task, one GET at a time, timing each.
  std::vector<double> latenciesMs;
  std::thread readerThread([&] {
    auto client = server.client();
    while (latenciesMs.size() < kGets && std::chrono::steady_clock::now() < deadline) {
      const auto start = std::chrono::steady_clock::now();
      auto res = client.Get(std::string(kSubmit) + "/" + readerTask, bearer(reader.apiKey));
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!res || res->status != 200) {
        latenciesMs.push_back(1e9);  // a failed GET counts as too slow
      } else {
        latenciesMs.push_back(ms);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    readerDone = true;
  });
  readerThread.join();
  for (auto& t : threads) t.join();

  int total = 0;
  for (const auto& [code, n] : codes) total += n;
  EXPECT_EQ(total, sent.load());
  EXPECT_GE(total, kMinSubmits) << "the flood did not finish within 90 s";
  EXPECT_EQ(codes.count(-1), 0u) << codes[-1] << " flood requests got no response";
  EXPECT_EQ(codes[0], 0) << "a submit past the running-task limit was accepted";
  // Up to the rate limit (the two accepted submits counted) the running-task limit answers;
  // after it the rate limit.
  EXPECT_EQ(codes[1303], kRatePerMinute - kMaxActive);
  EXPECT_EQ(codes[1302], total - (kRatePerMinute - kMaxActive));
  EXPECT_EQ(codes[1303] + codes[1302], total);

  ASSERT_EQ(latenciesMs.size(), kGets);
  std::sort(latenciesMs.begin(), latenciesMs.end());
  const double p50 = latenciesMs[latenciesMs.size() / 2];
  const double p99 = latenciesMs[(latenciesMs.size() * 99) / 100];
  std::printf("flood: %d submits (%d x 1303, %d x 1302); %zu GETs, p50 %.2f ms, p99 %.2f ms\n",
              total, codes[1303], codes[1302], latenciesMs.size(), p50, p99);
  EXPECT_LT(p99, 50.0);

  // The reader's key was not limited by the other key's flood.
  auto res = c.Get(kSubmit, bearer(reader.apiKey));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(nlohmann::json::parse(res->body)["data"].size(), 1u);
}

}  // namespace
}  // namespace dh::test
