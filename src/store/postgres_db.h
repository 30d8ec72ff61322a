#pragma once
// A thin owner of libpq connections: statements with text parameters ($1, $2, ...) prepared once
// per connection, results read by row and column, a small connection pool (libpq connections
// are not shared between threads) and transactions. libpq errors become core::Error(Internal)
// naming the statement; the SQLSTATE code is kept so callers can tell a unique violation.
#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace dh::store::pg {

struct ConnectionCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};

// A database error with its SQLSTATE ("23505" = unique violation), empty when none was sent.
class DbError : public core::Error {
 public:
  DbError(const std::string& message, std::string sqlState)
      : core::Error(core::ErrorKind::Internal, message), sqlState_(std::move(sqlState)) {}
  const std::string& sqlState() const noexcept { return sqlState_; }
  bool uniqueViolation() const noexcept { return sqlState_ == "23505"; }

 private:
  std::string sqlState_;
};

// One statement parameter in PostgreSQL's text format; an empty optional is NULL.
struct Value {
  Value(const std::string& v) : text(v) {}
  Value(const char* v) : text(std::string(v)) {}
  Value(int64_t v) : text(std::to_string(v)) {}
  Value(int v) : text(std::to_string(v)) {}
  Value(bool v) : text(v ? "1" : "0") {}  // booleans are INTEGER 0/1 columns, as in SQLite
  Value(double v);
  Value(const std::optional<double>& v);
  std::optional<std::string> text;
};

class Result {
 public:
  explicit Result(PGresult* result) : result_(result) {}
  int rows() const { return PQntuples(result_.get()); }
  bool empty() const { return rows() == 0; }
  // Rows changed by INSERT/UPDATE/DELETE.
  int affected() const;

  bool isNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const;
  int64_t integer(int row, int column) const;
  double real(int row, int column) const;
  std::optional<double> optionalReal(int row, int column) const;

 private:
  std::unique_ptr<PGresult, ResultClearer> result_;
};

class Connection {
 public:
  // `url`: a libpq connection URI (postgresql://user@host:port/db?...).
  explicit Connection(const std::string& url);

  // Runs one statement with parameters, prepared on first use on this connection.
  Result exec(const std::string& sql, std::initializer_list<Value> params = {});
  Result exec(const std::string& sql, const std::vector<Value>& params);
  // Runs SQL text without parameters; it may hold several statements.
  void script(const std::string& sql);

  bool broken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }
  // Reconnects after a lost connection; prepared statements are forgotten.
  void reset();
  PGconn* raw() const { return conn_.get(); }

 private:
  Result check(PGresult* result, const std::string& sql);

  std::unique_ptr<PGconn, ConnectionCloser> conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

// Connections made on demand up to `maxConnections`; a lease returns its connection on
// destruction (or drops it when it broke).
class Pool {
 public:
  Pool(std::string url, size_t maxConnections);

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Lease acquire();
  const std::string& url() const { return url_; }

 private:
  void giveBack(std::unique_ptr<Connection> conn);

  std::string url_;
  size_t max_;
  size_t open_ = 0;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// BEGIN ... COMMIT on one connection, rolled back when not committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace dh::store::pg
