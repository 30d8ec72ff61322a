// `dh keys` as an operator uses it: keys are shown once and stored only as hashes; the dev key of
// `make run` is created once and reused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service_harness.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(KeysCli, KeysAreShownOnceAndStoredHashed) {
  const std::string dir = scratchDir();
  ServeProcess store(dir);  // only its database is used here
  const auto key = store.createKey("alice", {"--balance", "12.5"});
  EXPECT_EQ(key.apiKey.rfind("sk-", 0), 0u);
  const std::string listing = store.keys({"list"});
  EXPECT_NE(listing.find("alice"), std::string::npos);
  EXPECT_NE(listing.find("12.500"), std::string::npos);
  EXPECT_NE(listing.find(key.apiKey.substr(0, 9)), std::string::npos);
  EXPECT_EQ(listing.find(key.apiKey), std::string::npos);
  // Neither the database nor its write-ahead log holds the key itself.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(fileText(entry.path().string()).find(key.apiKey), std::string::npos) << entry.path();
  }
  EXPECT_NE(store.keys({"topup", "alice", "7.5"}).find("20.000"), std::string::npos);
  store.keys({"revoke", "alice"});
  EXPECT_NE(store.keys({"list"}).find("revoked"), std::string::npos);
}

TEST(KeysCli, DevKeyIsCreatedOnceAndRecreatedWhenItsFileIsGone) {
  const std::string dir = scratchDir();
  ServeProcess store(dir);
  const std::string file = dir + "/dev-api-key";
  const std::string first = store.keys({"ensure-dev", "--file", file});
  const std::string again = store.keys({"ensure-dev", "--file", file});
  EXPECT_EQ(first, again);
  EXPECT_EQ(fileText(file), first);
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::group_read,
            std::filesystem::perms::none);
  std::filesystem::remove(file);
  const std::string fresh = store.keys({"ensure-dev", "--file", file});
  EXPECT_NE(fresh, first);
  // Both work against a server on that database.
  store.start();
  auto c = store.client();
  for (const auto& k : {first, fresh}) {
    auto res = c.Get("/v1/videos/avatar/image2video", bearer(k.substr(0, k.find('\n'))));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
}

}  // namespace
}  // namespace dh::test
