#include "store/postgres_store.h"

#include <poll.h>

#include <chrono>

#include "core/log.h"
#include "store/migrations.h"
#include "store/postgres_wake.h"
#include "store/rows.h"

namespace dh::store {
namespace {

using rows::kKeyColumns;
using rows::kTaskColumnCount;
using rows::kTaskColumns;

// The channel on which "a task became claimable" is announced.
constexpr const char* kWorkChannel = "dh_work";
// Serialises migrations between processes starting at the same time.
constexpr int64_t kMigrationLock = 0x64685f736368656dLL;
// Serialises claims under a render cap, so that counting and claiming are one step.
constexpr int64_t kCappedClaimLock = 0x64685f636c61696dLL;

// "t.id, t.account_id, ..." for statements joining another relation.
std::string qualified(const std::string& alias, const std::string& columns) {
  std::string out;
  size_t start = 0;
  while (start < columns.size()) {
    size_t comma = columns.find(',', start);
    if (comma == std::string::npos) comma = columns.size();
    std::string name = columns.substr(start, comma - start);
    name.erase(0, name.find_first_not_of(' '));
    if (!out.empty()) out += ", ";
    out += alias + "." + name;
    start = comma + 1;
  }
  return out;
}

std::string selectTasks(const std::string& where) {
  return std::string("SELECT ") + kTaskColumns + " FROM tasks " + where;
}

// One row of a result, as the shared row readers take it.
struct PgRow {
  const pg::Result& result;
  int row;
  std::string text(int column) const { return result.text(row, column); }
  int64_t integer(int column) const { return result.integer(row, column); }
  double real(int column) const { return result.real(row, column); }
  std::optional<double> optionalReal(int column) const { return result.optionalReal(row, column); }
};

Task readTask(const pg::Result& r, int row) {
  return rows::readTask(PgRow{r, row});
}

ApiKey readKey(const pg::Result& r, int row) {
  return rows::readKey(PgRow{r, row});
}

std::optional<Task> firstTask(const pg::Result& r) {
  if (r.empty()) return std::nullopt;
  return readTask(r, 0);
}

struct NotifyFree {
  void operator()(PGnotify* n) const { PQfreemem(n); }
};

}  // namespace

PostgresStore::PostgresStore(PostgresConfig config)
    : config_(std::move(config)), pool_(config_.url, config_.connections) {
  migrate();
}

PostgresStore::~PostgresStore() {
  stopping_ = true;
  if (listener_.joinable()) listener_.join();
}

void PostgresStore::migrate() {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  conn->exec("SELECT pg_advisory_xact_lock($1)", {kMigrationLock});
  conn->script("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const int64_t version =
      conn->exec("SELECT COALESCE(MAX(version), 0) FROM schema_version").integer(0, 0);
  const auto& steps = migrations();
  for (size_t i = static_cast<size_t>(version); i < steps.size(); ++i) {
    conn->script(steps[i].postgres);
    conn->exec("INSERT INTO schema_version (version) VALUES ($1)", {static_cast<int64_t>(i + 1)});
    core::logger("store")->info("applied migration {} to PostgreSQL", i + 1);
  }
  tx.commit();
}

void PostgresStore::onNewWork(std::function<void()> wake) {
  if (listener_.joinable()) return;
  wake_ = std::move(wake);
  listener_ = std::thread([this] { listenLoop(); });
}

void PostgresStore::listenLoop() {
  auto log = core::logger("store");
  while (!stopping_.load()) {
    try {
      pg::Connection conn(config_.url);
      conn.script(std::string("LISTEN ") + kWorkChannel);
      // Anything announced while (re)connecting is not lost: the workers also poll.
      if (wake_) wake_();
      while (!stopping_.load()) {
        pollfd p{PQsocket(conn.raw()), POLLIN, 0};
        if (poll(&p, 1, 200) < 0) continue;
        if (!PQconsumeInput(conn.raw()))
          throw pg::DbError(std::string("database: listener: ") + PQerrorMessage(conn.raw()), "");
        bool announced = false;
        while (std::unique_ptr<PGnotify, NotifyFree> n{PQnotifies(conn.raw())}) announced = true;
        if (announced && wake_) wake_();
      }
    } catch (const std::exception& e) {
      log->warn("work notifications lost ({}); reconnecting", core::describe(e));
      for (int i = 0; i < 10 && !stopping_.load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void PostgresStore::addLedger(pg::Connection& conn, const std::string& accountId,
                              const std::string& taskId, const std::string& kind, double units,
                              std::optional<double> balanceAfter) {
  conn.exec(
      "INSERT INTO ledger (account_id, task_id, kind, units, balance_after, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {accountId, taskId, kind, units, balanceAfter, nowMillis()});
}

std::optional<double> PostgresStore::adjustBalance(pg::Connection& conn,
                                                   const std::string& accountId, double delta) {
  const auto r = conn.exec(
      "UPDATE keys SET balance = balance + $1 WHERE id = $2 AND balance IS NOT NULL "
      "RETURNING balance",
      {delta, accountId});
  if (r.empty()) return std::nullopt;
  return r.optionalReal(0, 0);
}

CreateOutcome PostgresStore::createTask(const Task& t) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  if (!t.externalTaskId.empty() &&
      !conn->exec("SELECT 1 FROM tasks WHERE account_id = $1 AND external_task_id = $2",
                  {t.accountId, t.externalTaskId})
           .empty())
    return CreateOutcome::DuplicateExternalId;
  // Locking the key row serialises holds on one account across processes.
  const auto key = conn->exec("SELECT balance FROM keys WHERE id = $1 FOR UPDATE", {t.accountId});
  const std::optional<double> balance = key.empty() ? std::nullopt : key.optionalReal(0, 0);
  if (balance && *balance < 0) return CreateOutcome::InArrears;
  if (balance && *balance < t.unitsHeld) return CreateOutcome::InsufficientBalance;
  try {
    std::vector<pg::Value> values;
    values.reserve(kTaskColumnCount);
    rows::forEachTaskValue(t, [&values](const auto& value) { values.emplace_back(value); });
    conn->exec(std::string("INSERT INTO tasks (") + kTaskColumns +
                   ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,"
                   "$20,$21,$22,$23,$24,$25,$26,$27,$28)",
               values);
  } catch (const pg::DbError& e) {
    // Another API node inserted the same external id between our check and our insert.
    if (e.uniqueViolation() && !t.externalTaskId.empty()) return CreateOutcome::DuplicateExternalId;
    throw;
  }
  const auto after = adjustBalance(*conn, t.accountId, -t.unitsHeld);
  addLedger(*conn, t.accountId, t.id, "hold", t.unitsHeld, after);
  if (t.status == TaskStatus::Submitted) conn->script(std::string("NOTIFY ") + kWorkChannel);
  tx.commit();
  return CreateOutcome::Created;
}

std::optional<Task> PostgresStore::findTask(const std::string& id) {
  auto conn = pool_.acquire();
  return firstTask(conn->exec(selectTasks("WHERE id = $1"), {id}));
}

std::optional<Task> PostgresStore::findTaskFor(const std::string& accountId,
                                               const std::string& idOrExternal) {
  auto conn = pool_.acquire();
  if (auto t = firstTask(
          conn->exec(selectTasks("WHERE id = $1 AND account_id = $2"), {idOrExternal, accountId})))
    return t;
  return firstTask(conn->exec(
      selectTasks("WHERE account_id = $1 AND external_task_id = $2 AND external_task_id <> ''"),
      {accountId, idOrExternal}));
}

std::vector<Task> PostgresStore::listTasks(const std::string& accountId, int offset, int limit) {
  auto conn = pool_.acquire();
  const auto r = conn->exec(
      selectTasks("WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"),
      {accountId, limit, offset});
  std::vector<Task> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(readTask(r, i));
  return out;
}

int64_t PostgresStore::countActiveTasks(const std::string& accountId) {
  auto conn = pool_.acquire();
  return conn
      ->exec(
          "SELECT COUNT(*) FROM tasks WHERE account_id = $1 AND status IN "
          "('submitted', 'processing')",
          {accountId})
      .integer(0, 0);
}

std::optional<Claim> PostgresStore::claimTask(const std::string& workerId, Millis leaseMs,
                                              int maxAttempts, int maxRunning) {
  static const std::string sql =
      "WITH picked AS (SELECT id, status FROM tasks WHERE status = 'submitted' OR "
      "(status = 'processing' AND lease_expires_at < $3 AND attempts < $4) "
      "ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
      "UPDATE tasks t SET status = 'processing', lease_owner = $1, lease_expires_at = $2, "
      "attempts = t.attempts + 1, updated_at = $3 FROM picked WHERE t.id = picked.id "
      "RETURNING " +
      qualified("t", kTaskColumns) + ", picked.status";
  auto conn = pool_.acquire();
  if (maxRunning <= 0) {
    const Millis now = nowMillis();
    const auto r = conn->exec(sql, {workerId, now + leaseMs, now, maxAttempts});
    if (r.empty()) return std::nullopt;
    return Claim{readTask(r, 0), r.text(0, kTaskColumnCount) == "processing"};
  }
  // Under a cap, claimers of every process queue on one transaction-scoped advisory lock; each
  // statement after it (READ COMMITTED) sees the claims committed by the previous holders.
  pg::Transaction tx(*conn);
  conn->exec("SELECT pg_advisory_xact_lock($1)", {kCappedClaimLock});
  const Millis now = nowMillis();
  const int64_t running =
      conn->exec(
              "SELECT COUNT(*) FROM tasks WHERE status = 'processing' AND lease_expires_at >= $1",
              {now})
          .integer(0, 0);
  if (running >= maxRunning) return std::nullopt;
  const auto r = conn->exec(sql, {workerId, now + leaseMs, now, maxAttempts});
  tx.commit();
  if (r.empty()) return std::nullopt;
  return Claim{readTask(r, 0), r.text(0, kTaskColumnCount) == "processing"};
}

bool PostgresStore::finishFailed(pg::Connection& conn, const std::string& taskId,
                                 const std::string& workerId, const std::string& message,
                                 const std::string& errorCode) {
  const auto r = conn.exec(
      "UPDATE tasks SET status = 'failed', status_msg = $1, error_code = $2, lease_owner = '', "
      "lease_expires_at = 0, updated_at = $3 WHERE id = $4 AND status IN ('submitted', "
      "'processing') AND ($5::text = '' OR lease_owner = $5::text) "
      "RETURNING account_id, units_held",
      {message, errorCode, nowMillis(), taskId, workerId});
  if (r.empty()) return false;
  const std::string accountId = r.text(0, 0);
  const double held = r.real(0, 1);
  const auto after = adjustBalance(conn, accountId, held);
  addLedger(conn, accountId, taskId, "release", held, after);
  return true;
}

std::vector<Task> PostgresStore::failExhaustedTasks(int maxAttempts, const std::string& reason) {
  auto conn = pool_.acquire();
  const Millis now = nowMillis();
  const auto candidates = conn->exec(
      "SELECT id FROM tasks WHERE status = 'processing' AND lease_expires_at < $1 AND "
      "attempts >= $2",
      {now, maxAttempts});
  std::vector<Task> failed;
  for (int i = 0; i < candidates.rows(); ++i) {
    const std::string id = candidates.text(i, 0);
    pg::Transaction tx(*conn);
    // Re-checked under the row lock: another process may have renewed or failed it meanwhile.
    const auto locked = conn->exec(
        "SELECT 1 FROM tasks WHERE id = $1 AND status = 'processing' AND lease_expires_at < $2 "
        "AND attempts >= $3 FOR UPDATE SKIP LOCKED",
        {id, now, maxAttempts});
    if (locked.empty() || !finishFailed(*conn, id, "", reason, "worker_lost")) continue;
    auto task = firstTask(conn->exec(selectTasks("WHERE id = $1"), {id}));
    tx.commit();
    if (task) failed.push_back(std::move(*task));
  }
  return failed;
}

int PostgresStore::renewLeases(const std::string& workerId, Millis leaseMs) {
  auto conn = pool_.acquire();
  return conn
      ->exec(
          "UPDATE tasks SET lease_expires_at = $1 WHERE lease_owner = $2 AND status = "
          "'processing'",
          {nowMillis() + leaseMs, workerId})
      .affected();
}

void PostgresStore::updateProgress(const std::string& taskId, const std::string& workerId,
                                   int progress) {
  auto conn = pool_.acquire();
  conn->exec(
      "UPDATE tasks SET progress = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4 AND "
      "status = 'processing'",
      {progress, nowMillis(), taskId, workerId});
}

bool PostgresStore::completeTask(const std::string& taskId, const std::string& workerId,
                                 const std::string& videoFile, const std::string& watermarkFile,
                                 double videoSeconds, double unitsCharged) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  const auto r = conn->exec(
      "UPDATE tasks SET status = 'succeed', progress = 100, video_file = $1, watermark_file = $2, "
      "video_seconds = $3, units_charged = $4, lease_owner = '', lease_expires_at = 0, "
      "updated_at = $5 WHERE id = $6 AND status = 'processing' AND lease_owner = $7 "
      "RETURNING account_id, units_held",
      {videoFile, watermarkFile, videoSeconds, unitsCharged, nowMillis(), taskId, workerId});
  if (r.empty()) return false;
  const std::string accountId = r.text(0, 0);
  const double held = r.real(0, 1);
  auto after = adjustBalance(*conn, accountId, held);
  addLedger(*conn, accountId, taskId, "release", held, after);
  after = adjustBalance(*conn, accountId, -unitsCharged);
  addLedger(*conn, accountId, taskId, "charge", unitsCharged, after);
  tx.commit();
  return true;
}

bool PostgresStore::failTask(const std::string& taskId, const std::string& workerId,
                             const std::string& message, const std::string& errorCode) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  if (!finishFailed(*conn, taskId, workerId, message, errorCode)) return false;
  tx.commit();
  return true;
}

bool PostgresStore::releaseTask(const std::string& taskId, const std::string& workerId) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  const bool released =
      conn->exec(
              "UPDATE tasks SET lease_owner = '', lease_expires_at = 0, attempts = attempts - 1 "
              "WHERE id = $1 AND lease_owner = $2 AND status = 'processing'",
              {taskId, workerId})
          .affected() > 0;
  if (released) conn->script(std::string("NOTIFY ") + kWorkChannel);
  tx.commit();
  return released;
}

Counts PostgresStore::counts() {
  auto conn = pool_.acquire();
  Counts c;
  for (const char* s : {"submitted", "processing", "succeed", "failed"}) c.tasksByStatus[s] = 0;
  const auto r = conn->exec("SELECT status, COUNT(*) FROM tasks GROUP BY status");
  for (int i = 0; i < r.rows(); ++i) c.tasksByStatus[r.text(i, 0)] = r.integer(i, 1);
  c.queueDepth = c.tasksByStatus["submitted"];
  c.pendingCallbacks =
      conn->exec("SELECT COUNT(*) FROM callbacks WHERE state = 'pending'").integer(0, 0);
  return c;
}

void PostgresStore::createKey(const ApiKey& k) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  conn->exec(std::string("INSERT INTO keys (") + kKeyColumns +
                 ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
             {k.id, k.name, k.keyHash, k.keyPrefix, k.accessKey, k.secretKey, k.balance,
              k.allowedModes, k.revoked, k.disabled, k.createdAt});
  if (k.balance) addLedger(*conn, k.id, "", "topup", *k.balance, k.balance);
  tx.commit();
}

std::optional<ApiKey> PostgresStore::findKeyByHash(const std::string& keyHash) {
  auto conn = pool_.acquire();
  const auto r = conn->exec(std::string("SELECT ") + kKeyColumns + " FROM keys WHERE key_hash = $1",
                            {keyHash});
  if (r.empty()) return std::nullopt;
  return readKey(r, 0);
}

std::optional<ApiKey> PostgresStore::findKeyByAccessKey(const std::string& accessKey) {
  auto conn = pool_.acquire();
  const auto r = conn->exec(
      std::string("SELECT ") + kKeyColumns + " FROM keys WHERE access_key = $1", {accessKey});
  if (r.empty()) return std::nullopt;
  return readKey(r, 0);
}

std::optional<ApiKey> PostgresStore::findKey(const std::string& idOrName) {
  auto conn = pool_.acquire();
  const auto r = conn->exec(std::string("SELECT ") + kKeyColumns +
                                " FROM keys WHERE id = $1 OR name = $1 ORDER BY id LIMIT 1",
                            {idOrName});
  if (r.empty()) return std::nullopt;
  return readKey(r, 0);
}

std::vector<ApiKey> PostgresStore::listKeys() {
  auto conn = pool_.acquire();
  const auto r =
      conn->exec(std::string("SELECT ") + kKeyColumns + " FROM keys ORDER BY created_at, id");
  std::vector<ApiKey> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(readKey(r, i));
  return out;
}

bool PostgresStore::revokeKey(const std::string& idOrName) {
  auto conn = pool_.acquire();
  return conn->exec("UPDATE keys SET revoked = 1 WHERE (id = $1 OR name = $1) AND revoked = 0",
                    {idOrName})
             .affected() > 0;
}

bool PostgresStore::setKeyDisabled(const std::string& idOrName, bool disabled) {
  auto conn = pool_.acquire();
  return conn->exec("UPDATE keys SET disabled = $1 WHERE id = $2 OR name = $2",
                    {disabled, idOrName})
             .affected() > 0;
}

double PostgresStore::topUp(const std::string& accountId, double units) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  const auto r = conn->exec(
      "UPDATE keys SET balance = COALESCE(balance, 0) + $1 WHERE id = $2 RETURNING balance",
      {units, accountId});
  if (r.empty()) throw core::Error(core::ErrorKind::NotFound, "no key with id " + accountId, "key");
  const double balance = r.real(0, 0);
  addLedger(*conn, accountId, "", "topup", units, balance);
  tx.commit();
  return balance;
}

std::optional<double> PostgresStore::chargeUsage(const std::string& accountId,
                                                 const std::string& reference, double units) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  const auto after = adjustBalance(*conn, accountId, -units);
  addLedger(*conn, accountId, reference, "charge", units, after);
  tx.commit();
  return after;
}

std::vector<LedgerEntry> PostgresStore::ledger(const std::string& accountId) {
  auto conn = pool_.acquire();
  const auto r = conn->exec(
      "SELECT id, account_id, task_id, kind, units, balance_after, created_at FROM ledger "
      "WHERE account_id = $1 ORDER BY id",
      {accountId});
  std::vector<LedgerEntry> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.real(i, 4),
                   r.optionalReal(i, 5), r.integer(i, 6)});
  }
  return out;
}

void PostgresStore::putAudio(const AudioRecord& a) {
  auto conn = pool_.acquire();
  conn->exec(
      "INSERT INTO audio (id, account_id, file, seconds, source, created_at) VALUES "
      "($1, $2, $3, $4, $5, $6)",
      {a.id, a.accountId, a.file, a.seconds, a.source, a.createdAt});
}

std::optional<AudioRecord> PostgresStore::findAudio(const std::string& id) {
  return audioWhere("id", id);
}

std::optional<AudioRecord> PostgresStore::findAudioByFile(const std::string& file) {
  return audioWhere("file", file);
}

std::optional<AudioRecord> PostgresStore::audioWhere(const char* column, const std::string& value) {
  auto conn = pool_.acquire();
  const auto r = conn->exec(
      std::string("SELECT id, account_id, file, seconds, source, created_at FROM audio WHERE ") +
          column + " = $1",
      {value});
  if (r.empty()) return std::nullopt;
  return AudioRecord{r.text(0, 0), r.text(0, 1), r.text(0, 2),
                     r.real(0, 3), r.text(0, 4), r.integer(0, 5)};
}

void PostgresStore::putUpload(const UploadRecord& u) {
  auto conn = pool_.acquire();
  conn->exec(
      "INSERT INTO uploads (id, account_id, file, kind, content_type, bytes, width, height, "
      "seconds, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {u.id, u.accountId, u.file, u.kind, u.contentType, u.bytes, u.width, u.height, u.seconds,
       u.createdAt});
}

std::optional<UploadRecord> PostgresStore::findUpload(const std::string& id) {
  return uploadWhere("id", id);
}

std::optional<UploadRecord> PostgresStore::findUploadByFile(const std::string& file) {
  return uploadWhere("file", file);
}

std::optional<UploadRecord> PostgresStore::uploadWhere(const char* column,
                                                       const std::string& value) {
  auto conn = pool_.acquire();
  const auto r = conn->exec(
      std::string("SELECT id, account_id, file, kind, content_type, bytes, width, height, "
                  "seconds, created_at FROM uploads WHERE ") +
          column + " = $1",
      {value});
  if (r.empty()) return std::nullopt;
  UploadRecord u;
  u.id = r.text(0, 0);
  u.accountId = r.text(0, 1);
  u.file = r.text(0, 2);
  u.kind = r.text(0, 3);
  u.contentType = r.text(0, 4);
  u.bytes = r.integer(0, 5);
  u.width = static_cast<int>(r.integer(0, 6));
  u.height = static_cast<int>(r.integer(0, 7));
  u.seconds = r.real(0, 8);
  u.createdAt = r.integer(0, 9);
  return u;
}

void PostgresStore::enqueueCallback(const std::string& taskId, const std::string& url,
                                    const std::string& body) {
  auto conn = pool_.acquire();
  const Millis now = nowMillis();
  conn->exec(
      "INSERT INTO callbacks (task_id, url, body, first_at, next_at) VALUES ($1, $2, $3, $4, $4)",
      {taskId, url, body, now});
}

std::optional<CallbackRecord> PostgresStore::claimCallback(Millis inflightMs) {
  const Millis now = nowMillis();
  auto conn = pool_.acquire();
  const auto r = conn->exec(
      "WITH picked AS (SELECT c.id, c.next_at FROM callbacks c WHERE c.state = 'pending' AND "
      "c.next_at <= $1 AND NOT EXISTS (SELECT 1 FROM callbacks e WHERE e.task_id = c.task_id AND "
      "e.id < c.id AND e.state = 'pending') ORDER BY c.next_at, c.id LIMIT 1 "
      "FOR UPDATE OF c SKIP LOCKED) "
      "UPDATE callbacks SET next_at = $2, attempts = callbacks.attempts + 1 FROM picked "
      "WHERE callbacks.id = picked.id RETURNING callbacks.id, callbacks.task_id, callbacks.url, "
      "callbacks.body, callbacks.attempts, callbacks.first_at, picked.next_at",
      {now, now + inflightMs});
  if (r.empty()) return std::nullopt;
  return CallbackRecord{r.integer(0, 0),
                        r.text(0, 1),
                        r.text(0, 2),
                        r.text(0, 3),
                        static_cast<int>(r.integer(0, 4)),
                        r.integer(0, 5),
                        r.integer(0, 6)};
}

void PostgresStore::callbackDelivered(int64_t id) {
  auto conn = pool_.acquire();
  conn->exec("UPDATE callbacks SET state = 'delivered', last_error = '' WHERE id = $1", {id});
}

void PostgresStore::callbackRetry(int64_t id, Millis nextAttemptAt, const std::string& error) {
  auto conn = pool_.acquire();
  conn->exec("UPDATE callbacks SET next_at = $1, last_error = $2 WHERE id = $3",
             {nextAttemptAt, error, id});
}

void PostgresStore::callbackGiveUp(int64_t id, const std::string& error) {
  auto conn = pool_.acquire();
  conn->exec("UPDATE callbacks SET state = 'dead', last_error = $1 WHERE id = $2", {error, id});
}

std::vector<std::string> PostgresStore::purgeMediaBefore(Millis cutoff) {
  auto conn = pool_.acquire();
  pg::Transaction tx(*conn);
  std::vector<std::string> files;
  const auto tasks = conn->exec(
      std::string("UPDATE tasks t SET ") + rows::kClearTaskMedia + " FROM (SELECT id, " +
          rows::kTaskMediaColumns + " FROM tasks WHERE " + rows::purgeableTasksWhere("$1") +
          " FOR UPDATE) old WHERE t.id = old.id "
          "RETURNING old.video_file, old.watermark_file, old.image_path, old.audio_path, "
          "old.stream_dir",
      {cutoff});
  for (int i = 0; i < tasks.rows(); ++i) {
    for (int c = 0; c < rows::kTaskMediaColumnCount; ++c) {
      if (!tasks.text(i, c).empty()) files.push_back(tasks.text(i, c));
    }
  }
  for (const char* table : {"audio", "uploads"}) {
    const auto r = conn->exec(
        std::string("DELETE FROM ") + table + " WHERE created_at < $1 RETURNING file", {cutoff});
    for (int i = 0; i < r.rows(); ++i) files.push_back(r.text(i, 0));
  }
  conn->exec("DELETE FROM callbacks WHERE state <> 'pending' AND first_at < $1", {cutoff});
  tx.commit();
  return files;
}

bool wakeOnNewWork(Store& store, std::function<void()> wake) {
  auto* postgres = dynamic_cast<PostgresStore*>(&store);
  if (!postgres) return false;
  postgres->onNewWork(std::move(wake));
  return true;
}

std::unique_ptr<Store> openPostgresStore(const std::string& url) {
  return std::make_unique<PostgresStore>(PostgresConfig{url});
}

}  // namespace dh::store
