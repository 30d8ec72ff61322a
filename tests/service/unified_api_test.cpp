// The unified dialect, TTS and uploads against a real `dh serve`, including the curl examples of
// the unified gateway's documentation run verbatim with only URLs and keys swapped.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "media/audio_decoder.h"
#include "service_harness.h"
#include "support/media_probe.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

// From the unified gateway's documentation (§5.1-5.4, §8.1-8.2 and the query example), verbatim.
const char* kExample51 = R"(curl -X POST "https://api.xxx.xx/v1/video/generations" \
 -H "Authorization: Bearer sk-xxxxxxxxxxxxxxxx" \
 -H "Content-Type: application/json" \
 -d '{"model": "kling-avatar-v2-standard",
 "image_url": "https://cdn.example.com/avatar/customer-service.png",
 "audio_url": "https://cdn.example.com/audio/customer-intro.mp3",
 "audio_duration_seconds": 12,
 "prompt": "friendly customer service presenter, natural expression, clean studio lighting"}')";
const char* kExample52 = R"(curl -X POST "https://api.xxx.xx/v1/video/generations" \
 -H "Authorization: Bearer sk-xxxxxxxxxxxxxxxx" \
 -H "Content-Type: application/json" \
 -d '{"model": "kling-avatar-v2-standard",
 "image_url": "https://cdn.example.com/avatar/teacher.png",
 "audio_url": "https://cdn.example.com/audio/course-opening.mp3",
 "audio_duration_seconds": 18.5,
 "prompt": "professional teacher, warm smile, stable camera, natural lip sync"}')";
const char* kExample53 = R"(curl -X POST "https://api.xxx.xx/v1/video/generations" \
 -H "Authorization: Bearer sk-xxxxxxxxxxxxxxxx" \
 -H "Content-Type: application/json" \
 -d '{"model": "kling-avatar-v2-pro",
 "image_url": "https://cdn.example.com/avatar/brand-host.png",
 "audio_url": "https://cdn.example.com/audio/brand-message.mp3",
 "audio_duration_seconds": 24,
 "prompt": "premium corporate spokesperson video, clean studio background, confident expression"}')";
const char* kExample54 = R"(curl -X POST "https://api.xxx.xx/v1/video/generations" \
 -H "Authorization: Bearer sk-xxxxxxxxxxxxxxxx" \
 -H "Content-Type: application/json" \
 -d '{"model": "kling-avatar-v2-pro",
 "image_url": "https://cdn.example.com/avatar/news-anchor.png",
 "audio_url": "https://cdn.example.com/audio/news-briefing.mp3",
 "audio_duration_seconds": 32.7,
 "prompt": "news anchor style, formal tone, stable frontal shot, neutral expression"}')";
const char* kExample81 = R"(curl -X POST "https://api.xxx.xx/v1/video/generations" \
 -H "Authorization: Bearer sk-xxxxxxxxxxxxxxxx" \
 -H "Content-Type: application/json" \
 -d '{"model": "kling-avatar-v2-standard",
 "image_url": "https://cdn.example.com/avatar.png",
 "audio_url": "https://cdn.example.com/voice.mp3",
 "audio_duration_seconds": 10}')";
const char* kExample82 = R"(curl -X POST "https://api.xxx.xx/v1/video/generations" \
 -H "Authorization: Bearer sk-xxxxxxxxxxxxxxxx" \
 -H "Content-Type: application/json" \
 -d '{"model": "kling-avatar-v2-pro",
 "image_url": "https://cdn.example.com/avatar.png",
 "audio_url": "https://cdn.example.com/voice.mp3",
 "audio_duration_seconds": 10}')";
const char* kQueryExample =
    R"(curl -X GET "https://api.xxx.xx/v1/video/generations/task_xxxxxxxxxxxxx" \
 -H "Authorization: Bearer sk-xxxxxxxxxxxxxxxx")";

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

// Runs a documented curl command with the gateway host, the key and the CDN URLs swapped.
nlohmann::json runCurl(std::string command, const std::string& base, const std::string& key,
                       const std::map<std::string, std::string>& urls) {
  replaceAll(command, "https://api.xxx.xx", base);
  replaceAll(command, "sk-xxxxxxxxxxxxxxxx", key);
  for (const auto& [from, to] : urls) replaceAll(command, from, to);
  const auto result = runProcess({"/bin/bash", "-c", command + " --silent --show-error"});
  if (result.exitCode != 0) throw std::runtime_error("curl failed: " + result.err);
  return nlohmann::json::parse(result.out);
}

class UnifiedApi : public SharedServerSuite {
 protected:
  static void SetUpTestSuite() { startServer({"--allow-fetch-from", "127.0.0.0/8"}); }
  void SetUp() override { key_ = server_->createKey(currentTestName()).apiKey; }
  std::string key_;
};

TEST_F(UnifiedApi, MinimumValidRequestsOfTheDocsCompleteForBothModels) {
  const auto voice = media_->serve("voice-10s.mp3", speechOfLength(10.0, *dir_));
  const std::map<std::string, std::string> urls = {
      {"https://cdn.example.com/avatar.png", media_->url("faces/01_astronaut_eileen_collins.png")},
      {"https://cdn.example.com/voice.mp3", voice}};
  for (const char* example : {kExample81, kExample82}) {
    const auto job = runCurl(example, server_->url(), key_, urls);
    SCOPED_TRACE(job.dump());
    EXPECT_EQ(job["object"], "video.generation.job");
    EXPECT_EQ(job["status"], "queued");
    EXPECT_EQ(job["id"], job["task_id"]);
    EXPECT_TRUE(job["created_at"].is_number());
    const bool pro = std::string(example).find("v2-pro") != std::string::npos;
    EXPECT_EQ(job["model"], pro ? "kling-avatar-v2-pro" : "kling-avatar-v2-standard");
    EXPECT_EQ(job["prompt_applied"], nlohmann::json::array());  // no prompt

    std::string query = kQueryExample;
    replaceAll(query, "task_xxxxxxxxxxxxx", job["task_id"]);
    const auto done = waitForFinal(
        *server_, key_, "/v1/video/generations/" + job["task_id"].get<std::string>(), 240);
    ASSERT_EQ(done["status"], "completed") << done.dump();
    const auto queried = runCurl(query, server_->url(), key_, {});
    EXPECT_EQ(queried["status"], "completed");
    EXPECT_EQ(queried["progress"], 100);
    ASSERT_TRUE(queried["video_url"].is_string());
    EXPECT_EQ(queried["result"]["outputs"][0], queried["video_url"]);

    // Download it with curl, as a user would, and check what a player sees.
    const std::string file = *dir_ + (pro ? "/pro.mp4" : "/std.mp4");
    const auto fetched = runProcess({"/usr/bin/curl", "--silent", "--fail", "-o", file,
                                     queried["video_url"].get<std::string>()});
    ASSERT_EQ(fetched.exitCode, 0) << fetched.err;
    const auto probe = probeFile(file);
    ASSERT_NE(probe.find("video"), nullptr);
    EXPECT_NEAR(probe.find("video")->seconds, 10.0, 0.1);
    const int shortSide = std::min(probe.find("video")->width, probe.find("video")->height);
    EXPECT_EQ(shortSide, pro ? 1080 : 720);
    EXPECT_NEAR(probe.find("video")->fps, pro ? 30.0 : 25.0, 0.01);
    // A ranged download with curl gets exactly the bytes asked for.
    const auto ranged = runProcess({"/usr/bin/curl", "--silent", "--fail", "-r", "0-1023",
                                    queried["video_url"].get<std::string>()});
    ASSERT_EQ(ranged.exitCode, 0);
    EXPECT_EQ(ranged.out.size(), 1024u);
  }
}

TEST(UnifiedApiDocs, EveryDocumentedSubmitIsAcceptedWithItsEstimate) {
  // No workers: only the submit path runs (validation, fetch, decode, estimate).
  const std::string dir = scratchDir();
  ServeProcess server(dir + "/serve", {"--workers", "0", "--allow-fetch-from", "127.0.0.0/8"});
  server.start();
  const auto key = server.createKey("docs", {"--balance", "100"});
  MediaServer media;
  const std::map<std::string, std::string> urls = {
      {"https://cdn.example.com/avatar/customer-service.png",
       media.url("faces/01_astronaut_eileen_collins.png")},
      {"https://cdn.example.com/avatar/teacher.png", media.url("faces/02_grace_hopper.jpg")},
      {"https://cdn.example.com/avatar/brand-host.png",
       media.url("faces/03_faceapi_sample3_crop_c.jpg")},
      {"https://cdn.example.com/avatar/news-anchor.png", media.url("faces/02_grace_hopper.jpg")},
      {"https://cdn.example.com/audio/customer-intro.mp3",
       media.serve("a.mp3", speechOfLength(12, dir))},
      {"https://cdn.example.com/audio/course-opening.mp3",
       media.serve("b.mp3", speechOfLength(18.5, dir))},
      {"https://cdn.example.com/audio/brand-message.mp3",
       media.serve("c.mp3", speechOfLength(24, dir))},
      {"https://cdn.example.com/audio/news-briefing.mp3",
       media.serve("d.mp3", speechOfLength(32.7, dir))}};
  double held = 0;
  std::vector<nlohmann::json> applied;
  for (const auto& [example, seconds, rate] :
       std::vector<std::tuple<const char*, double, double>>{{kExample51, 12, 0.4},
                                                            {kExample52, 18.5, 0.4},
                                                            {kExample53, 24, 0.8},
                                                            {kExample54, 32.7, 0.8}}) {
    const auto job = runCurl(example, server.url(), key.apiKey, urls);
    EXPECT_EQ(job["status"], "queued") << job.dump();
    held += seconds * rate;
    applied.push_back(job["prompt_applied"]);
  }
  // What each example's prompt applied (docs/API.md, "Prompt").
  EXPECT_EQ(applied[0], (nlohmann::json{"energy:calm", "expression:smile(0.50)"}));
  EXPECT_EQ(applied[1], (nlohmann::json{"energy:calm", "expression:smile(0.50)", "camera:stable"}));
  EXPECT_EQ(applied[2], (nlohmann::json{"expression:confident(0.50)"}));
  EXPECT_EQ(applied[3],
            (nlohmann::json{"energy:calm", "expression:serious(0.50)", "camera:stable"}));
  // The estimates (declared seconds x rate) are held from the balance.
  double holds = 0;
  for (const auto& entry : ledgerOf(server, key.id)) {
    if (entry["kind"] == "hold") holds += entry["units"].get<double>();
  }
  EXPECT_NEAR(holds, held, 0.01);
}

TEST_F(UnifiedApi, DeclaredDurationFarFromTheAudioCompletesChargedTheRealSeconds) {
  const auto key = server_->createKey("declared-mismatch", {"--balance", "100"});
  auto c = server_->client();
  // The clip lasts 7.1 s; 12 s are declared (as pasting the gateway's example would).
  auto res = postJson(c, "/v1/video/generations", key.apiKey,
                      {{"model", "kling-avatar-v2-standard"},
                       {"image_url", media_->url("faces/02_grace_hopper.jpg")},
                       {"audio_url", media_->url("speech/en_m_librivox_0870.wav")},
                       {"audio_duration_seconds", 12}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto job = nlohmann::json::parse(res->body);
  EXPECT_EQ(job["status"], "queued") << job.dump();
  EXPECT_EQ(job["usage"]["declared_seconds"], 12) << job.dump();
  EXPECT_NEAR(job["usage"]["audio_seconds"].get<double>(), 7.1, 0.05) << job.dump();
  const std::string id = job["id"];

  const auto done = waitForFinal(*server_, key.apiKey, "/v1/video/generations/" + id, 240);
  ASSERT_EQ(done["status"], "completed") << done.dump();
  const double seconds = done["usage"]["seconds"].get<double>();
  EXPECT_NEAR(seconds, 7.1, 0.1) << done.dump();
  EXPECT_EQ(done["usage"]["declared_seconds"], 12) << done.dump();
  EXPECT_NEAR(done["usage"]["audio_seconds"].get<double>(), 7.1, 0.05) << done.dump();
  EXPECT_NEAR(done["usage"]["units"].get<double>(), seconds * 0.4, 0.002) << done.dump();

  // The ledger held and charged the decoded seconds, not the declared 12 s (4.8 units).
  std::map<std::string, double> units;
  for (const auto& entry : ledgerOf(*server_, key.id)) {
    if (entry["task_id"] == id) units[entry["kind"]] += entry["units"].get<double>();
  }
  EXPECT_NEAR(units["hold"], 7.1 * 0.4, 0.03);
  EXPECT_NEAR(units["charge"], seconds * 0.4, 0.002);
  EXPECT_NEAR(units["release"], units["hold"], 0.001);
  const auto kling = parseBody(c.Get("/v1/videos/avatar/image2video/" + id, bearer(key.apiKey)));
  EXPECT_EQ(kling["data"]["task_status"], "succeed");
  EXPECT_NEAR(std::stod(kling["data"]["final_unit_deduction"].get<std::string>()), seconds * 0.4,
              0.002);
}

TEST_F(UnifiedApi, UploadsGiveLocalUrlsThatEveryFieldAccepts) {
  auto c = server_->client();
  const auto face = readData("faces/03_faceapi_sample3_crop_c.jpg");
  httplib::MultipartFormDataItems items = {
      {"file", std::string(face.begin(), face.end()), "face.jpg", "image/jpeg"}};
  const auto image = parseBody(c.Post("/v1/uploads", bearer(key_), items));
  ASSERT_EQ(image["code"], 0) << image.dump();
  EXPECT_EQ(image["data"]["kind"], "image");
  EXPECT_EQ(image["data"]["width"], 552);
  const auto voice = readData("speech/en_m_librivox_0870.wav");
  const auto audio =
      parseBody(c.Post("/v1/uploads", bearer(key_), std::string(voice.begin(), voice.end()),
                       "application/octet-stream"));
  ASSERT_EQ(audio["code"], 0) << audio.dump();
  EXPECT_EQ(audio["data"]["kind"], "audio");
  EXPECT_NEAR(audio["data"]["duration"].get<double>(), 7.1, 0.05);
  // Upload URLs carry random names, not the upload ids.
  expectUnguessableMediaUrl(image["data"]["url"], {image["data"]["id"]});
  expectUnguessableMediaUrl(audio["data"]["url"], {audio["data"]["id"]});
  EXPECT_EQ(image["data"]["id"].get<std::string>().size(), 18u);
  // The upload URL serves the same bytes.
  auto served = c.Get(image["data"]["url"].get<std::string>().substr(server_->url().size()));
  ASSERT_TRUE(served);
  EXPECT_EQ(served->body, std::string(face.begin(), face.end()));
  EXPECT_EQ(served->get_header_value("Content-Type"), "image/jpeg");

  // Unified: image_url and audio_url from uploads.
  auto res = postJson(c, "/v1/video/generations", key_,
                      {{"model", "kling-avatar-v2-standard"},
                       {"image_url", image["data"]["url"]},
                       {"audio_url", audio["data"]["url"]},
                       {"audio_duration_seconds", 7.1}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  // Kling: the audio upload's id works as audio_id.
  auto kling = postJson(c, "/v1/videos/avatar/image2video", key_,
                        {{"image", image["data"]["url"]}, {"audio_id", audio["data"]["audio_id"]}});
  ASSERT_TRUE(kling);
  ASSERT_EQ(kling->status, 200) << kling->body;
  const auto a = waitForFinal(
      *server_, key_,
      "/v1/video/generations/" + nlohmann::json::parse(res->body)["id"].get<std::string>());
  const auto b =
      waitForFinal(*server_, key_,
                   "/v1/videos/avatar/image2video/" +
                       nlohmann::json::parse(kling->body)["data"]["task_id"].get<std::string>());
  EXPECT_EQ(a["status"], "completed") << a.dump();
  EXPECT_EQ(b["data"]["task_status"], "succeed") << b.dump();

  // Wrong kinds and junk are refused with the field named.
  auto wrong = postJson(c, "/v1/video/generations", key_,
                        {{"model", "kling-avatar-v2-standard"},
                         {"image_url", audio["data"]["url"]},
                         {"audio_url", audio["data"]["url"]},
                         {"audio_duration_seconds", 7.1}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 400);
  EXPECT_EQ(nlohmann::json::parse(wrong->body)["error"]["param"], "image_url");
  auto junk = c.Post("/v1/uploads", bearer(key_), std::string("hello, not media"), "text/plain");
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->status, 400);
  EXPECT_EQ(nlohmann::json::parse(junk->body)["code"], 1201);
}

TEST_F(UnifiedApi, TtsAudioIdDrivesAKlingTask) {
  auto c = server_->client();
  const auto voices = parseBody(c.Get("/v1/general/presets-voices", bearer(key_)));
  ASSERT_EQ(voices["code"], 0);
  ASSERT_GE(voices["data"]["voices"].size(), 2u);
  bool hasEnglish = false, hasChinese = false;
  for (const auto& v : voices["data"]["voices"]) {
    hasEnglish = hasEnglish || v["voice_language"] == "en";
    hasChinese = hasChinese || v["voice_language"] == "zh";
  }
  EXPECT_TRUE(hasEnglish && hasChinese);

  const auto tts = parseBody(postJson(c, "/v1/audio/tts", key_,
                                      {{"text",
                                        "Hello and welcome. Today we look at how "
                                        "the new service turns one photo into a video."},
                                       {"voice_id", "en_us_female"},
                                       {"voice_language", "en"},
                                       {"voice_speed", 1.0}}));
  ASSERT_EQ(tts["code"], 0) << tts.dump();
  const auto& audio = tts["data"]["task_result"]["audios"][0];
  const double seconds = std::stod(audio["duration"].get<std::string>());
  EXPECT_GT(seconds, 2.0);
  expectUnguessableMediaUrl(audio["url"], {audio["id"], tts["data"]["task_id"]});
  // The audio URL serves a WAV of that length.
  auto wav = c.Get(audio["url"].get<std::string>().substr(server_->url().size()));
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->status, 200);
  const auto clip = media::decodeAudio(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(wav->body.data()), wav->body.size()));
  EXPECT_NEAR(clip.durationSeconds(), seconds, 0.01);

  auto res = postJson(c, "/kling/v1/videos/avatar/image2video", key_,
                      {{"image", media_->url("faces/02_grace_hopper.jpg")},
                       {"audio_id", audio["id"]},
                       {"sound_file", ""}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto done =
      waitForFinal(*server_, key_,
                   "/v1/videos/avatar/image2video/" +
                       nlohmann::json::parse(res->body)["data"]["task_id"].get<std::string>());
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  EXPECT_NEAR(std::stod(done["data"]["task_result"]["videos"][0]["duration"].get<std::string>()),
              seconds, 0.05);
  // The render used the synthesiser's phone timing rather than recognising the audio again, and
  // its words (the head's gestures follow them).
  std::smatch used;
  const std::string log = server_->log();
  ASSERT_TRUE(std::regex_search(log, used,
                                std::regex("uses [0-9]+ phones and ([0-9]+) words from the synth")))
      << log;
  EXPECT_GE(std::stoi(used[1]), 15) << used[0];

  // TTS rules name the field.
  auto slow = postJson(c, "/v1/audio/tts", key_,
                       {{"text", "hi there"}, {"voice_id", "en_us_female"}, {"voice_speed", 3}});
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 400);
  EXPECT_NE(nlohmann::json::parse(slow->body)["message"].get<std::string>().find("voice_speed"),
            std::string::npos);
  auto longText = postJson(c, "/v1/audio/tts", key_,
                           {{"text", std::string(1001, 'a')}, {"voice_id", "en_us_female"}});
  ASSERT_TRUE(longText);
  EXPECT_EQ(longText->status, 400);
  // Another account cannot use this audio_id.
  const auto other = server_->createKey("tts-other").apiKey;
  auto foreign =
      postJson(c, "/v1/videos/avatar/image2video", other,
               {{"image", media_->url("faces/02_grace_hopper.jpg")}, {"audio_id", audio["id"]}});
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 404);
}

}  // namespace
}  // namespace dh::test
