#pragma once
// The PostgreSQL server the test suite started (CTest fixture `postgres`, URL in DH_TEST_PG_URL)
// and private schemas on it, so that tests running in parallel never see each other's rows.
#include <string>

namespace dh::test {

// The server's URL; fails the current test when the suite was run without the fixture.
std::string postgresUrl();

// A new empty schema named after the current test; returns a URL whose connections use it
// (search_path), for a store or a `dh serve --db`.
std::string freshPostgresSchema();

// True when DH_TEST_DB=postgres asks the service tests to run against PostgreSQL.
bool servicesUsePostgres();

}  // namespace dh::test
