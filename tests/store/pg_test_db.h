#pragma once
// The PostgreSQL server the test suite started (CTest fixture `postgres`, URL in DH_TEST_PG_URL)
// and private schemas on it, so that tests running in parallel never see each other's rows.
#include <string>

namespace dh::test {

// The server's URL (DH_TEST_PG_URL, else a PostgreSQL DH_TEST_DB); throws when neither is set.
std::string postgresUrl();

// A new empty schema named after the current test; returns a URL whose connections use it
// (search_path), for a store or a `dh serve --db`.
std::string freshPostgresSchema();

// The database of the server whose files live in `dir`: a fresh schema the first time, the same
// one again for a server restarted on that directory (the URL is kept in DIR/postgres.url).
std::string postgresSchemaForDir(const std::string& dir);

// True when DH_TEST_DB holds a postgresql:// URL: the service tests then run against that
// server (a fresh schema per server process) instead of SQLite files.
bool servicesUsePostgres();

}  // namespace dh::test
