// The Kling avatar dialect against a real `dh serve`: submit with URLs and Base64, query by task
// id and external id, list, watermark copy, media download with Range and ETag.
#include <gtest/gtest.h>

#include <fstream>

#include "service_harness.h"
#include "support/media_probe.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

class KlingApi : public SharedServerSuite {
 protected:
  static void SetUpTestSuite() { startServer({"--allow-fetch-from", "127.0.0.0/8"}); }
  void SetUp() override { key_ = server_->createKey(currentTestName()).apiKey; }

  httplib::Result submit(const nlohmann::json& body, const std::string& prefix = "") {
    auto c = server_->client();
    return postJson(c, prefix + "/v1/videos/avatar/image2video", key_, body);
  }

  std::string key_;
};

TEST_F(KlingApi, UrlImageAndSoundFileRenderAndTheMp4DownloadsWithRangeAndEtag) {
  auto res = submit({{"image", media_->url("faces/02_grace_hopper.jpg")},
                     {"sound_file", media_->url("speech/en_m_librivox_0870.wav")},
                     {"mode", "std"},
                     {"prompt", "news anchor, stable"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto submitted = nlohmann::json::parse(res->body);
  EXPECT_EQ(submitted["code"], 0);
  EXPECT_EQ(submitted["message"], "SUCCEED");
  EXPECT_FALSE(submitted["request_id"].get<std::string>().empty());
  const auto& data = submitted["data"];
  EXPECT_EQ(data["task_status"], "submitted");
  EXPECT_EQ(data["task_status_msg"], "");
  EXPECT_EQ(data["final_unit_deduction"], "0");
  EXPECT_GT(data["created_at"].get<int64_t>(), 1700000000000);  // milliseconds
  EXPECT_EQ(data["task_info"]["prompt_applied"], nlohmann::json{"energy:calm"});
  const std::string id = data["task_id"];

  const auto done = waitForFinal(*server_, key_, "/v1/videos/avatar/image2video/" + id);
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  const auto& video = done["data"]["task_result"]["videos"][0];
  EXPECT_EQ(video["id"], id);
  EXPECT_NEAR(std::stod(video["duration"].get<std::string>()), 7.1, 0.1);
  // std: 0.4 units per output second.
  EXPECT_NEAR(std::stod(done["data"]["final_unit_deduction"].get<std::string>()),
              std::stod(video["duration"].get<std::string>()) * 0.4, 0.01);
  EXPECT_FALSE(video.contains("watermark_url"));

  const std::string url = video["url"];
  ASSERT_EQ(url.rfind(server_->url() + "/media/", 0), 0u) << url;
  EXPECT_EQ(expectUnguessableMediaUrl(url, {id}).rfind("/media/videos/", 0), 0u);
  auto c = server_->client();
  // The task id names no file; neither does a random name the server never handed out.
  auto byId = c.Get("/media/videos/" + id + ".mp4");
  ASSERT_TRUE(byId);
  EXPECT_EQ(byId->status, 404);
  auto unknown = c.Get("/media/videos/0123456789abcdef0123456789abcdef.mp4");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(nlohmann::json::parse(unknown->body)["code"], 1203);
  const std::string path = url.substr(server_->url().size());
  auto whole = c.Get(path);
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->status, 200);
  EXPECT_EQ(whole->get_header_value("Content-Type"), "video/mp4");
  const std::string file = *dir_ + "/download.mp4";
  std::ofstream(file, std::ios::binary) << whole->body;
  const auto probe = probeFile(file);
  ASSERT_NE(probe.find("video"), nullptr);
  EXPECT_EQ(probe.find("video")->codec, "h264");
  EXPECT_NEAR(probe.find("video")->seconds, 7.1, 0.1);

  auto part = c.Get(path, {{"Range", "bytes=100-1099"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body.size(), 1000u);
  EXPECT_EQ(part->body, whole->body.substr(100, 1000));
  EXPECT_EQ(part->get_header_value("Content-Range"),
            "bytes 100-1099/" + std::to_string(whole->body.size()));

  const std::string etag = whole->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto cached = c.Get(path, {{"If-None-Match", etag}});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);
  EXPECT_TRUE(cached->body.empty());
}

TEST_F(KlingApi, Base64InputsWithExternalIdAreReadableByEitherIdPrefixAndDialect) {
  auto res = submit(
      {{"image", base64File("faces/03_faceapi_sample3_crop_c.jpg")},
       {"sound_file", "data:audio/wav;base64," + base64File("speech/en_m_librivox_0870.wav")},
       {"external_task_id", "order-42"}},
      "/kling");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string id = nlohmann::json::parse(res->body)["data"]["task_id"];
  EXPECT_EQ(nlohmann::json::parse(res->body)["data"]["task_info"]["external_task_id"], "order-42");

  const auto byExternal = waitForFinal(*server_, key_, "/v1/videos/avatar/image2video/order-42");
  EXPECT_EQ(byExternal["data"]["task_id"], id);
  EXPECT_EQ(byExternal["data"]["task_status"], "succeed") << byExternal.dump();

  auto c = server_->client();
  auto prefixed = parseBody(c.Get("/kling/v1/videos/avatar/image2video/" + id, bearer(key_)));
  EXPECT_EQ(prefixed["data"]["task_id"], id);
  // One task store: the unified dialect reads the same task.
  auto unified = parseBody(c.Get("/v1/video/generations/" + id, bearer(key_)));
  EXPECT_EQ(unified["object"], "video.generation.job");
  EXPECT_EQ(unified["status"], "completed");
  EXPECT_EQ(unified["model"], "kling-avatar-v2-standard");
  EXPECT_EQ(unified["video_url"], byExternal["data"]["task_result"]["videos"][0]["url"]);

  // Another account cannot see it.
  const auto other = server_->createKey("other-of-base64").apiKey;
  auto hidden = c.Get("/v1/videos/avatar/image2video/" + id, bearer(other));
  ASSERT_TRUE(hidden);
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(nlohmann::json::parse(hidden->body)["code"], 1203);
}

TEST_F(KlingApi, GatewayBodyWithEmptyStringsAndUniqueExternalIdPerAccount) {
  const nlohmann::json body = {{"image", media_->url("faces/01_astronaut_eileen_collins.png")},
                               {"audio_id", ""},
                               {"sound_file", media_->url("speech/en_m_librivox_0870.wav")},
                               {"prompt", ""},
                               {"mode", ""},
                               {"callback_url", ""},
                               {"external_task_id", "same-id"},
                               {"watermark_info", ""}};
  auto first = submit(body);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  auto again = submit(body);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 400);
  const auto error = nlohmann::json::parse(again->body);
  EXPECT_EQ(error["code"], 1201);
  EXPECT_NE(error["message"].get<std::string>().find("external_task_id"), std::string::npos);
  EXPECT_TRUE(error["data"].is_null());

  // Unique per account, not globally.
  const auto other = server_->createKey("other-of-gateway").apiKey;
  auto c = server_->client();
  auto elsewhere = postJson(c, "/v1/videos/avatar/image2video", other, body);
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 200) << elsewhere->body;
  waitForFinal(*server_, other, "/v1/videos/avatar/image2video/same-id");
  waitForFinal(*server_, key_, "/v1/videos/avatar/image2video/same-id");
}

TEST_F(KlingApi, ListIsNewestFirstWithPaging) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto res = submit({{"image", media_->url("faces/02_grace_hopper.jpg")},
                       {"sound_file", media_->url("speech/en_m_librivox_0870.wav")}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    ids.push_back(nlohmann::json::parse(res->body)["data"]["task_id"]);
  }
  auto c = server_->client();
  auto page1 = parseBody(c.Get("/v1/videos/avatar/image2video?pageNum=1&pageSize=2", bearer(key_)));
  ASSERT_EQ(page1["code"], 0);
  ASSERT_EQ(page1["data"].size(), 2u);
  EXPECT_EQ(page1["data"][0]["task_id"], ids[2]);
  EXPECT_EQ(page1["data"][1]["task_id"], ids[1]);
  auto page2 =
      parseBody(c.Get("/kling/v1/videos/avatar/image2video?pageNum=2&pageSize=2", bearer(key_)));
  ASSERT_EQ(page2["data"].size(), 1u);
  EXPECT_EQ(page2["data"][0]["task_id"], ids[0]);
  for (const auto& id : ids) waitForFinal(*server_, key_, "/v1/videos/avatar/image2video/" + id);
}

TEST_F(KlingApi, WatermarkInfoProducesASecondDownloadableCopy) {
  auto res = submit({{"image", media_->url("faces/02_grace_hopper.jpg")},
                     {"sound_file", media_->url("speech/en_m_librivox_0870.wav")},
                     {"watermark_info", {{"enabled", true}}}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string id = nlohmann::json::parse(res->body)["data"]["task_id"];
  EXPECT_EQ(nlohmann::json::parse(res->body)["data"]["watermark_info"]["enabled"], true);
  const auto done = waitForFinal(*server_, key_, "/v1/videos/avatar/image2video/" + id);
  ASSERT_EQ(done["data"]["task_status"], "succeed") << done.dump();
  const auto& video = done["data"]["task_result"]["videos"][0];
  ASSERT_TRUE(video.contains("watermark_url"));
  // Two independent random names: one URL tells nothing about the other.
  const std::string cleanPath = expectUnguessableMediaUrl(video["url"], {id});
  const std::string markedPath = expectUnguessableMediaUrl(video["watermark_url"], {id});
  EXPECT_NE(cleanPath.substr(14, 32), markedPath.substr(14, 32));
  auto c = server_->client();
  auto clean = c.Get(video["url"].get<std::string>().substr(server_->url().size()));
  auto marked = c.Get(video["watermark_url"].get<std::string>().substr(server_->url().size()));
  ASSERT_TRUE(clean && marked);
  EXPECT_EQ(marked->status, 200);
  EXPECT_EQ(marked->get_header_value("Content-Type"), "video/mp4");
  EXPECT_NE(clean->body, marked->body);
  const std::string file = *dir_ + "/marked.mp4";
  std::ofstream(file, std::ios::binary) << marked->body;
  EXPECT_NEAR(probeFile(file).find("video")->seconds, 7.1, 0.1);
}

// GET /account/costs as Kling SDKs call it (JWT from the access and secret key, a time window in
// milliseconds): the key's balance as one resource pack.
TEST_F(KlingApi, AccountCostsReportTheKeysBalanceAsAResourcePack) {
  const auto key = server_->createKey("costs-payer", {"--balance", "10"});
  const std::string token = [&] {
    const std::string out = server_->keys({"jwt", key.id});
    return out.substr(0, out.find('\n'));
  }();
  const long long now = static_cast<long long>(time(nullptr)) * 1000;
  const std::string window = "?start_time=" + std::to_string(now - 90LL * 86400 * 1000) +
                             "&end_time=" + std::to_string(now);
  auto c = server_->client();
  const auto packOf = [&](const std::string& path, const std::string& bearerToken) {
    auto res = c.Get(path, bearer(bearerToken));
    EXPECT_TRUE(res);
    if (!res) return nlohmann::json();
    EXPECT_EQ(res->status, 200) << res->body;
    const auto body = nlohmann::json::parse(res->body);
    EXPECT_EQ(body["code"], 0);
    EXPECT_EQ(body["message"], "SUCCEED");
    EXPECT_FALSE(body["request_id"].get<std::string>().empty());
    EXPECT_EQ(body["data"]["code"], 0);
    EXPECT_EQ(body["data"]["msg"], "success");
    const auto& packs = body["data"]["resource_pack_subscribe_infos"];
    EXPECT_EQ(packs.size(), 1u) << body.dump();
    return packs.empty() ? nlohmann::json() : packs[0];
  };

  auto pack = packOf("/account/costs" + window, token);
  EXPECT_EQ(pack["resource_pack_type"], "decreasing_total");
  EXPECT_EQ(pack["resource_pack_id"], key.id);
  EXPECT_NE(pack["resource_pack_name"].get<std::string>().find("costs-payer"), std::string::npos);
  EXPECT_DOUBLE_EQ(pack["total_quantity"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(pack["remaining_quantity"].get<double>(), 10.0);
  EXPECT_EQ(pack["status"], "online");
  EXPECT_LE(pack["effective_time"].get<int64_t>(), now + 1000);
  EXPECT_GE(pack["effective_time"].get<int64_t>(), now - 600 * 1000);
  EXPECT_EQ(pack["purchase_time"], pack["effective_time"]);
  EXPECT_GT(pack["invalid_time"].get<int64_t>(), now);

  // A top-up raises both; a submit's hold lowers what remains. Same answer under /v1 and /kling.
  server_->keys({"topup", key.id, "5"});
  auto res = postJson(c, "/v1/videos/avatar/image2video", key.apiKey,
                      {{"image", base64File("faces/02_grace_hopper.jpg")},
                       {"sound_file", base64File("speech/en_m_librivox_0870.wav")}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  for (const std::string path :
       {"/v1/account/costs", "/kling/account/costs", "/kling/v1/account/costs"}) {
    pack = packOf(path + window, key.apiKey);
    EXPECT_DOUBLE_EQ(pack["total_quantity"].get<double>(), 15.0) << path;
    // 7.1 s held (or charged, once rendered) at 0.4 units a second.
    EXPECT_NEAR(pack["remaining_quantity"].get<double>(), 15 - 7.1 * 0.4, 0.05) << path;
  }

  // An unlimited key has a pack of its own type; a name filter that matches nothing, none.
  pack = packOf("/account/costs", key_);
  EXPECT_EQ(pack["resource_pack_type"], "unlimited");
  EXPECT_EQ(pack["status"], "online");
  auto filtered = parseBody(c.Get("/account/costs?resource_pack_name=no-such-pack", bearer(key_)));
  EXPECT_TRUE(filtered["data"]["resource_pack_subscribe_infos"].empty()) << filtered.dump();

  // Bad windows name the parameter; no key is 401.
  auto bad = c.Get("/account/costs?start_time=yesterday", bearer(key_));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad->body)["code"], 1201);
  EXPECT_NE(nlohmann::json::parse(bad->body)["message"].get<std::string>().find("start_time"),
            std::string::npos);
  auto reversed = c.Get("/account/costs?start_time=2000&end_time=1000", bearer(key_));
  ASSERT_TRUE(reversed);
  EXPECT_EQ(reversed->status, 400);
  EXPECT_NE(nlohmann::json::parse(reversed->body)["message"].get<std::string>().find("end_time"),
            std::string::npos);
  auto anonymous = c.Get("/account/costs");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

}  // namespace
}  // namespace dh::test
