#include "store/migrations.h"

namespace dh::store {

Migration::Migration(const char* portable) : sqlite(portable), postgres(portable) {
  const std::string sqliteKey = "INTEGER PRIMARY KEY", postgresKey = "BIGSERIAL PRIMARY KEY";
  for (size_t at = postgres.find(sqliteKey); at != std::string::npos;
       at = postgres.find(sqliteKey, at + postgresKey.size()))
    postgres.replace(at, sqliteKey.size(), postgresKey);
}

Migration::Migration(const char* sqliteSql, const char* postgresSql)
    : sqlite(sqliteSql), postgres(postgresSql) {}

// Append only: a released step is never edited. Plain SQL that PostgreSQL also accepts, apart
// from the integer key of the append-only tables.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      // 1: keys, tasks, ledger, audio, uploads, callbacks
      R"sql(
CREATE TABLE keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  access_key TEXT NOT NULL UNIQUE,
  secret_key TEXT NOT NULL,
  balance DOUBLE PRECISION,
  allowed_modes TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  external_task_id TEXT NOT NULL DEFAULT '',
  dialect TEXT NOT NULL,
  mode TEXT NOT NULL,
  model TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  status_msg TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  prompt TEXT NOT NULL DEFAULT '',
  image_path TEXT NOT NULL,
  audio_path TEXT NOT NULL,
  audio_seconds DOUBLE PRECISION NOT NULL,
  declared_audio_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
  watermark INTEGER NOT NULL DEFAULT 0,
  callback_url TEXT NOT NULL DEFAULT '',
  progress INTEGER NOT NULL DEFAULT 0,
  video_file TEXT NOT NULL DEFAULT '',
  watermark_file TEXT NOT NULL DEFAULT '',
  video_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
  units_held DOUBLE PRECISION NOT NULL DEFAULT 0,
  units_charged DOUBLE PRECISION NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_expires_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE UNIQUE INDEX tasks_external ON tasks(account_id, external_task_id)
  WHERE external_task_id <> '';
CREATE INDEX tasks_by_account ON tasks(account_id, created_at);
CREATE INDEX tasks_queue ON tasks(status, created_at);
CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL,
  task_id TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  units DOUBLE PRECISION NOT NULL,
  balance_after DOUBLE PRECISION,
  created_at BIGINT NOT NULL);
CREATE UNIQUE INDEX ledger_once_per_task ON ledger(task_id, kind) WHERE task_id <> '';
CREATE INDEX ledger_by_account ON ledger(account_id, id);
CREATE TABLE audio (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  file TEXT NOT NULL,
  seconds DOUBLE PRECISION NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  content_type TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL);
CREATE TABLE callbacks (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  first_at BIGINT NOT NULL,
  next_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX callbacks_due ON callbacks(state, next_at);
CREATE INDEX callbacks_by_task ON callbacks(task_id, id);
)sql",
      // 2: uploads and audio are also found by their random file name (URLs of this server)
      R"sql(
CREATE INDEX uploads_by_file ON uploads(file);
CREATE INDEX audio_by_file ON audio(file);
)sql",
      // 3: each task's live stream directory (random name, chosen at submit)
      R"sql(
ALTER TABLE tasks ADD COLUMN stream_dir TEXT NOT NULL DEFAULT '';
)sql",
  };
  return steps;
}

}  // namespace dh::store
