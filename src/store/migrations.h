#pragma once
// The schema as one ordered list of steps; a store applies the ones it has not applied yet and
// records the count in schema_version. Each step holds the SQL for both engines under one
// version number.
#include <string>
#include <vector>

namespace dh::store {

struct Migration {
  // Portable SQL. Its one engine-specific construct, the auto-numbered key of an append-only
  // table written `INTEGER PRIMARY KEY` (SQLite's rowid), becomes `BIGSERIAL PRIMARY KEY` for
  // PostgreSQL.
  Migration(const char* portable);  // NOLINT: plain strings in the list stay plain
  // A step whose SQL differs between the engines beyond that.
  Migration(const char* sqliteSql, const char* postgresSql);

  std::string sqlite;
  std::string postgres;
};

const std::vector<Migration>& migrations();

}  // namespace dh::store
