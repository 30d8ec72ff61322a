// Several `dh serve` and `dh worker` processes on one PostgreSQL server and one shared media
// directory: many tasks finish exactly once, a worker killed mid-render has its task finished by
// another, an API node killed while a client streams submissions loses no accepted task, and a
// task's live stream is served by every API node.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cluster_harness.h"
#include "core/file_io.h"
#include "service_harness.h"
#include "support/media_probe.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string kFace = "faces/02_grace_hopper.jpg";

// Polls the tasks through the given API node until all are final or the deadline passes;
// returns id -> final task data.
std::map<std::string, nlohmann::json> waitAllFinal(Cluster& cluster, size_t apiNode,
                                                   const std::set<std::string>& ids,
                                                   std::chrono::seconds timeout) {
  std::map<std::string, nlohmann::json> done;
  const auto deadline = Clock::now() + timeout;
  while (done.size() < ids.size() && Clock::now() < deadline) {
    for (const auto& id : ids) {
      if (done.count(id)) continue;
      const auto data = cluster.task(apiNode, id);
      const std::string status = data.is_object() ? data.value("task_status", "") : "";
      if (status == "succeed" || status == "failed") done[id] = data;
    }
    if (done.size() < ids.size()) std::this_thread::sleep_for(500ms);
  }
  return done;
}

// Uploads the face and `seconds` of speech through API node 0 and submits them; the task's id.
std::string submitSpeech(Cluster& cluster, const std::string& dir, double seconds) {
  const auto image = cluster.upload(0, dataPath(kFace));
  const std::string voice = dir + "/voice.mp3";
  const std::vector<uint8_t> speech = speechOfLength(seconds, dir);
  core::writeFileAtomically(voice, speech.data(), speech.size());
  const auto audio = cluster.upload(0, voice);
  auto res = cluster.submit(0, {{"image", image.at("url")}, {"audio_id", audio.at("audio_id")}});
  if (!res || res->status != 200)
    throw std::runtime_error("submit: " + (res ? res->body : std::string("no answer")));
  return nlohmann::json::parse(res->body)["data"]["task_id"];
}

TEST(Cluster, HundredTasksOnTwoApiNodesAndThreeWorkersFinishExactlyOnce) {
  const std::string dir = scratchDir();
  Cluster cluster(dir);
  cluster.addApiNode();
  cluster.addApiNode();
  for (int i = 0; i < 3; ++i) cluster.addWorker(5);
  const auto image = cluster.upload(0, dataPath(kFace));
  const auto audio = cluster.upload(1, speechClip(dir, 2.2));

  constexpr int kTasks = 100, kClients = 4;
  std::mutex mutex;
  std::set<std::string> ids;
  std::vector<std::string> refused;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = c; i < kTasks; i += kClients) {
        auto res = cluster.submit(static_cast<size_t>(i % 2),
                                  {{"image", image.at("url")},
                                   {"audio_id", audio.at("audio_id")},
                                   {"mode", "std"},
                                   {"external_task_id", "bulk-" + std::to_string(i)}});
        std::lock_guard lock(mutex);
        if (res && res->status == 200) {
          ids.insert(nlohmann::json::parse(res->body)["data"]["task_id"].get<std::string>());
        } else {
          refused.push_back(res ? res->body : "no response");
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_TRUE(refused.empty()) << refused.front();
  ASSERT_EQ(ids.size(), static_cast<size_t>(kTasks));

  const auto done = waitAllFinal(cluster, 1, ids, 420s);
  ASSERT_EQ(done.size(), ids.size()) << "tasks still unfinished after 420 s";
  const std::string logs = cluster.workerLogs();
  for (const auto& [id, data] : done) {
    ASSERT_EQ(data["task_status"], "succeed") << data.dump();
    EXPECT_EQ(occurrences(logs, "task " + id + " claimed by"), 1) << id;
    EXPECT_EQ(occurrences(logs, "task " + id + " succeeded"), 1) << id;
    const std::string url = data["task_result"]["videos"][0]["url"];
    EXPECT_TRUE(std::filesystem::exists(cluster.mediaDir() + url.substr(url.find("/media/") + 6)))
        << id;
  }
  for (size_t w = 0; w < cluster.workerCount(); ++w)
    EXPECT_GT(occurrences(cluster.worker(w).log(), "claimed by"), 0) << "worker " << w << " idle";

  // A result rendered by some worker is served by either API node.
  const std::string someId = *ids.begin();
  const std::string url = done.at(someId)["task_result"]["videos"][0]["url"];
  const std::string path = url.substr(url.find("/media/"));
  for (size_t node = 0; node < 2; ++node) {
    auto res = cluster.client(node).Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "video/mp4");
  }
  const auto probe = probeFile(cluster.mediaDir() + path.substr(6));  // path is /media/...
  ASSERT_TRUE(probe.find("video"));
  EXPECT_NEAR(probe.find("video")->seconds, 2.2, 0.1);
}

TEST(Cluster, TaskOfAWorkerKilledMidRenderIsFinishedByAnother) {
  const std::string dir = scratchDir();
  Cluster cluster(dir);
  cluster.addApiNode();
  cluster.addWorker(2);
  cluster.addWorker(2);
  // 45 s of speech: the render takes several seconds, so the worker is surely still on it when
  // it is killed (an 11 s voice now renders in about 1.3 s).
  const std::string id = submitSpeech(cluster, dir, 45.0);

  // Wait until one worker is rendering it, then kill that worker without warning.
  int owner = -1;
  const auto deadline = Clock::now() + 60s;
  while (owner < 0 && Clock::now() < deadline) {
    for (size_t w = 0; w < cluster.workerCount(); ++w) {
      if (occurrences(cluster.worker(w).log(), "task " + id + " claimed by") > 0)
        owner = static_cast<int>(w);
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_GE(owner, 0) << "no worker claimed the task";
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(cluster.task(0, id)["task_status"], "processing");
  cluster.worker(static_cast<size_t>(owner)).kill9();

  const auto done = waitAllFinal(cluster, 0, {id}, 180s);
  ASSERT_EQ(done.size(), 1u) << "the task did not finish after its worker died";
  EXPECT_EQ(done.at(id)["task_status"], "succeed") << done.at(id).dump();
  const std::string survivorLog = cluster.worker(static_cast<size_t>(1 - owner)).log();
  EXPECT_EQ(occurrences(survivorLog, "task " + id + " claimed by"), 1);
  EXPECT_NE(survivorLog.find("(attempt 2, resumed)"), std::string::npos) << survivorLog;
  EXPECT_EQ(occurrences(survivorLog, "task " + id + " succeeded"), 1);
  const std::string url = done.at(id)["task_result"]["videos"][0]["url"];
  const auto probe = probeFile(cluster.mediaDir() + url.substr(url.find("/media/") + 6));
  ASSERT_TRUE(probe.find("video"));
  EXPECT_NEAR(probe.find("video")->seconds, 45.0, 0.1);
}

TEST(Cluster, ApiNodeKilledWhileAClientStreamsSubmissionsLosesNoAcceptedTask) {
  const std::string dir = scratchDir();
  Cluster cluster(dir);
  cluster.addApiNode();
  cluster.addApiNode();
  cluster.addWorker(5);
  cluster.addWorker(5);
  const auto image = cluster.upload(1, dataPath(kFace));
  const auto audio = cluster.upload(1, speechClip(dir, 2.2));

  std::mutex mutex;
  std::set<std::string> accepted;
  std::atomic<int> failures{0};
  std::thread client([&] {
    for (int i = 0; i < 200 && failures.load() < 3; ++i) {
      auto res = cluster.submit(0, {{"image", image.at("url")},
                                    {"audio_id", audio.at("audio_id")},
                                    {"external_task_id", "stream-" + std::to_string(i)}});
      if (res && res->status == 200) {
        std::lock_guard lock(mutex);
        accepted.insert(nlohmann::json::parse(res->body)["data"]["task_id"].get<std::string>());
      } else {
        ++failures;
      }
    }
  });
  const auto deadline = Clock::now() + 60s;
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (accepted.size() >= 8) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  cluster.api(0).kill9();
  client.join();
  ASSERT_GE(accepted.size(), 8u);
  EXPECT_GE(failures.load(), 1) << "the client never noticed the node going away";

  // Everything the store holds for this account, including a submission whose response was
  // lost with the node, is finished through the surviving node.
  auto list = cluster.client(1).Get("/v1/videos/avatar/image2video?pageNum=1&pageSize=500",
                                    {{"Authorization", "Bearer " + cluster.apiKey()}});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  std::set<std::string> stored;
  const auto listed = nlohmann::json::parse(list->body);
  for (const auto& t : listed.at("data")) stored.insert(t.at("task_id").get<std::string>());
  for (const auto& id : accepted) EXPECT_TRUE(stored.count(id)) << "accepted task lost: " << id;
  const auto done = waitAllFinal(cluster, 1, stored, 300s);
  ASSERT_EQ(done.size(), stored.size()) << "tasks still unfinished";
  for (const auto& [id, data] : done) EXPECT_EQ(data["task_status"], "succeed") << data.dump();
}

// Frames ffprobe decodes from `url` (every frame), 0 when it reads none.
long long framesAt(const std::string& url) {
  const auto r =
      runProcess({"/usr/bin/ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                  "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url});
  std::smatch m;
  return std::regex_search(r.out, m, std::regex("(\\d+)")) ? std::stoll(m[1]) : 0;
}

TEST(Cluster, LiveStreamOfATaskIsServedByEveryApiNode) {
  const std::string dir = scratchDir();
  Cluster cluster(dir);
  cluster.addApiNode();
  cluster.addApiNode();
  cluster.addWorker(5);
  const std::string id = submitSpeech(cluster, dir, 30.0);

  // The other node lists the stream while the worker renders.
  std::string streamUrl;
  nlohmann::json seen;
  for (const auto deadline = Clock::now() + 120s; streamUrl.empty() && Clock::now() < deadline;) {
    seen = cluster.task(1, id);
    streamUrl = seen.is_object() ? seen["task_info"].value("stream_url", "") : "";
    if (seen.is_object() && seen.value("task_status", "") != "submitted" &&
        seen.value("task_status", "") != "processing")
      break;
    if (streamUrl.empty()) std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(streamUrl.empty()) << "no stream_url from the second node: " << seen.dump();
  EXPECT_EQ(seen["task_status"], "processing");
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(streamUrl, m, std::regex("(/media/streams/[0-9a-f]{32}/)index\\.m3u8$")))
      << streamUrl;
  const std::string prefix = m[1];

  // Each node serves the playlist, the initialisation segment and the first segment, the same
  // bytes with the stream's content types.
  std::string firstSegment[2];
  for (size_t node = 0; node < 2; ++node) {
    auto c = cluster.client(node);
    auto playlist = c.Get(prefix + "index.m3u8");
    ASSERT_TRUE(playlist) << "node " << node;
    ASSERT_EQ(playlist->status, 200) << "node " << node << ": " << playlist->body;
    EXPECT_EQ(playlist->get_header_value("Content-Type"), "application/vnd.apple.mpegurl");
    EXPECT_EQ(playlist->get_header_value("Cache-Control"), "no-cache");
    EXPECT_NE(playlist->body.find("seg00000.m4s"), std::string::npos) << playlist->body;
    auto init = c.Get(prefix + "init.mp4");
    ASSERT_TRUE(init);
    EXPECT_EQ(init->status, 200) << "node " << node;
    EXPECT_EQ(init->get_header_value("Content-Type"), "video/mp4");
    auto segment = c.Get(prefix + "seg00000.m4s");
    ASSERT_TRUE(segment);
    EXPECT_EQ(segment->status, 200) << "node " << node;
    EXPECT_EQ(segment->get_header_value("Content-Type"), "video/iso.segment");
    EXPECT_GT(segment->body.size(), 1000u);
    firstSegment[node] = segment->body;
  }
  EXPECT_EQ(firstSegment[0], firstSegment[1]);
  // A player reads frames from the second node while the task is still rendering.
  const std::string viaSecond = "http://127.0.0.1:" + std::to_string(cluster.apiPort(1)) + prefix;
  const auto frames = firstFrameTimes(viaSecond + "index.m3u8", 3);
  ASSERT_FALSE(frames.empty()) << "ffprobe read no frame through the second node";
  EXPECT_LT(frames.front(), 0.1);
  EXPECT_EQ(cluster.task(1, id)["task_status"], "processing");

  // Once the task succeeds, the stream read through the second node ends and holds every frame
  // of the MP4.
  const auto done = waitAllFinal(cluster, 1, {id}, 180s);
  ASSERT_EQ(done.size(), 1u);
  ASSERT_EQ(done.at(id)["task_status"], "succeed") << done.at(id).dump();
  EXPECT_EQ(done.at(id)["task_info"]["stream_url"], streamUrl);
  auto ended = cluster.client(1).Get(prefix + "index.m3u8");
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->body.substr(ended->body.size() - 15), "#EXT-X-ENDLIST\n");
  const std::string url = done.at(id)["task_result"]["videos"][0]["url"];
  const auto mp4 = probeFile(cluster.mediaDir() + url.substr(url.find("/media/") + 6));
  ASSERT_TRUE(mp4.find("video"));
  EXPECT_NEAR(mp4.find("video")->seconds, 30.0, 0.1);
  EXPECT_EQ(framesAt(viaSecond + "index.m3u8"), mp4.find("video")->frames);
}

}  // namespace
}  // namespace dh::test
