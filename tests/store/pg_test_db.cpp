#include "pg_test_db.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "store/postgres_db.h"

namespace dh::test {

std::string postgresUrl() {
  const char* url = std::getenv("DH_TEST_PG_URL");
  if ((!url || !*url) && servicesUsePostgres()) url = std::getenv("DH_TEST_DB");
  if (!url || !*url)
    throw std::runtime_error(
        "DH_TEST_PG_URL is not set: run through ctest (fixture `postgres`) or point it at a "
        "server started with scripts/postgres.sh");
  return url;
}

std::string freshPostgresSchema() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->name()) : "dh";
  for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_';
  if (name.size() > 30) name.resize(30);
  const std::string schema =
      "t_" + name + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string base = postgresUrl();
  store::pg::Connection admin(base);
  admin.script("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

std::string postgresSchemaForDir(const std::string& dir) {
  const std::string file = dir + "/postgres.url";
  std::ifstream in(file);
  std::string url;
  if (in && std::getline(in, url) && !url.empty()) return url;
  url = freshPostgresSchema();
  std::ofstream(file) << url << "\n";
  return url;
}

bool servicesUsePostgres() {
  const char* db = std::getenv("DH_TEST_DB");
  return db && std::string(db).rfind("postgres", 0) == 0;
}

}  // namespace dh::test
