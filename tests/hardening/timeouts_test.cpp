// Slow clients against a real `dh serve --read-timeout-seconds 2`: a request line that stops
// half-way and a body that trickles and then stalls are cut off after the timeout, while other
// clients are answered at once; and SIGTERM with idle keep-alive connections open exits quickly.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "raw_client.h"
#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// GETs /healthz every 50 ms on fresh connections until stopped; records how long each took.
class Prober {
 public:
  explicit Prober(const ServeProcess& server) {
    thread_ = std::thread([this, &server] {
      while (!stop_.load()) {
        auto c = server.client();
        const auto start = Clock::now();
        auto res = c.Get("/healthz");
        const double took = secondsSince(start);
        {
          std::lock_guard lock(mutex_);
          if (!res || res->status != 200) ++failures_;
          latencies_.push_back(took);
        }
        std::this_thread::sleep_for(50ms);
      }
    });
  }
  ~Prober() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int answered() const { return static_cast<int>(latencies_.size()); }
  int failures() const { return failures_; }
  double slowest() const { return *std::max_element(latencies_.begin(), latencies_.end()); }
  // The share of answers that took less than `seconds`.
  double shareFasterThan(double seconds) const {
    const auto fast =
        std::count_if(latencies_.begin(), latencies_.end(), [&](double t) { return t < seconds; });
    return static_cast<double>(fast) / static_cast<double>(latencies_.size());
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<double> latencies_;
  int failures_ = 0;
  std::thread thread_;
};

class SlowClients : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServeProcess>(
        scratchDir(), std::vector<std::string>{"--workers", "0", "--read-timeout-seconds", "2"});
    server_->start();
  }
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(SlowClients, HalfARequestLineThenSilenceIsCutOffAfterTheReadTimeout) {
  Prober prober(*server_);
  std::vector<std::unique_ptr<RawClient>> stalled;
  for (int i = 0; i < 8; ++i) {
    stalled.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(stalled.back()->send("GET /healthz HT"));
  }
  const auto start = Clock::now();
  for (auto& client : stalled) EXPECT_TRUE(client->waitForClose(6.0));
  const double seconds = secondsSince(start);
  EXPECT_GE(seconds, 1.5) << "cut off before the timeout";
  EXPECT_LE(seconds, 4.5);
  prober.stop();
  EXPECT_GT(prober.answered(), 10);
  EXPECT_EQ(prober.failures(), 0);
  // Others never wait behind the stalled clients (a busy machine may delay one answer a little).
  EXPECT_GE(prober.shareFasterThan(0.25), 0.9);
  EXPECT_LT(prober.slowest(), 1.5) << "other clients waited behind the stalled ones";
  auto c = server_->client();
  auto res = c.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(SlowClients, BodyThatTricklesThenStallsIsCutOffAfterTheReadTimeout) {
  Prober prober(*server_);
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(
        slow.back()->send("POST /v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                          "application/octet-stream\r\nContent-Length: 100000\r\n\r\n"));
  }
  // A few bytes every 0.5 s for 3 s: each gap is shorter than the timeout, so the server waits.
  for (int tick = 0; tick < 6; ++tick) {
    for (auto& client : slow) EXPECT_TRUE(client->send("abcd")) << "cut off while still sending";
    std::this_thread::sleep_for(500ms);
  }
  // Then silence: the body never completes.
  const auto start = Clock::now();
  for (auto& client : slow) EXPECT_TRUE(client->waitForClose(6.0));
  const double seconds = secondsSince(start);
  EXPECT_GE(seconds, 1.0);
  EXPECT_LE(seconds, 4.5);
  for (auto& client : slow)
    EXPECT_EQ(client->received().find("\"code\":0"), std::string::npos) << client->received();
  prober.stop();
  EXPECT_GT(prober.answered(), 20);
  EXPECT_EQ(prober.failures(), 0);
  EXPECT_GE(prober.shareFasterThan(0.25), 0.9);
  EXPECT_LT(prober.slowest(), 1.5);
  auto c = server_->client();
  auto res = c.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(server_->log().find("\"read_timeout_seconds\":2"), std::string::npos) << server_->log();
}

TEST(Shutdown, SigtermWithIdleKeepAliveConnectionsExitsWithinSeconds) {
  // Default timeouts (keep-alive 30 s): idle connections must not hold the shutdown.
  ServeProcess server(scratchDir(), {"--workers", "1"});
  server.start();
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<RawClient>(server.port()));
    ASSERT_TRUE(idle.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const std::string answer = idle.back()->readResponse(5.0);
    ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  }
  RawClient silent(server.port());  // connected, never sent a byte
  std::this_thread::sleep_for(300ms);
  const auto start = Clock::now();
  server.terminate();  // SIGTERM, then waits for the process to exit
  const double seconds = secondsSince(start);
  EXPECT_LT(seconds, 4.0) << server.log();
  for (auto& client : idle) EXPECT_TRUE(client->waitForClose(1.0));
  EXPECT_TRUE(silent.waitForClose(1.0));
  EXPECT_NE(server.log().find("shut down"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace dh::test
