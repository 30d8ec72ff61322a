#include "store/postgres_db.h"

#include <charconv>
#include <cstdlib>

#include "core/log.h"

namespace dh::store::pg {
namespace {

void logNotice(void*, const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  core::logger("store")->debug("postgres: {}", text);
}

// The URL without its password, for messages.
std::string redacted(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

}  // namespace

Value::Value(double v) {
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof(buffer), v).ptr;
  text = std::string(buffer, end);
}

Value::Value(const std::optional<double>& v) {
  if (v) text = Value(*v).text;
}

int Result::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::atoi(n) : 0;
}

std::string Result::text(int row, int column) const {
  const char* p = PQgetvalue(result_.get(), row, column);
  return p ? std::string(p, static_cast<size_t>(PQgetlength(result_.get(), row, column)))
           : std::string();
}

int64_t Result::integer(int row, int column) const {
  if (isNull(row, column)) return 0;
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

double Result::real(int row, int column) const {
  if (isNull(row, column)) return 0.0;
  return std::strtod(PQgetvalue(result_.get(), row, column), nullptr);
}

std::optional<double> Result::optionalReal(int row, int column) const {
  if (isNull(row, column)) return std::nullopt;
  return real(row, column);
}

Connection::Connection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
  if (!conn_) throw DbError("database: cannot allocate a PostgreSQL connection", "");
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_.get());
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw DbError("database: cannot connect to " + redacted(url) + ": " + message, "08001");
  }
  PQsetNoticeProcessor(conn_.get(), logNotice, nullptr);
}

Result Connection::check(PGresult* raw, const std::string& sql) {
  Result result(raw);
  const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  std::string message = raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_.get());
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  throw DbError("database: \"" + sql + "\": " + message, state ? state : "");
}

Result Connection::exec(const std::string& sql, std::initializer_list<Value> params) {
  return exec(sql, std::vector<Value>(params));
}

Result Connection::exec(const std::string& sql, const std::vector<Value>& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "dh" + std::to_string(prepared_.size() + 1);
    check(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr), sql);
    it = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.text ? p.text->c_str() : nullptr);
  return check(PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, 0),
               sql);
}

void Connection::script(const std::string& sql) {
  check(PQexec(conn_.get(), sql.c_str()), sql);
}

void Connection::reset() {
  PQreset(conn_.get());
  prepared_.clear();
}

Pool::Pool(std::string url, size_t maxConnections)
    : url_(std::move(url)), max_(std::max<size_t>(1, maxConnections)) {}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Connection>(url_));
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void Pool::giveBack(std::unique_ptr<Connection> conn) {
  // A connection left inside a transaction (an exception escaped before rollback) is cleaned
  // up here; one that broke is dropped and replaced on demand.
  if (conn && !conn->broken() && PQtransactionStatus(conn->raw()) != PQTRANS_IDLE) {
    try {
      conn->script("ROLLBACK");
    } catch (...) {
      conn.reset();
    }
  }
  std::lock_guard lock(mutex_);
  if (conn && !conn->broken()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  available_.notify_one();
}

Pool::Lease::~Lease() {
  if (pool_ && conn_) pool_->giveBack(std::move(conn_));
}

Transaction::Transaction(Connection& conn) : conn_(conn) {
  conn_.script("BEGIN");
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    conn_.script("ROLLBACK");
  } catch (...) {
  }
}

void Transaction::commit() {
  conn_.script("COMMIT");
  done_ = true;
}

}  // namespace dh::store::pg
