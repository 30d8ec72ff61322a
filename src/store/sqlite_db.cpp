#include "store/sqlite_db.h"

#include "core/error.h"

namespace dh::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw core::Error(core::ErrorKind::Internal,
                    "database: " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
}

}  // namespace

Query::Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), nextIndex_(other.nextIndex_) {
  other.stmt_ = nullptr;
}

Query::~Query() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query&& Query::bind(const std::string& value) {
  if (sqlite3_bind_text(stmt_, nextIndex_++, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return std::move(*this);
}

Query&& Query::bind(int64_t value) {
  if (sqlite3_bind_int64(stmt_, nextIndex_++, value) != SQLITE_OK) fail(db_, "bind");
  return std::move(*this);
}

Query&& Query::bind(double value) {
  if (sqlite3_bind_double(stmt_, nextIndex_++, value) != SQLITE_OK) fail(db_, "bind");
  return std::move(*this);
}

Query&& Query::bind(const std::optional<double>& value) {
  if (!value) {
    if (sqlite3_bind_null(stmt_, nextIndex_++) != SQLITE_OK) fail(db_, "bind");
    return std::move(*this);
  }
  return bind(*value);
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, std::string("step \"") + sqlite3_sql(stmt_) + "\"");
}

int Query::run() {
  while (step()) {
  }
  return sqlite3_changes(db_);
}

std::string Query::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

int64_t Query::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Query::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::optional<double> Query::optionalReal(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return real(column);
}

Database::Database(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) fail(raw, "open " + path);
  sqlite3_busy_timeout(raw, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
}

Query Database::query(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
      fail(db_.get(), "prepare \"" + sql + "\"");
    it = cache_.emplace(sql, std::unique_ptr<sqlite3_stmt, StatementFinalizer>(stmt)).first;
  }
  return Query(db_.get(), it->second.get());
}

void Database::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw core::Error(core::ErrorKind::Internal, "database: \"" + sql + "\": " + text);
  }
}

int64_t Database::lastInsertId() const {
  return sqlite3_last_insert_rowid(db_.get());
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace dh::store::sqlite
