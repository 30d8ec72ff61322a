// Live avatar sessions through a real `dh serve`: a portrait becomes a session, its WebSocket
// streams a fragmented MP4 (init segment, then fragments of video and sound) with the listening
// face between utterances; `say` is spoken with the synthesiser's sound, `interrupt` stops it,
// bad requests get the API's codes, caps and the idle timeout hold, and closing frees the
// session. Timing bounds here are generous; bench/live_bench.sh measures latency.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "live_client.h"
#include "media/base64.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

constexpr const char* kFace = "faces/02_grace_hopper.jpg";
constexpr int kRate = 22050;  // the stream's audio rate (the synthesiser's)

double seconds(LiveClock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double startAtOf(const nlohmann::json& started) {
  return started["at"].get<double>();
}

double meanAbsDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) sum += std::abs(int{a[i]} - int{b[i]});
  return sum / static_cast<double>(std::max<size_t>(1, a.size()));
}

// Every video frame of `path`, 128x128 grey (ffmpeg).
std::vector<std::vector<uint8_t>> decodeSmallGrayFrames(const std::string& path) {
  const ProcessResult r = runProcess({"/usr/bin/ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0",
                                      "-vf", "scale=128:128,format=gray", "-f", "rawvideo", "-"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  std::vector<std::vector<uint8_t>> frames;
  constexpr size_t kSize = 128 * 128;
  for (size_t at = 0; at + kSize <= r.out.size(); at += kSize)
    frames.emplace_back(r.out.begin() + static_cast<long>(at),
                        r.out.begin() + static_cast<long>(at + kSize));
  return frames;
}

class LiveSessionTest : public SharedServerSuite {
 protected:
  static void SetUpTestSuite() {
    startServer({"--live-idle-seconds", "4", "--max-live-sessions-per-key", "1",
                 "--max-live-sessions", "3"});
  }

  // A new key and an open session on it: the ws_url, or "" after a reported failure.
  std::string openSession(const std::string& key, nlohmann::json extra = {}) {
    auto res = openLiveSession(*server_, key, kFace, std::move(extra));
    if (!res || res->status != 200) {
      ADD_FAILURE() << "opening a live session: " << (res ? res->body : std::string("no answer"));
      return "";
    }
    return nlohmann::json::parse(res->body)["data"]["ws_url"];
  }
};

TEST_F(LiveSessionTest, SpeaksWhatItIsToldInAStreamThatDecodes) {
  const IssuedKey key = server_->createKey(currentTestName(), {"--balance", "100"});
  auto res = openLiveSession(*server_, key.apiKey, kFace, {{"voice_id", "en_us_female"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const nlohmann::json data = nlohmann::json::parse(res->body)["data"];
  EXPECT_TRUE(std::regex_match(data["session_id"].get<std::string>(), std::regex("[0-9a-f]{32}")));
  const std::string wsUrl = data["ws_url"];
  EXPECT_TRUE(std::regex_match(wsUrl, std::regex("ws://127\\.0\\.0\\.1:[0-9]+/v1/live/sessions/" +
                                                 data["session_id"].get<std::string>())))
      << wsUrl;
  EXPECT_GT(data["expires_at"].get<int64_t>(), 0);

  LiveClient live(wsUrl);
  // The initialisation segment first, then fragments of the listening face.
  ASSERT_TRUE(live.readUntil([](const SocketMessage&) { return true; }, 10));
  ASSERT_TRUE(live.messages()[0].binary);
  EXPECT_EQ(live.messages()[0].payload.substr(4, 4), "ftyp");
  live.readUntil([](const SocketMessage&) { return false; }, 1.5);
  int fragments = 0;
  for (const auto& m : live.messages())
    if (m.binary && m.payload.find("moof") != std::string::npos) ++fragments;
  EXPECT_GE(fragments, 8) << "1.5 s of listening face in fragments of 0.08 s";

  const std::string text = "Hello, I am speaking to you live from this server.";
  const auto said = live.send({{"type", "say"}, {"text", text}});
  const nlohmann::json started = live.waitForEvent("speaking_started", 10);
  ASSERT_TRUE(started.is_object());
  // The next binary message holds the utterance's first frames.
  ASSERT_TRUE(live.readUntil([](const SocketMessage& m) { return m.binary; }, 5));
  const double firstSpeech = seconds(live.messages().back().arrived - said);
  EXPECT_LT(firstSpeech, 2.5) << "say to the first fragment with speech";
  const nlohmann::json ended = live.waitForEvent("speaking_ended", 20);
  ASSERT_TRUE(ended.is_object());
  EXPECT_FALSE(ended["interrupted"].get<bool>());
  EXPECT_EQ(ended["utterance"], started["utterance"]);
  // Listening again afterwards.
  live.readUntil([](const SocketMessage&) { return false; }, 1.0);
  live.socket().close();

  // The same text through the TTS API: the stream's speech lasts exactly as long.
  auto client = server_->client();
  auto tts =
      postJson(client, "/v1/audio/tts", key.apiKey, {{"text", text}, {"voice_id", "en_us_female"}});
  ASSERT_TRUE(tts);
  ASSERT_EQ(tts->status, 200) << tts->body;
  const nlohmann::json audio = nlohmann::json::parse(tts->body)["data"]["task_result"]["audios"][0];
  const double ttsSeconds = std::stod(audio["duration"].get<std::string>());
  const double frame = 1.0 / 25;
  // (Two syntheses of one text may differ by a few milliseconds of trailing pause.)
  const double spoken = ended["speech_seconds"].get<double>();
  EXPECT_NEAR(spoken, ttsSeconds, frame);
  // The utterance takes the whole frames its sound fills.
  const double window = ended["at"].get<double>() - started["at"].get<double>();
  EXPECT_GE(window, spoken - 1e-6);
  EXPECT_LT(window, spoken + frame + 1e-6);

  // What a player decodes: H.264 and AAC, the speech's sound where the events say it is and as
  // long as the synthesiser's, silence before it.
  const std::string dir = scratchDir();
  const std::string streamPath = dir + "/live.mp4";
  live.writeStream(streamPath);
  const ProcessResult probe =
      runProcess({"/usr/bin/ffprobe", "-v", "error", "-count_frames", "-show_entries",
                  "stream=codec_name,nb_read_frames,width,height", "-of", "compact", streamPath});
  EXPECT_EQ(probe.exitCode, 0) << probe.err;
  EXPECT_TRUE(probe.err.empty()) << probe.err;
  EXPECT_NE(probe.out.find("codec_name=h264"), std::string::npos) << probe.out;
  EXPECT_NE(probe.out.find("codec_name=aac"), std::string::npos) << probe.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(probe.out, m, std::regex("nb_read_frames=([0-9]+)"))) << probe.out;
  EXPECT_GT(std::stoi(m[1]), static_cast<int>((ttsSeconds + 1.5) * 25)) << probe.out;

  // Never black, never frozen: every frame has the portrait's brightness, and the listening face
  // before the speech moves (blinks, gaze, breathing, head).
  const std::vector<std::vector<uint8_t>> frames = decodeSmallGrayFrames(streamPath);
  ASSERT_GT(frames.size(), 50u);
  for (size_t i = 0; i < frames.size(); ++i) {
    double mean = 0.0;
    for (const uint8_t v : frames[i]) mean += v;
    ASSERT_GT(mean / frames[i].size(), 30.0) << "frame " << i << " is (nearly) black";
  }
  const auto listeningFrames = static_cast<size_t>(std::min(startAtOf(started), 2.0) * 25);
  double largestChange = 0.0;
  for (size_t i = 1; i < listeningFrames && i < frames.size(); ++i)
    largestChange = std::max(largestChange, meanAbsDifference(frames[0], frames[i]));
  EXPECT_GT(largestChange, 1.0) << "the listening face does not move";

  const std::vector<float> streamAudio = decodeAudio(streamPath, kRate);
  const std::string ttsPath = dir + "/tts.wav";
  {
    const std::string url = audio["url"];
    auto wav = client.Get(url.substr(url.find("/media/")));
    ASSERT_TRUE(wav && wav->status == 200);
    std::ofstream(ttsPath, std::ios::binary) << wav->body;
  }
  const std::vector<float> ttsAudio = decodeAudio(ttsPath, kRate);
  const auto [ttsFrom, ttsTo] = loudSpan(ttsAudio, kRate);
  const double startAt = started["at"].get<double>();
  std::vector<float> before(streamAudio.begin(),
                            streamAudio.begin() + static_cast<long>(startAt * kRate));
  EXPECT_LT(loudSpan(before, kRate).first, 0.0) << "silence before the speech";
  const auto [from, to] = loudSpan(streamAudio, kRate);
  EXPECT_NEAR(from - startAt, ttsFrom, frame) << "the sound starts where speaking_started says";
  EXPECT_NEAR(to - from, ttsTo - ttsFrom, frame) << "the sound lasts as long as the TTS's";

  // Billed: the seconds of speech at the std rate.
  double charged = 0.0;
  for (const auto& entry : ledgerOf(*server_, key.id))
    if (entry.value("kind", "") == "charge") charged += entry.value("units", 0.0);
  EXPECT_NEAR(charged, 0.4 * ttsSeconds, 0.4 * frame + 0.002);
}

TEST_F(LiveSessionTest, InterruptStopsTheSpeechAtOnce) {
  const IssuedKey key = server_->createKey(currentTestName());
  LiveClient live(openSession(key.apiKey));
  live.send({{"type", "say"},
             {"text",
              "This is a long answer. It has several sentences. Each one takes a while to say. "
              "Nobody will hear the end of it."}});
  ASSERT_TRUE(live.waitForEvent("speaking_started", 10).is_object());
  live.readUntil([](const SocketMessage&) { return false; }, 0.6);
  const auto interrupted = live.send({{"type", "interrupt"}});
  const nlohmann::json ended = live.waitForEvent("speaking_ended", 5);
  ASSERT_TRUE(ended.is_object());
  EXPECT_TRUE(ended["interrupted"].get<bool>());
  EXPECT_LT(seconds(live.messages().back().arrived - interrupted), 1.0);
  // Nothing more is spoken; the listening face goes on.
  size_t before = live.messages().size();
  live.readUntil([](const SocketMessage& m) { return eventOf(m).is_object(); }, 2.0);
  for (size_t i = before; i < live.messages().size(); ++i)
    EXPECT_FALSE(eventOf(live.messages()[i]).is_object()) << live.messages()[i].payload;
  EXPECT_GT(live.messages().size(), before + 8) << "fragments keep coming";
}

TEST_F(LiveSessionTest, BadRequestsNameTheFieldAndRule) {
  const IssuedKey key = server_->createKey(currentTestName());
  auto client = server_->client();
  auto expectError = [&](const nlohmann::json& body, int status, int code,
                         const std::string& inMessage) {
    auto res = postJson(client, "/v1/live/sessions", key.apiKey, body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << res->body;
    const nlohmann::json answer = nlohmann::json::parse(res->body);
    EXPECT_EQ(answer["code"], code) << res->body;
    EXPECT_NE(answer["message"].get<std::string>().find(inMessage), std::string::npos) << res->body;
  };
  const std::string face = media::encodeBase64(readData(kFace));
  expectError(nlohmann::json::object(), 400, 1201, "image: is required");
  expectError({{"image", face}, {"voice_id", "nobody"}}, 400, 1201, "voice_id");
  expectError({{"image", face}, {"mode", "ultra"}}, 400, 1201, "mode");
  expectError({{"image", face}, {"prompt", std::string(2600, 'a')}}, 400, 1201, "prompt");
  expectError({{"image", media::encodeBase64(readData("negatives/noface_cat_chelsea.png"))}}, 400,
              1301, "face");
  auto unauthorised = postJson(client, "/v1/live/sessions", "", {{"image", face}});
  ASSERT_TRUE(unauthorised);
  EXPECT_EQ(unauthorised->status, 401);

  // On the socket: unknown paths are refused; bad messages get error events with the codes.
  const std::string wsUrl = openSession(key.apiKey);
  ASSERT_FALSE(wsUrl.empty());
  const std::string other =
      std::regex_replace(wsUrl, std::regex("[0-9a-f]{32}$"), std::string(32, '0'));
  EXPECT_EQ(WebSocketClient::refusedStatus(other), 404);
  LiveClient live(wsUrl);
  live.send({{"type", "sing"}});
  nlohmann::json error = live.waitForEvent("error", 5);
  ASSERT_TRUE(error.is_object());
  EXPECT_EQ(error["code"], 1201);
  EXPECT_EQ(error["param"], "type");
  live.send({{"type", "say"}, {"text", ""}});
  error = live.waitForEvent("error", 5);
  ASSERT_TRUE(error.is_object());
  EXPECT_EQ(error["param"], "text");
  live.socket().sendText("not json");
  EXPECT_TRUE(live.waitForEvent("error", 5).is_object());
  live.socket().sendBinary(std::string(100, '\0'));
  error = live.waitForEvent("error", 5);
  ASSERT_TRUE(error.is_object());
  EXPECT_EQ(error["param"], "audio");
  // A second connection to a session that has one is refused.
  EXPECT_EQ(WebSocketClient::refusedStatus(wsUrl), 404);
}

TEST_F(LiveSessionTest, CapsIdleTimeoutAndClosingFreeSessions) {
  const IssuedKey key = server_->createKey(currentTestName());
  const std::string first = openSession(key.apiKey);
  ASSERT_FALSE(first.empty());
  // One session per key (this server's cap).
  auto again = openLiveSession(*server_, key.apiKey, kFace);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 429) << again->body;
  EXPECT_EQ(nlohmann::json::parse(again->body)["code"], 1303) << again->body;

  // Closing the socket frees the session: the key may open another at once.
  {
    LiveClient live(first);
    ASSERT_TRUE(live.readUntil([](const SocketMessage& m) { return m.binary; }, 10));
    live.socket().close();
  }
  std::string second;
  for (int attempt = 0; attempt < 20 && second.empty(); ++attempt) {
    auto res = openLiveSession(*server_, key.apiKey, kFace);
    if (res && res->status == 200)
      second = nlohmann::json::parse(res->body)["data"]["ws_url"];
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(second.empty()) << "the closed session was not freed";

  // A session without client messages is closed after the idle time (4 s here).
  LiveClient live(second);
  const auto opened = LiveClock::now();
  live.readUntil([](const SocketMessage&) { return false; }, 12);
  EXPECT_TRUE(live.socket().closed());
  EXPECT_NE(live.socket().closeReason().find("idle"), std::string::npos)
      << live.socket().closeReason();
  EXPECT_GT(seconds(LiveClock::now() - opened), 3.5);
  // ... and is freed with it.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto third = openLiveSession(*server_, key.apiKey, kFace);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 200) << third->body;
}

TEST(LiveSessionUrls, BehindAProxyTheWsUrlHasTheConfiguredBase) {
  ServeProcess server(scratchDir() + "/proxied",
                      {"--live-public-url", "wss://avatar.example/live/"});
  server.start();
  const IssuedKey key = server.createKey("proxied");
  auto res = openLiveSession(server, key.apiKey, kFace);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const nlohmann::json data = nlohmann::json::parse(res->body)["data"];
  EXPECT_EQ(data["ws_url"],
            "wss://avatar.example/live/v1/live/sessions/" + data["session_id"].get<std::string>());
}

TEST_F(LiveSessionTest, SpeaksTheCallersOwnAudio) {
  const IssuedKey key = server_->createKey(currentTestName());
  LiveClient live(openSession(key.apiKey));
  // A recorded voice as 16 kHz 16-bit PCM, sent in chunks between audio_start and audio_end.
  const ProcessResult pcm =
      runProcess({"/usr/bin/ffmpeg", "-v", "error", "-i", dataPath("speech/en_m_jfk.wav"), "-t",
                  "3", "-ac", "1", "-ar", "16000", "-f", "s16le", "-"});
  ASSERT_EQ(pcm.exitCode, 0) << pcm.err;
  const double clipSeconds = static_cast<double>(pcm.out.size()) / 2 / 16000;
  live.send({{"type", "audio_start"}, {"sample_rate", 16000}});
  for (size_t at = 0; at < pcm.out.size(); at += 32000)
    live.socket().sendBinary(pcm.out.substr(at, 32000));
  live.send({{"type", "audio_end"}});
  const nlohmann::json started = live.waitForEvent("speaking_started", 20);
  ASSERT_TRUE(started.is_object());
  const nlohmann::json ended = live.waitForEvent("speaking_ended", 20);
  ASSERT_TRUE(ended.is_object());
  EXPECT_FALSE(ended["interrupted"].get<bool>());
  EXPECT_NEAR(ended["speech_seconds"].get<double>(), clipSeconds, 1.0 / 25);
  EXPECT_NEAR(ended["at"].get<double>() - started["at"].get<double>(), clipSeconds, 1.0 / 25);

  // A bad sample rate names the field.
  live.send({{"type", "audio_start"}, {"sample_rate", 1000}});
  const nlohmann::json error = live.waitForEvent("error", 5);
  ASSERT_TRUE(error.is_object());
  EXPECT_EQ(error["code"], 1201);
  EXPECT_EQ(error["param"], "sample_rate");
}

}  // namespace
}  // namespace dh::test
