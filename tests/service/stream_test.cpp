// The live stream of a task against a real `dh serve`: `stream_url` appears while the task is
// still processing, ffprobe reads frames from it then, and once the task succeeds the stream
// holds the same frames as the MP4. Both dialects; the segments expire with the task's media.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <thread>

#include "media/base64.h"
#include "service_harness.h"
#include "support/media_probe.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

using Clock = std::chrono::steady_clock;

// Submits a Kling task (Grace Hopper, `seconds` of speech, both as Base64); its task id, or ""
// after a reported failure.
std::string submitGraceHopper(ServeProcess& server, const std::string& key, double seconds,
                              const std::string& dir) {
  auto c = server.client();
  auto res = postJson(c, "/v1/videos/avatar/image2video", key,
                      {{"image", media::encodeBase64(readData("faces/02_grace_hopper.jpg"))},
                       {"sound_file", media::encodeBase64(speechOfLength(seconds, dir))}});
  if (!res || res->status != 200) {
    ADD_FAILURE() << "submit failed: " << (res ? res->body : std::string("no response"));
    return "";
  }
  return nlohmann::json::parse(res->body)["data"]["task_id"];
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Probed {
  long long frames = 0;
  double seconds = 0.0;
  std::string error;
};

// Decodes every video frame of `url` with /usr/bin/ffprobe.
Probed countFrames(const std::string& url) {
  const auto r = runProcess({"/usr/bin/ffprobe", "-v", "error", "-count_frames", "-select_streams",
                             "v:0", "-show_entries", "stream=nb_read_frames:format=duration", "-of",
                             "default=noprint_wrappers=1", url});
  Probed p;
  p.error = r.err;
  std::smatch m;
  if (std::regex_search(r.out, m, std::regex("nb_read_frames=(\\d+)"))) p.frames = std::stoll(m[1]);
  if (std::regex_search(r.out, m, std::regex("duration=([0-9.]+)"))) p.seconds = std::stod(m[1]);
  return p;
}

class LiveStream : public SharedServerSuite {
 protected:
  static void SetUpTestSuite() { startServer({"--allow-fetch-from", "127.0.0.0/8"}); }
  void SetUp() override { key_ = server_->createKey(currentTestName()).apiKey; }

  // A 25 s voice served by the test's media server.
  std::string longVoiceUrl() {
    return media_->serve("voice-25s-" + currentTestName() + ".mp3", speechOfLength(25.0, *dir_));
  }

  // Polls `path` until `streamUrlOf` gives a URL; returns the answer then. Fails when the task
  // ends first.
  nlohmann::json waitForStream(const std::string& path,
                               const std::function<std::string(const nlohmann::json&)>& streamUrlOf,
                               const std::function<std::string(const nlohmann::json&)>& statusOf) {
    auto c = server_->client();
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      auto res = c.Get(path, bearer(key_));
      if (res && res->status == 200) {
        const auto body = nlohmann::json::parse(res->body);
        if (!streamUrlOf(body).empty()) return body;
        const std::string status = statusOf(body);
        if (status != "submitted" && status != "processing" && status != "queued") {
          ADD_FAILURE() << "the task ended without a stream_url: " << body.dump();
          return body;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "no stream_url within 60 s";
    return {};
  }

  // What the stream and the finished MP4 hold, checked against each other, and the headers the
  // stream is served with.
  void expectStreamMatchesVideo(const std::string& streamUrl, const std::string& videoUrl,
                                const std::string& taskId) {
    ASSERT_EQ(streamUrl.rfind(server_->url(), 0), 0u) << streamUrl;
    std::smatch m;
    ASSERT_TRUE(
        std::regex_match(streamUrl, m, std::regex(".*/media/streams/([0-9a-f]{32})/index\\.m3u8")))
        << streamUrl;
    EXPECT_EQ(streamUrl.find(taskId), std::string::npos);
    EXPECT_EQ(videoUrl.find(m[1].str()), std::string::npos);  // its own random name
    const std::string base =
        streamUrl.substr(server_->url().size(), streamUrl.size() - server_->url().size() -
                                                    std::string("index.m3u8").size());
    auto c = server_->client();
    auto playlist = c.Get(base + "index.m3u8");
    ASSERT_TRUE(playlist);
    ASSERT_EQ(playlist->status, 200);
    EXPECT_EQ(playlist->get_header_value("Content-Type"), "application/vnd.apple.mpegurl");
    EXPECT_EQ(playlist->get_header_value("Cache-Control"), "no-cache");
    EXPECT_NE(playlist->body.find("#EXT-X-PLAYLIST-TYPE:EVENT"), std::string::npos);
    EXPECT_EQ(playlist->body.substr(playlist->body.size() - 15), "#EXT-X-ENDLIST\n")
        << playlist->body;
    auto init = c.Get(base + "init.mp4");
    ASSERT_TRUE(init);
    EXPECT_EQ(init->status, 200);
    EXPECT_EQ(init->get_header_value("Content-Type"), "video/mp4");
    auto segment = c.Get(base + "seg00000.m4s");
    ASSERT_TRUE(segment);
    EXPECT_EQ(segment->status, 200);
    EXPECT_EQ(segment->get_header_value("Content-Type"), "video/iso.segment");
    auto missing = c.Get(base + "seg99999.m4s");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    auto unknown = c.Get("/media/streams/0123456789abcdef0123456789abcdef/index.m3u8");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);

    const Probed video = countFrames(videoUrl);
    const Probed stream = countFrames(streamUrl);
    EXPECT_GT(video.frames, 25 * 24);
    EXPECT_EQ(stream.frames, video.frames) << stream.error;
    EXPECT_NEAR(stream.seconds, video.seconds, 1.0 / 25) << stream.error;
  }

  std::string key_;
};

TEST_F(LiveStream, KlingTaskStreamsWhileProcessingAndMatchesTheMp4) {
  const std::string voice = longVoiceUrl();
  const auto submitted = Clock::now();
  auto c = server_->client();
  auto res = postJson(c, "/v1/videos/avatar/image2video", key_,
                      {{"image", media::encodeBase64(readData("faces/02_grace_hopper.jpg"))},
                       {"sound_file", voice},
                       {"mode", "std"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto data = nlohmann::json::parse(res->body)["data"];
  EXPECT_FALSE(data["task_info"].contains("stream_url"));  // nothing rendered yet
  const std::string id = data["task_id"];
  const std::string path = "/v1/videos/avatar/image2video/" + id;

  const auto live = waitForStream(
      path, [](const nlohmann::json& b) { return b["data"]["task_info"].value("stream_url", ""); },
      [](const nlohmann::json& b) { return b["data"].value("task_status", ""); });
  ASSERT_FALSE(live.is_null());
  const double toStreamUrl = secondsSince(submitted);
  EXPECT_EQ(live["data"]["task_status"], "processing");
  const std::string streamUrl = live["data"]["task_info"]["stream_url"];
  const auto frames = firstFrameTimes(streamUrl, 5);
  const double toFrames = secondsSince(submitted);
  ASSERT_FALSE(frames.empty()) << "ffprobe read no frame from " << streamUrl;
  // From the start (the first frame shows after the B-frame delay, 2 frames).
  EXPECT_LT(frames.front(), 0.1);
  // Still rendering: the stream is ahead of the finished file.
  auto during = c.Get(path, bearer(key_));
  ASSERT_TRUE(during);
  EXPECT_EQ(nlohmann::json::parse(during->body)["data"]["task_status"], "processing");
  RecordProperty("seconds_to_stream_url", std::to_string(toStreamUrl));
  RecordProperty("seconds_to_frames_read", std::to_string(toFrames));
  std::cout << "kling: stream_url after " << toStreamUrl << " s, ffprobe read frames after "
            << toFrames << " s\n";

  const auto done = waitForFinal(*server_, key_, path, 300);
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  EXPECT_EQ(done["data"]["task_info"]["stream_url"], streamUrl);
  // Also under the gateway prefix.
  auto prefixed = c.Get("/kling" + path, bearer(key_));
  ASSERT_TRUE(prefixed);
  EXPECT_EQ(nlohmann::json::parse(prefixed->body)["data"]["task_info"]["stream_url"], streamUrl);
  expectStreamMatchesVideo(streamUrl, done["data"]["task_result"]["videos"][0]["url"], id);
}

TEST_F(LiveStream, UnifiedJobStreamsWhileProcessingAndMatchesTheMp4) {
  const std::string voice = longVoiceUrl();
  const auto submitted = Clock::now();
  auto c = server_->client();
  auto res = postJson(c, "/v1/video/generations", key_,
                      {{"model", "kling-avatar-v2-standard"},
                       {"image_url", media_->url("faces/02_grace_hopper.jpg")},
                       {"audio_url", voice},
                       {"audio_duration_seconds", 25}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto job = nlohmann::json::parse(res->body);
  EXPECT_FALSE(job.contains("stream_url"));
  const std::string id = job["id"];
  const std::string path = "/v1/video/generations/" + id;

  const auto live = waitForStream(
      path, [](const nlohmann::json& b) { return b.value("stream_url", ""); },
      [](const nlohmann::json& b) { return b.value("status", ""); });
  ASSERT_FALSE(live.is_null());
  const double toStreamUrl = secondsSince(submitted);
  EXPECT_EQ(live["status"], "processing");
  const std::string streamUrl = live["stream_url"];
  const auto frames = firstFrameTimes(streamUrl, 5);
  const double toFrames = secondsSince(submitted);
  ASSERT_FALSE(frames.empty()) << "ffprobe read no frame from " << streamUrl;
  auto during = c.Get(path, bearer(key_));
  ASSERT_TRUE(during);
  EXPECT_EQ(nlohmann::json::parse(during->body)["status"], "processing");
  RecordProperty("seconds_to_stream_url", std::to_string(toStreamUrl));
  RecordProperty("seconds_to_frames_read", std::to_string(toFrames));
  std::cout << "unified: stream_url after " << toStreamUrl << " s, ffprobe read frames after "
            << toFrames << " s\n";

  const auto done = waitForFinal(*server_, key_, path, 300);
  ASSERT_EQ(done["status"], "completed") << done.dump();
  EXPECT_EQ(done["stream_url"], streamUrl);
  // The same task read through the other dialect names the same stream.
  auto asKling = c.Get("/v1/videos/avatar/image2video/" + id, bearer(key_));
  ASSERT_TRUE(asKling);
  EXPECT_EQ(nlohmann::json::parse(asKling->body)["data"]["task_info"]["stream_url"], streamUrl);
  expectStreamMatchesVideo(streamUrl, done["video_url"], id);
}

// The stream goes with the task's other media when retention purges them.
TEST(LiveStreamRetention, SegmentsArePurgedWithTheVideo) {
  const std::string dir = scratchDir();
  ServeProcess server(dir, {"--retention-days", "0", "--purge-interval-seconds", "1"});
  server.start();
  const std::string key = server.createKey("retention").apiKey;
  auto c = server.client();
  const std::string id = submitGraceHopper(server, key, 3.0, dir);
  ASSERT_FALSE(id.empty());
  const auto done = waitForFinal(server, key, "/v1/videos/avatar/image2video/" + id);
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  // Every stream directory the server made is gone within a few purge rounds.
  const std::filesystem::path streams = dir + "/media/streams";
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  auto count = [&] {
    size_t n = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(streams, ec), end; !ec && it != end;
         it.increment(ec))
      ++n;
    return n;
  };
  while (count() > 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(count(), 0u) << server.log();
  // The task's four: its two inputs, the video and the stream.
  EXPECT_NE(server.log().find("purged 4 media files"), std::string::npos) << server.log();
  auto after = c.Get("/v1/videos/avatar/image2video/" + id, bearer(key));
  ASSERT_TRUE(after);
  EXPECT_FALSE(nlohmann::json::parse(after->body)["data"]["task_info"].contains("stream_url"));
}

// A worker killed mid-render: the task is claimed again and its render resumes the stream after
// the segments already published, which stay exactly as they were; the whole stream plays.
// `graceful`: SIGTERM with no grace (the render is cancelled and handed back) instead of SIGKILL.
void expectResumedStream(bool graceful) {
  const std::string dir = scratchDir();
  const std::vector<std::string> flags = {"--lease-seconds",          "2", "--workers", "1",
                                          "--shutdown-grace-seconds", "0"};
  auto server = std::make_unique<ServeProcess>(dir, flags);
  server->start();
  const std::string key = server->createKey("resume").apiKey;
  auto c = server->client();
  const std::string id = submitGraceHopper(*server, key, 25.0, dir);
  ASSERT_FALSE(id.empty());
  const std::string path = "/v1/videos/avatar/image2video/" + id;

  // Wait for two published segments, keep what a player got so far, then kill the process.
  std::string streamUrl, before;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    auto task = c.Get(path, bearer(key));
    if (task && task->status == 200) {
      const auto data = nlohmann::json::parse(task->body)["data"];
      ASSERT_NE(data["task_status"], "succeed") << "finished before it could be killed";
      streamUrl = data["task_info"].value("stream_url", "");
    }
    if (!streamUrl.empty()) {
      auto playlist = c.Get(streamUrl.substr(server->url().size()));
      if (playlist && playlist->status == 200 &&
          playlist->body.find("seg00001.m4s") != std::string::npos) {
        before = playlist->body;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(before.empty()) << "no second segment within 60 s";
  const std::string base =
      streamUrl.substr(server->url().size(), streamUrl.size() - server->url().size() - 10);
  std::map<std::string, std::string> seen;
  for (const std::string name : {"init.mp4", "seg00000.m4s", "seg00001.m4s"}) {
    auto file = c.Get(base + name);
    ASSERT_TRUE(file);
    ASSERT_EQ(file->status, 200) << name;
    seen[name] = file->body;
  }
  if (graceful) {
    server->terminate();
    EXPECT_NE(server->log().find("handed back"), std::string::npos) << server->log();
  } else {
    server->kill9();
  }
  EXPECT_EQ(before.find("#EXT-X-ENDLIST"), std::string::npos);
  // Left open for the next render, not ended.
  const std::string onDisk =
      readWholeFile(dir + "/media/streams/" + base.substr(base.size() - 33, 32) + "/index.m3u8");
  EXPECT_EQ(onDisk.substr(0, before.size()), before);
  EXPECT_EQ(onDisk.find("#EXT-X-ENDLIST"), std::string::npos) << onDisk;

  server = std::make_unique<ServeProcess>(dir, flags);
  server->start();
  const auto done = waitForFinal(*server, key, path, 300);
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  if (!graceful) {
    EXPECT_NE(server->log().find("resumed"), std::string::npos) << server->log();
  }
  // The stream URL is the same and its old entries and files are unchanged.
  const std::string finalUrl = done["data"]["task_info"]["stream_url"];
  const std::string url = server->url() + base + "index.m3u8";
  EXPECT_EQ(finalUrl, url);
  auto c2 = server->client();
  auto after = c2.Get(base + "index.m3u8");
  ASSERT_TRUE(after);
  ASSERT_EQ(after->status, 200);
  EXPECT_EQ(after->body.substr(0, before.size()), before);
  EXPECT_NE(after->body.find("#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\""),
            std::string::npos)
      << after->body;
  EXPECT_EQ(after->body.substr(after->body.size() - 15), "#EXT-X-ENDLIST\n");
  for (const auto& [name, bytes] : seen) {
    auto again = c2.Get(base + name);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, bytes) << name << " changed";
  }
  // A player reads it end to end without an error, every frame of the video.
  const auto decoded = runProcess({"/usr/bin/ffmpeg", "-v", "error", "-i", url, "-f", "null", "-"});
  EXPECT_EQ(decoded.exitCode, 0) << decoded.err;
  EXPECT_EQ(decoded.err, "");
  const Probed video = countFrames(done["data"]["task_result"]["videos"][0]["url"]);
  const Probed stream = countFrames(url);
  EXPECT_EQ(stream.frames, video.frames) << stream.error;
  EXPECT_NEAR(stream.seconds, video.seconds, 1.0 / 25);
}

TEST(LiveStreamResume, AKilledWorkersStreamIsResumedWithoutRewritingASegment) {
  expectResumedStream(false);
}

TEST(LiveStreamResume, AStreamHandedBackAtShutdownIsResumedWithoutRewritingASegment) {
  expectResumedStream(true);
}

// A task whose workers keep dying fails after three attempts; its stream, resumed by each, ends
// with #EXT-X-ENDLIST where the last one stopped and plays without an error.
TEST(LiveStreamResume, AStreamOfATaskGivenUpOnIsEnded) {
  const std::string dir = scratchDir();
  const std::vector<std::string> flags = {"--lease-seconds", "1", "--workers", "1"};
  auto server = std::make_unique<ServeProcess>(dir, flags);
  server->start();
  const std::string key = server->createKey("doomed").apiKey;
  auto c = server->client();
  const std::string id = submitGraceHopper(*server, key, 25.0, dir);
  ASSERT_FALSE(id.empty());
  // The one stream directory's playlist, straight from the disk.
  const auto playlist = [&] {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir + "/media/streams", ec), end; !ec && it != end;
         it.increment(ec))
      return readWholeFile(it->path().string() + "/index.m3u8");
    return std::string();
  };
  const auto segments = [](const std::string& text) {
    size_t n = 0;
    for (size_t at = text.find("#EXTINF"); at != std::string::npos;
         at = text.find("#EXTINF", at + 1))
      ++n;
    return n;
  };
  size_t published = 0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    // Killed once this attempt has published a segment of its own.
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline &&
           (server->log().find("(attempt " + std::to_string(attempt)) == std::string::npos ||
            segments(playlist()) <= published))
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const std::string text = playlist();
    ASSERT_GT(segments(text), published) << "attempt " << attempt << "\n" << server->log();
    ASSERT_EQ(text.find("#EXT-X-ENDLIST"), std::string::npos) << "finished before it was killed";
    published = segments(text);
    server->kill9();
    server = std::make_unique<ServeProcess>(dir, flags);
    server->start();
  }
  const auto done = waitForFinal(*server, key, "/v1/videos/avatar/image2video/" + id, 60);
  ASSERT_EQ(done["data"]["task_status"], "failed") << done.dump();
  const std::string url = done["data"]["task_info"].value("stream_url", "");
  ASSERT_FALSE(url.empty()) << done.dump();
  auto c2 = server->client();
  auto ended = c2.Get(url.substr(server->url().size()));
  ASSERT_TRUE(ended);
  ASSERT_EQ(ended->status, 200);
  EXPECT_EQ(ended->body.substr(ended->body.size() - 15), "#EXT-X-ENDLIST\n") << ended->body;
  EXPECT_EQ(segments(ended->body), published);
  EXPECT_NE(ended->body.find("init-2.mp4"), std::string::npos) << ended->body;  // three renders
  const auto decoded = runProcess({"/usr/bin/ffmpeg", "-v", "error", "-i", url, "-f", "null", "-"});
  EXPECT_EQ(decoded.exitCode, 0) << decoded.err;
  EXPECT_EQ(decoded.err, "");
}

}  // namespace
}  // namespace dh::test
