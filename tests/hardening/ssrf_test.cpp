// Fetch safety: URL inputs that lead to loopback, private, link-local, multicast, unspecified or
// IPv4-mapped addresses are refused with 1201 naming the field, also after a redirect from an
// allowed server; --allow-fetch-from opens exactly the listed networks.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "service/fetch.h"
#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

const char* kSubmit = "/v1/videos/avatar/image2video";

bool restricted(const std::string& text) {
  unsigned char raw[16] = {};
  if (inet_pton(AF_INET, text.c_str(), raw) == 1) return service::isRestrictedAddress(raw, AF_INET);
  if (inet_pton(AF_INET6, text.c_str(), raw) == 1)
    return service::isRestrictedAddress(raw, AF_INET6);
  throw std::runtime_error("not an address: " + text);
}

TEST(SsrfClassifier, EveryBlockedRangeIsRestrictedAndItsNeighboursAreNot) {
  for (const char* blocked : {"127.0.0.1",
                              "127.255.255.254",
                              "::1",
                              "10.0.0.1",
                              "10.255.255.255",
                              "172.16.0.1",
                              "172.31.255.255",
                              "192.168.0.1",
                              "192.168.255.255",
                              "169.254.169.254",
                              "169.254.0.1",
                              "fe80::1",
                              "febf::ffff",
                              "fc00::1",
                              "fd12:3456::1",
                              "224.0.0.1",
                              "239.255.255.250",
                              "ff02::1",
                              "0.0.0.0",
                              "::",
                              "::ffff:127.0.0.1",
                              "::ffff:10.0.0.1",
                              "::ffff:169.254.169.254",
                              "100.64.0.1"})
    EXPECT_TRUE(restricted(blocked)) << blocked;
  // Public addresses just outside each range stay reachable.
  for (const char* open :
       {"8.8.8.8", "9.255.255.255", "11.0.0.1", "172.15.255.255", "172.32.0.1", "192.167.255.255",
        "192.169.0.1", "169.253.255.255", "169.255.0.1", "223.255.255.255", "126.255.255.255",
        "128.0.0.1", "2001:db8::1", "2a00:1450::1", "fec0::1", "fbff::1"})
    EXPECT_FALSE(restricted(open)) << open;
}

TEST(SsrfClassifier, AllowListParsesNetworksAndRejectsNonsense) {
  const service::Cidr loop("127.0.0.0/8");
  unsigned char raw[16] = {};
  inet_pton(AF_INET, "127.3.4.5", raw);
  EXPECT_TRUE(loop.contains(raw, AF_INET));
  inet_pton(AF_INET, "128.0.0.1", raw);
  EXPECT_FALSE(loop.contains(raw, AF_INET));
  EXPECT_THROW(service::Cidr("127.0.0.0/33"), core::Error);
  EXPECT_THROW(service::Cidr("localhost"), core::Error);
  EXPECT_THROW(service::Cidr("::1/129"), core::Error);
}

// fetchUrl in-process: the connection is refused before any byte is sent, for literal addresses
// that are not routable here too (the check runs on the address curl is about to connect to).
TEST(SsrfFetch, BlockedLiteralsAreRefusedNamingFieldAndAddress) {
  const service::FetchOptions options;
  for (const auto& [url, address] : std::vector<std::pair<std::string, std::string>>{
           {"http://127.0.0.1:9/x.jpg", "127.0.0.1"},
           {"http://[::1]:9/x.jpg", "::1"},
           {"http://10.1.2.3/x.jpg", "10.1.2.3"},
           {"http://172.20.0.5/x.jpg", "172.20.0.5"},
           {"http://192.168.1.1/x.jpg", "192.168.1.1"},
           {"http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
           {"http://[fe80::1]/x.jpg", "fe80::1"},
           {"http://224.0.0.1/x.jpg", "224.0.0.1"},
           {"http://0.0.0.0:9/x.jpg", "0.0.0.0"},
           {"http://[::]:9/x.jpg", "::"},
           {"http://[::ffff:127.0.0.1]:9/x.jpg", "127.0.0.1"},
           {"http://[fd00::5]/x.jpg", "fd00::5"}}) {
    try {
      service::fetchUrl(url, "image", options);
      ADD_FAILURE() << url << " was fetched";
    } catch (const core::Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(e.field(), "image") << url;
      EXPECT_NE(message.find("image:"), std::string::npos) << message;
      EXPECT_NE(message.find(address), std::string::npos) << url << ": " << message;
      EXPECT_NE(message.find("not allowed"), std::string::npos) << message;
    }
  }
}

// The same refusals through a real `dh serve`, in both dialects, with real servers listening.
class SsrfServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(scratchDir());
    media_ = new MediaServer();
    // A second server on another loopback address and one on ::1, both serving a real photo.
    for (auto* s : {&other_, &six_}) *s = new httplib::Server();
    for (auto* s : {other_, six_})
      s->Get("/face.jpg", [](const httplib::Request&, httplib::Response& res) {
        const auto bytes = readData("faces/02_grace_hopper.jpg");
        res.set_content(std::string(bytes.begin(), bytes.end()), "image/jpeg");
      });
    otherPort_ = other_->bind_to_any_port("127.0.0.2");
    sixPort_ = six_->bind_to_any_port("::1");
    ASSERT_GT(otherPort_, 0);
    ASSERT_GT(sixPort_, 0);
    threads_ = new std::vector<std::thread>();
    threads_->emplace_back([] { other_->listen_after_bind(); });
    threads_->emplace_back([] { six_->listen_after_bind(); });
    // Redirects from 127.0.0.1 to the other address, to ::1 and to the metadata address.
    redirector_ = new LocalServer();
    redirector_->server().Get("/to-other", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://127.0.0.2:" + std::to_string(otherPort_) + "/face.jpg");
    });
    redirector_->server().Get("/to-six", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://[::1]:" + std::to_string(sixPort_) + "/face.jpg");
    });
    redirector_->server().Get("/to-metadata", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://169.254.169.254/latest/meta-data/");
    });
    redirector_->start();
    audio_ = new std::string(base64File("speech/en_m_librivox_0870.wav"));
  }
  static void TearDownTestSuite() {
    other_->stop();
    six_->stop();
    for (auto& t : *threads_) t.join();
    delete redirector_;
    delete media_;
    delete other_;
    delete six_;
    delete threads_;
    delete audio_;
    delete dir_;
  }

  static httplib::Result submitKling(ServeProcess& server, const IssuedKey& key,
                                     const std::string& image) {
    auto c = server.client();
    return c.Post(kSubmit, bearer(key.apiKey),
                  nlohmann::json{{"image", image}, {"sound_file", *audio_}}.dump(),
                  "application/json");
  }

  static void expectRefused(const httplib::Result& res, const std::string& field,
                            const std::string& address) {
    ASSERT_TRUE(res) << "no response";
    EXPECT_EQ(res->status, 400) << res->body;
    const auto body = nlohmann::json::parse(res->body);
    EXPECT_EQ(body["code"], 1201) << res->body;
    const std::string message = body["message"];
    EXPECT_EQ(message.rfind(field + ":", 0), 0u) << message;
    EXPECT_NE(message.find(address), std::string::npos) << message;
    EXPECT_NE(message.find("not allowed"), std::string::npos) << message;
  }

  static void expectAccepted(const httplib::Result& res) {
    ASSERT_TRUE(res) << "no response";
    EXPECT_EQ(res->status, 200) << res->body;
    const auto body = nlohmann::json::parse(res->body);
    EXPECT_EQ(body["code"], 0) << res->body;
    EXPECT_EQ(body["data"]["task_status"], "submitted") << res->body;
  }

  static inline std::string* dir_ = nullptr;
  static inline MediaServer* media_ = nullptr;
  static inline LocalServer* redirector_ = nullptr;
  static inline httplib::Server* other_ = nullptr;
  static inline httplib::Server* six_ = nullptr;
  static inline std::vector<std::thread>* threads_ = nullptr;
  static inline int otherPort_ = 0;
  static inline int sixPort_ = 0;
  static inline std::string* audio_ = nullptr;
};

TEST_F(SsrfServer, WithoutAllowListEveryBlockedRangeIsRefusedWith1201NamingTheField) {
  ServeProcess server(*dir_ + "/strict", {"--workers", "0"});
  server.start();
  const auto key = server.createKey("strict");
  const std::string face = "faces/02_grace_hopper.jpg";
  expectRefused(submitKling(server, key, media_->url(face)), "image", "127.0.0.1");
  // A host name that resolves to loopback.
  const std::string viaName = "http://localhost:" + media_->url(face).substr(17);
  {
    auto res = submitKling(server, key, viaName);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
    EXPECT_EQ(nlohmann::json::parse(res->body)["code"], 1201) << res->body;
    EXPECT_NE(res->body.find("image: the URL leads to"), std::string::npos) << res->body;
  }
  expectRefused(
      submitKling(server, key, "http://127.0.0.2:" + std::to_string(otherPort_) + "/face.jpg"),
      "image", "127.0.0.2");
  expectRefused(submitKling(server, key, "http://[::1]:" + std::to_string(sixPort_) + "/face.jpg"),
                "image", "::1");
  for (const auto& [url, address] : std::vector<std::pair<std::string, std::string>>{
           {"http://10.0.0.1/face.jpg", "10.0.0.1"},
           {"http://172.16.0.1/face.jpg", "172.16.0.1"},
           {"http://192.168.0.1/face.jpg", "192.168.0.1"},
           {"http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
           {"http://[fe80::1]/face.jpg", "fe80::1"},
           {"http://239.1.2.3/face.jpg", "239.1.2.3"},
           {"http://[ff02::1]/face.jpg", "ff02::1"},
           {"http://0.0.0.0/face.jpg", "0.0.0.0"},
           {"http://[::]/face.jpg", "::"},
           {"http://[::ffff:127.0.0.1]:" + std::to_string(otherPort_) + "/face.jpg", "127.0.0.1"}})
    expectRefused(submitKling(server, key, url), "image", address);

  // The unified dialect names its own field.
  auto c = server.client();
  auto res = c.Post("/v1/video/generations", bearer(key.apiKey),
                    nlohmann::json{{"model", "kling-avatar-v2-standard"},
                                   {"image_url", base64File(face)},
                                   {"audio_url", "http://169.254.169.254/voice.wav"},
                                   {"audio_duration_seconds", 7.1}}
                        .dump(),
                    "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  const auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["error"]["param"], "audio_url") << res->body;
  EXPECT_NE(body["error"]["message"].get<std::string>().find("169.254.169.254"), std::string::npos)
      << res->body;
  // Nothing was stored for the refused submits.
  EXPECT_NE(server.keys({"list"}).find("strict"), std::string::npos);
  res = c.Get(kSubmit, bearer(key.apiKey));
  ASSERT_TRUE(res);
  EXPECT_EQ(nlohmann::json::parse(res->body)["data"].size(), 0u) << res->body;
}

TEST_F(SsrfServer, RedirectFromAnAllowedServerToABlockedAddressIsRefused) {
  ServeProcess server(*dir_ + "/narrow", {"--workers", "0", "--allow-fetch-from", "127.0.0.1/32"});
  server.start();
  const auto key = server.createKey("narrow");
  // The allowed server itself is reachable ...
  expectAccepted(submitKling(server, key, media_->url("faces/02_grace_hopper.jpg")));
  // ... but not where it redirects to.
  expectRefused(submitKling(server, key, redirector_->url() + "/to-other"), "image", "127.0.0.2");
  expectRefused(submitKling(server, key, redirector_->url() + "/to-six"), "image", "::1");
  expectRefused(submitKling(server, key, redirector_->url() + "/to-metadata"), "image",
                "169.254.169.254");
}

TEST_F(SsrfServer, ListedNetworksAreAllowedIncludingAfterRedirects) {
  ServeProcess server(*dir_ + "/wide", {"--workers", "0", "--allow-fetch-from", "127.0.0.0/8",
                                        "--allow-fetch-from", "::1/128"});
  server.start();
  const auto key = server.createKey("wide");
  expectAccepted(
      submitKling(server, key, "http://127.0.0.2:" + std::to_string(otherPort_) + "/face.jpg"));
  expectAccepted(
      submitKling(server, key, "http://[::1]:" + std::to_string(sixPort_) + "/face.jpg"));
  expectAccepted(submitKling(server, key, redirector_->url() + "/to-other"));
  expectAccepted(submitKling(server, key, redirector_->url() + "/to-six"));
  // Listing loopback does not open the metadata address.
  expectRefused(submitKling(server, key, redirector_->url() + "/to-metadata"), "image",
                "169.254.169.254");
}

}  // namespace
}  // namespace dh::test
