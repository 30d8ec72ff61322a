#pragma once
// A thin owner of a SQLite connection and its prepared statements. SQLite errors become
// core::Error(Internal) with the statement that failed.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace dh::store::sqlite {

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// A prepared statement in use: binds by position (in order of bind calls) and resets itself when
// it goes out of scope. bind() returns an rvalue so `auto q = db.query(..).bind(..)` moves.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt);
  ~Query();
  Query(Query&& other) noexcept;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query& operator=(Query&&) = delete;

  Query&& bind(const std::string& value);
  Query&& bind(const char* value) { return bind(std::string(value)); }
  Query&& bind(int64_t value);
  Query&& bind(int value) { return bind(static_cast<int64_t>(value)); }
  Query&& bind(bool value) { return bind(static_cast<int64_t>(value ? 1 : 0)); }
  Query&& bind(double value);
  Query&& bind(const std::optional<double>& value);

  // Advances to the next row; false when done.
  bool step();
  // Runs a statement that returns no rows; returns the number of changed rows.
  int run();

  std::string text(int column) const;
  int64_t integer(int column) const;
  double real(int column) const;
  std::optional<double> optionalReal(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int nextIndex_ = 1;
};

class Database {
 public:
  explicit Database(const std::string& path);

  // A cached prepared statement for `sql`.
  Query query(const std::string& sql);
  void exec(const std::string& sql);
  int64_t lastInsertId() const;

 private:
  std::unique_ptr<sqlite3, ConnectionCloser> db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StatementFinalizer>> cache_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when not committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace dh::store::sqlite
