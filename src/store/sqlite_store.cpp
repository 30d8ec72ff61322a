#include "store/sqlite_store.h"

#include <filesystem>
#include <functional>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "store/migrations.h"
#include "store/postgres_store.h"
#include "store/rows.h"

namespace dh::store {
namespace {

using rows::kKeyColumns;
using rows::kTaskColumns;

Task readTask(const sqlite::Query& q) {
  return rows::readTask(q);
}

ApiKey readKey(const sqlite::Query& q) {
  return rows::readKey(q);
}

std::string sqlitePath(const std::string& url) {
  const std::string prefix = "sqlite:";
  return url.rfind(prefix, 0) == 0 ? url.substr(prefix.size()) : url;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : db_(path) {
  {
    std::lock_guard lock(mutex_);
    db_.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    int64_t version = 0;
    {
      auto q = db_.query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (q.step()) version = q.integer(0);
    }
    const auto& steps = migrations();
    for (size_t i = static_cast<size_t>(version); i < steps.size(); ++i) {
      sqlite::Transaction tx(db_);
      db_.exec(steps[i].sqlite);
      db_.query("INSERT INTO schema_version (version) VALUES (?)")
          .bind(static_cast<int64_t>(i + 1))
          .run();
      tx.commit();
      core::logger("store")->info("applied migration {} to {}", i + 1, path);
    }
  }
  if (path != ":memory:" && !path.empty() && path.rfind("file::memory:", 0) != 0) {
    for (int i = 0; i < 4; ++i) readers_.push_back(std::make_unique<Reader>(path));
  }
}

SqliteStore::ReadAccess::ReadAccess(SqliteStore& store) {
  if (store.readers_.empty()) {
    lock_ = std::unique_lock(store.mutex_);
    db_ = &store.db_;
    return;
  }
  // Threads spread over the readers; a busy one is skipped when another is free.
  const size_t count = store.readers_.size();
  const size_t first = std::hash<std::thread::id>{}(std::this_thread::get_id()) % count;
  for (size_t i = 0; i < count; ++i) {
    Reader& r = *store.readers_[(first + i) % count];
    std::unique_lock attempt(r.mutex, std::try_to_lock);
    if (attempt.owns_lock()) {
      lock_ = std::move(attempt);
      db_ = &r.db;
      return;
    }
  }
  Reader& r = *store.readers_[first];
  lock_ = std::unique_lock(r.mutex);
  db_ = &r.db;
}

void SqliteStore::addLedger(const std::string& accountId, const std::string& taskId,
                            const std::string& kind, double units,
                            std::optional<double> balanceAfter) {
  db_.query(
         "INSERT INTO ledger (account_id, task_id, kind, units, balance_after, created_at) "
         "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(accountId)
      .bind(taskId)
      .bind(kind)
      .bind(units)
      .bind(balanceAfter)
      .bind(nowMillis())
      .run();
}

std::optional<double> SqliteStore::adjustBalance(const std::string& accountId, double delta) {
  db_.query("UPDATE keys SET balance = balance + ? WHERE id = ? AND balance IS NOT NULL")
      .bind(delta)
      .bind(accountId)
      .run();
  auto q = db_.query("SELECT balance FROM keys WHERE id = ?").bind(accountId);
  return q.step() ? q.optionalReal(0) : std::nullopt;
}

CreateOutcome SqliteStore::createTask(const Task& t) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(db_);
  if (!t.externalTaskId.empty()) {
    auto q = db_.query("SELECT 1 FROM tasks WHERE account_id = ? AND external_task_id = ?")
                 .bind(t.accountId)
                 .bind(t.externalTaskId);
    if (q.step()) return CreateOutcome::DuplicateExternalId;
  }
  std::optional<double> balance;
  {
    auto q = db_.query("SELECT balance FROM keys WHERE id = ?").bind(t.accountId);
    if (q.step()) balance = q.optionalReal(0);
  }
  if (balance && *balance < 0) return CreateOutcome::InArrears;
  if (balance && *balance < t.unitsHeld) return CreateOutcome::InsufficientBalance;
  auto insert = db_.query(std::string("INSERT INTO tasks (") + kTaskColumns +
                          ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  rows::forEachTaskValue(t, [&insert](const auto& value) { insert.bind(value); });
  insert.run();
  const auto after = adjustBalance(t.accountId, -t.unitsHeld);
  addLedger(t.accountId, t.id, "hold", t.unitsHeld, after);
  tx.commit();
  return CreateOutcome::Created;
}

std::optional<Task> SqliteStore::findTask(const std::string& id) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  auto q = db.query(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id = ?").bind(id);
  if (!q.step()) return std::nullopt;
  return readTask(q);
}

std::optional<Task> SqliteStore::findTaskFor(const std::string& accountId,
                                             const std::string& idOrExternal) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  {
    auto q = db.query(std::string("SELECT ") + kTaskColumns +
                      " FROM tasks WHERE id = ? AND account_id = ?")
                 .bind(idOrExternal)
                 .bind(accountId);
    if (q.step()) return readTask(q);
  }
  auto q = db.query(std::string("SELECT ") + kTaskColumns +
                    " FROM tasks WHERE account_id = ? AND external_task_id = ? AND "
                    "external_task_id <> ''")
               .bind(accountId)
               .bind(idOrExternal);
  if (!q.step()) return std::nullopt;
  return readTask(q);
}

std::vector<Task> SqliteStore::listTasks(const std::string& accountId, int offset, int limit) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  auto q = db.query(std::string("SELECT ") + kTaskColumns +
                    " FROM tasks WHERE account_id = ? ORDER BY created_at DESC, id DESC "
                    "LIMIT ? OFFSET ?")
               .bind(accountId)
               .bind(limit)
               .bind(offset);
  std::vector<Task> out;
  while (q.step()) out.push_back(readTask(q));
  return out;
}

int64_t SqliteStore::countActiveTasks(const std::string& accountId) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  auto q = db.query(
                 "SELECT COUNT(*) FROM tasks WHERE account_id = ? AND status IN "
                 "('submitted', 'processing')")
               .bind(accountId);
  return q.step() ? q.integer(0) : 0;
}

std::optional<Claim> SqliteStore::claimTask(const std::string& workerId, Millis leaseMs,
                                            int maxAttempts, int maxRunning) {
  std::lock_guard lock(mutex_);
  // BEGIN IMMEDIATE holds the database's write lock: no other process claims between the count
  // and the claim.
  sqlite::Transaction tx(db_);
  const Millis now = nowMillis();
  if (maxRunning > 0) {
    auto q = db_.query(
                    "SELECT COUNT(*) FROM tasks WHERE status = 'processing' AND "
                    "lease_expires_at >= ?")
                 .bind(now);
    q.step();
    if (q.integer(0) >= maxRunning) return std::nullopt;
  }
  std::string id;
  bool resumed = false;
  {
    auto q = db_.query(
                    "SELECT id, status FROM tasks WHERE status = 'submitted' OR (status = "
                    "'processing' AND lease_expires_at < ? AND attempts < ?) "
                    "ORDER BY created_at, id LIMIT 1")
                 .bind(now)
                 .bind(maxAttempts);
    if (!q.step()) return std::nullopt;
    id = q.text(0);
    resumed = q.text(1) == "processing";
  }
  db_.query(
         "UPDATE tasks SET status = 'processing', lease_owner = ?, lease_expires_at = ?, "
         "attempts = attempts + 1, updated_at = ? WHERE id = ?")
      .bind(workerId)
      .bind(now + leaseMs)
      .bind(now)
      .bind(id)
      .run();
  auto q = db_.query(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id = ?").bind(id);
  q.step();
  Claim claim{readTask(q), resumed};
  tx.commit();
  return claim;
}

bool SqliteStore::finishFailed(const std::string& taskId, const std::string& workerId,
                               const std::string& message, const std::string& errorCode) {
  const Millis now = nowMillis();
  std::string accountId;
  double held = 0;
  {
    auto q = db_.query(
                    "SELECT account_id, units_held FROM tasks WHERE id = ? AND status IN "
                    "('submitted', 'processing') AND (? = '' OR lease_owner = ?)")
                 .bind(taskId)
                 .bind(workerId)
                 .bind(workerId);
    if (!q.step()) return false;
    accountId = q.text(0);
    held = q.real(1);
  }
  db_.query(
         "UPDATE tasks SET status = 'failed', status_msg = ?, error_code = ?, lease_owner = '', "
         "lease_expires_at = 0, updated_at = ? WHERE id = ?")
      .bind(message)
      .bind(errorCode)
      .bind(now)
      .bind(taskId)
      .run();
  const auto after = adjustBalance(accountId, held);
  addLedger(accountId, taskId, "release", held, after);
  return true;
}

std::vector<Task> SqliteStore::failExhaustedTasks(int maxAttempts, const std::string& reason) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  {
    auto q = db_.query(
                    "SELECT id FROM tasks WHERE status = 'processing' AND lease_expires_at < ? "
                    "AND attempts >= ?")
                 .bind(nowMillis())
                 .bind(maxAttempts);
    while (q.step()) ids.push_back(q.text(0));
  }
  std::vector<Task> failed;
  for (const auto& id : ids) {
    sqlite::Transaction tx(db_);
    if (!finishFailed(id, "", reason, "worker_lost")) continue;
    auto q = db_.query(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id = ?").bind(id);
    q.step();
    failed.push_back(readTask(q));
    tx.commit();
  }
  return failed;
}

int SqliteStore::renewLeases(const std::string& workerId, Millis leaseMs) {
  std::lock_guard lock(mutex_);
  return db_
      .query(
          "UPDATE tasks SET lease_expires_at = ? WHERE lease_owner = ? AND status = "
          "'processing'")
      .bind(nowMillis() + leaseMs)
      .bind(workerId)
      .run();
}

void SqliteStore::updateProgress(const std::string& taskId, const std::string& workerId,
                                 int progress) {
  std::lock_guard lock(mutex_);
  db_.query(
         "UPDATE tasks SET progress = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND "
         "status = 'processing'")
      .bind(progress)
      .bind(nowMillis())
      .bind(taskId)
      .bind(workerId)
      .run();
}

bool SqliteStore::completeTask(const std::string& taskId, const std::string& workerId,
                               const std::string& videoFile, const std::string& watermarkFile,
                               double videoSeconds, double unitsCharged) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(db_);
  std::string accountId;
  double held = 0;
  {
    auto q = db_.query(
                    "SELECT account_id, units_held FROM tasks WHERE id = ? AND status = "
                    "'processing' AND lease_owner = ?")
                 .bind(taskId)
                 .bind(workerId);
    if (!q.step()) return false;
    accountId = q.text(0);
    held = q.real(1);
  }
  db_.query(
         "UPDATE tasks SET status = 'succeed', progress = 100, video_file = ?, watermark_file = ?, "
         "video_seconds = ?, units_charged = ?, lease_owner = '', lease_expires_at = 0, "
         "updated_at = ? WHERE id = ?")
      .bind(videoFile)
      .bind(watermarkFile)
      .bind(videoSeconds)
      .bind(unitsCharged)
      .bind(nowMillis())
      .bind(taskId)
      .run();
  auto after = adjustBalance(accountId, held);
  addLedger(accountId, taskId, "release", held, after);
  after = adjustBalance(accountId, -unitsCharged);
  addLedger(accountId, taskId, "charge", unitsCharged, after);
  tx.commit();
  return true;
}

bool SqliteStore::failTask(const std::string& taskId, const std::string& workerId,
                           const std::string& message, const std::string& errorCode) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(db_);
  if (!finishFailed(taskId, workerId, message, errorCode)) return false;
  tx.commit();
  return true;
}

bool SqliteStore::releaseTask(const std::string& taskId, const std::string& workerId) {
  std::lock_guard lock(mutex_);
  return db_.query(
                "UPDATE tasks SET lease_owner = '', lease_expires_at = 0, attempts = attempts - 1 "
                "WHERE id = ? AND lease_owner = ? AND status = 'processing'")
             .bind(taskId)
             .bind(workerId)
             .run() > 0;
}

Counts SqliteStore::counts() {
  std::lock_guard lock(mutex_);
  Counts c;
  for (const char* s : {"submitted", "processing", "succeed", "failed"}) c.tasksByStatus[s] = 0;
  {
    auto q = db_.query("SELECT status, COUNT(*) FROM tasks GROUP BY status");
    while (q.step()) c.tasksByStatus[q.text(0)] = q.integer(1);
  }
  c.queueDepth = c.tasksByStatus["submitted"];
  auto q = db_.query("SELECT COUNT(*) FROM callbacks WHERE state = 'pending'");
  if (q.step()) c.pendingCallbacks = q.integer(0);
  return c;
}

void SqliteStore::createKey(const ApiKey& k) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(db_);
  db_.query(std::string("INSERT INTO keys (") + kKeyColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)")
      .bind(k.id)
      .bind(k.name)
      .bind(k.keyHash)
      .bind(k.keyPrefix)
      .bind(k.accessKey)
      .bind(k.secretKey)
      .bind(k.balance)
      .bind(k.allowedModes)
      .bind(k.revoked)
      .bind(k.disabled)
      .bind(k.createdAt)
      .run();
  if (k.balance) addLedger(k.id, "", "topup", *k.balance, k.balance);
  tx.commit();
}

std::optional<ApiKey> SqliteStore::findKeyByHash(const std::string& keyHash) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  auto q = db.query(std::string("SELECT ") + kKeyColumns + " FROM keys WHERE key_hash = ?")
               .bind(keyHash);
  if (!q.step()) return std::nullopt;
  return readKey(q);
}

std::optional<ApiKey> SqliteStore::findKeyByAccessKey(const std::string& accessKey) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  auto q = db.query(std::string("SELECT ") + kKeyColumns + " FROM keys WHERE access_key = ?")
               .bind(accessKey);
  if (!q.step()) return std::nullopt;
  return readKey(q);
}

std::optional<ApiKey> SqliteStore::findKey(const std::string& idOrName) {
  std::lock_guard lock(mutex_);
  auto q = db_.query(std::string("SELECT ") + kKeyColumns +
                     " FROM keys WHERE id = ? OR name = ? ORDER BY id LIMIT 1")
               .bind(idOrName)
               .bind(idOrName);
  if (!q.step()) return std::nullopt;
  return readKey(q);
}

std::vector<ApiKey> SqliteStore::listKeys() {
  std::lock_guard lock(mutex_);
  auto q = db_.query(std::string("SELECT ") + kKeyColumns + " FROM keys ORDER BY created_at, id");
  std::vector<ApiKey> out;
  while (q.step()) out.push_back(readKey(q));
  return out;
}

bool SqliteStore::revokeKey(const std::string& idOrName) {
  std::lock_guard lock(mutex_);
  return db_.query("UPDATE keys SET revoked = 1 WHERE (id = ? OR name = ?) AND revoked = 0")
             .bind(idOrName)
             .bind(idOrName)
             .run() > 0;
}

bool SqliteStore::setKeyDisabled(const std::string& idOrName, bool disabled) {
  std::lock_guard lock(mutex_);
  return db_.query("UPDATE keys SET disabled = ? WHERE id = ? OR name = ?")
             .bind(disabled)
             .bind(idOrName)
             .bind(idOrName)
             .run() > 0;
}

double SqliteStore::topUp(const std::string& accountId, double units) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(db_);
  const int changed = db_.query("UPDATE keys SET balance = COALESCE(balance, 0) + ? WHERE id = ?")
                          .bind(units)
                          .bind(accountId)
                          .run();
  if (changed == 0)
    throw core::Error(core::ErrorKind::NotFound, "no key with id " + accountId, "key");
  auto q = db_.query("SELECT balance FROM keys WHERE id = ?").bind(accountId);
  q.step();
  const double balance = q.real(0);
  addLedger(accountId, "", "topup", units, balance);
  tx.commit();
  return balance;
}

std::optional<double> SqliteStore::chargeUsage(const std::string& accountId,
                                               const std::string& reference, double units) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(db_);
  const auto after = adjustBalance(accountId, -units);
  addLedger(accountId, reference, "charge", units, after);
  tx.commit();
  return after;
}

std::vector<LedgerEntry> SqliteStore::ledger(const std::string& accountId) {
  std::lock_guard lock(mutex_);
  auto q = db_.query(
                  "SELECT id, account_id, task_id, kind, units, balance_after, created_at FROM "
                  "ledger WHERE account_id = ? ORDER BY id")
               .bind(accountId);
  std::vector<LedgerEntry> out;
  while (q.step()) {
    out.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), q.real(4), q.optionalReal(5),
                   q.integer(6)});
  }
  return out;
}

void SqliteStore::putAudio(const AudioRecord& a) {
  std::lock_guard lock(mutex_);
  db_.query(
         "INSERT INTO audio (id, account_id, file, seconds, source, created_at) VALUES "
         "(?,?,?,?,?,?)")
      .bind(a.id)
      .bind(a.accountId)
      .bind(a.file)
      .bind(a.seconds)
      .bind(a.source)
      .bind(a.createdAt)
      .run();
}

std::optional<AudioRecord> SqliteStore::findAudio(const std::string& id) {
  return audioWhere("id", id);
}

std::optional<AudioRecord> SqliteStore::findAudioByFile(const std::string& file) {
  return audioWhere("file", file);
}

std::optional<AudioRecord> SqliteStore::audioWhere(const char* column, const std::string& value) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  auto q = db.query(std::string("SELECT id, account_id, file, seconds, source, created_at FROM "
                                "audio WHERE ") +
                    column + " = ?")
               .bind(value);
  if (!q.step()) return std::nullopt;
  return AudioRecord{q.text(0), q.text(1), q.text(2), q.real(3), q.text(4), q.integer(5)};
}

void SqliteStore::putUpload(const UploadRecord& u) {
  std::lock_guard lock(mutex_);
  db_.query(
         "INSERT INTO uploads (id, account_id, file, kind, content_type, bytes, width, height, "
         "seconds, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)")
      .bind(u.id)
      .bind(u.accountId)
      .bind(u.file)
      .bind(u.kind)
      .bind(u.contentType)
      .bind(u.bytes)
      .bind(u.width)
      .bind(u.height)
      .bind(u.seconds)
      .bind(u.createdAt)
      .run();
}

std::optional<UploadRecord> SqliteStore::findUpload(const std::string& id) {
  return uploadWhere("id", id);
}

std::optional<UploadRecord> SqliteStore::findUploadByFile(const std::string& file) {
  return uploadWhere("file", file);
}

std::optional<UploadRecord> SqliteStore::uploadWhere(const char* column, const std::string& value) {
  ReadAccess reader(*this);
  sqlite::Database& db = reader.db();
  auto q = db.query(std::string("SELECT id, account_id, file, kind, content_type, bytes, width, "
                                "height, seconds, created_at FROM uploads WHERE ") +
                    column + " = ?")
               .bind(value);
  if (!q.step()) return std::nullopt;
  UploadRecord u;
  u.id = q.text(0);
  u.accountId = q.text(1);
  u.file = q.text(2);
  u.kind = q.text(3);
  u.contentType = q.text(4);
  u.bytes = q.integer(5);
  u.width = static_cast<int>(q.integer(6));
  u.height = static_cast<int>(q.integer(7));
  u.seconds = q.real(8);
  u.createdAt = q.integer(9);
  return u;
}

void SqliteStore::enqueueCallback(const std::string& taskId, const std::string& url,
                                  const std::string& body) {
  std::lock_guard lock(mutex_);
  const Millis now = nowMillis();
  db_.query("INSERT INTO callbacks (task_id, url, body, first_at, next_at) VALUES (?,?,?,?,?)")
      .bind(taskId)
      .bind(url)
      .bind(body)
      .bind(now)
      .bind(now)
      .run();
}

std::optional<CallbackRecord> SqliteStore::claimCallback(Millis inflightMs) {
  std::lock_guard lock(mutex_);
  const Millis now = nowMillis();
  sqlite::Transaction tx(db_);
  CallbackRecord r;
  {
    auto q = db_.query(
                    "SELECT c.id, c.task_id, c.url, c.body, c.attempts, c.first_at, c.next_at "
                    "FROM callbacks c WHERE c.state = 'pending' AND c.next_at <= ? AND NOT EXISTS "
                    "(SELECT 1 FROM callbacks e WHERE e.task_id = c.task_id AND e.id < c.id AND "
                    "e.state = 'pending') ORDER BY c.next_at, c.id LIMIT 1")
                 .bind(now);
    if (!q.step()) return std::nullopt;
    r = {q.integer(0), q.text(1),   q.text(2), q.text(3), static_cast<int>(q.integer(4)),
         q.integer(5), q.integer(6)};
  }
  db_.query("UPDATE callbacks SET next_at = ?, attempts = attempts + 1 WHERE id = ?")
      .bind(now + inflightMs)
      .bind(r.id)
      .run();
  r.attempts += 1;
  tx.commit();
  return r;
}

void SqliteStore::callbackDelivered(int64_t id) {
  std::lock_guard lock(mutex_);
  db_.query("UPDATE callbacks SET state = 'delivered', last_error = '' WHERE id = ?")
      .bind(id)
      .run();
}

void SqliteStore::callbackRetry(int64_t id, Millis nextAttemptAt, const std::string& error) {
  std::lock_guard lock(mutex_);
  db_.query("UPDATE callbacks SET next_at = ?, last_error = ? WHERE id = ?")
      .bind(nextAttemptAt)
      .bind(error)
      .bind(id)
      .run();
}

void SqliteStore::callbackGiveUp(int64_t id, const std::string& error) {
  std::lock_guard lock(mutex_);
  db_.query("UPDATE callbacks SET state = 'dead', last_error = ? WHERE id = ?")
      .bind(error)
      .bind(id)
      .run();
}

std::vector<std::string> SqliteStore::purgeMediaBefore(Millis cutoff) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction tx(db_);
  std::vector<std::string> files;
  {
    auto q = db_.query(std::string("SELECT ") + rows::kTaskMediaColumns + " FROM tasks WHERE " +
                       rows::purgeableTasksWhere("?"))
                 .bind(cutoff);
    while (q.step()) {
      for (int i = 0; i < rows::kTaskMediaColumnCount; ++i) {
        if (!q.text(i).empty()) files.push_back(q.text(i));
      }
    }
  }
  db_.query(std::string("UPDATE tasks SET ") + rows::kClearTaskMedia + " WHERE " +
            rows::purgeableTasksWhere("?"))
      .bind(cutoff)
      .run();
  for (const char* table : {"audio", "uploads"}) {
    auto q =
        db_.query(std::string("SELECT file FROM ") + table + " WHERE created_at < ?").bind(cutoff);
    while (q.step()) files.push_back(q.text(0));
  }
  db_.query("DELETE FROM audio WHERE created_at < ?").bind(cutoff).run();
  db_.query("DELETE FROM uploads WHERE created_at < ?").bind(cutoff).run();
  db_.query("DELETE FROM callbacks WHERE state <> 'pending' AND first_at < ?").bind(cutoff).run();
  tx.commit();
  return files;
}

std::unique_ptr<Store> openStore(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return openPostgresStore(url);
  }
  const std::string path = sqlitePath(url);
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  return std::make_unique<SqliteStore>(path);
}

}  // namespace dh::store
