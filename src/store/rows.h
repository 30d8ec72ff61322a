#pragma once
// The row mapping both engines share: one column list per table, one reader and one writer of
// its values in that order, and the SQL filters whose drift between the engines would lose data.
// Internal to the store library.
#include <optional>
#include <string>

#include "store/store.h"

namespace dh::store::rows {

// The columns of `tasks`, in the order readTask() reads and forEachTaskValue() writes them.
inline constexpr const char* kTaskColumns =
    "id, account_id, external_task_id, dialect, mode, model, status, status_msg, error_code, "
    "prompt, image_path, audio_path, audio_seconds, declared_audio_seconds, watermark, "
    "callback_url, progress, video_file, watermark_file, video_seconds, units_held, "
    "units_charged, attempts, lease_owner, lease_expires_at, created_at, updated_at, stream_dir";
inline constexpr int kTaskColumnCount = 28;

// The columns of `api_keys`, in the order readKey() reads them.
inline constexpr const char* kKeyColumns =
    "id, name, key_hash, key_prefix, access_key, secret_key, balance, allowed_modes, revoked, "
    "disabled, created_at";

// The media columns of a task that retention deletes, and the tasks that still hold any:
// finished before the cutoff (the engine's placeholder for it is `cutoff`) with at least one of
// those columns set.
// A live stream is a directory (MediaStore::remove deletes it with its files).
inline constexpr const char* kTaskMediaColumns =
    "video_file, watermark_file, image_path, audio_path, stream_dir";
inline constexpr int kTaskMediaColumnCount = 5;
inline constexpr const char* kClearTaskMedia =
    "video_file = '', watermark_file = '', image_path = '', audio_path = '', stream_dir = ''";
inline std::string purgeableTasksWhere(const std::string& cutoff) {
  return "created_at < " + cutoff +
         " AND status IN ('succeed', 'failed') AND (video_file <> '' OR watermark_file <> '' OR "
         "image_path <> '' OR audio_path <> '' OR stream_dir <> '')";
}

// A Task from the row `r`, whose first kTaskColumnCount columns are kTaskColumns. `Row` gives
// text(i), integer(i) and real(i) of column i (the engines' adapters below).
template <class Row>
Task readTask(const Row& r) {
  Task t;
  t.id = r.text(0);
  t.accountId = r.text(1);
  t.externalTaskId = r.text(2);
  t.dialect = r.text(3);
  t.mode = r.text(4);
  t.model = r.text(5);
  t.status = parseStatus(r.text(6));
  t.statusMsg = r.text(7);
  t.errorCode = r.text(8);
  t.prompt = r.text(9);
  t.imagePath = r.text(10);
  t.audioPath = r.text(11);
  t.audioSeconds = r.real(12);
  t.declaredAudioSeconds = r.real(13);
  t.watermark = r.integer(14) != 0;
  t.callbackUrl = r.text(15);
  t.progress = static_cast<int>(r.integer(16));
  t.videoFile = r.text(17);
  t.watermarkFile = r.text(18);
  t.videoSeconds = r.real(19);
  t.unitsHeld = r.real(20);
  t.unitsCharged = r.real(21);
  t.attempts = static_cast<int>(r.integer(22));
  t.leaseOwner = r.text(23);
  t.leaseExpiresAt = r.integer(24);
  t.createdAt = r.integer(25);
  t.updatedAt = r.integer(26);
  t.streamDir = r.text(27);
  return t;
}

// Calls `bind` with each value of `t` in kTaskColumns order (std::string, double, bool, int or
// int64_t), for an INSERT of every column.
template <class Bind>
void forEachTaskValue(const Task& t, Bind&& bind) {
  bind(t.id);
  bind(t.accountId);
  bind(t.externalTaskId);
  bind(t.dialect);
  bind(t.mode);
  bind(t.model);
  bind(std::string(statusName(t.status)));
  bind(t.statusMsg);
  bind(t.errorCode);
  bind(t.prompt);
  bind(t.imagePath);
  bind(t.audioPath);
  bind(t.audioSeconds);
  bind(t.declaredAudioSeconds);
  bind(t.watermark);
  bind(t.callbackUrl);
  bind(t.progress);
  bind(t.videoFile);
  bind(t.watermarkFile);
  bind(t.videoSeconds);
  bind(t.unitsHeld);
  bind(t.unitsCharged);
  bind(t.attempts);
  bind(t.leaseOwner);
  bind(t.leaseExpiresAt);
  bind(t.createdAt);
  bind(t.updatedAt);
  bind(t.streamDir);
}

// An ApiKey from the row `r`, whose first columns are kKeyColumns.
template <class Row>
ApiKey readKey(const Row& r) {
  ApiKey k;
  k.id = r.text(0);
  k.name = r.text(1);
  k.keyHash = r.text(2);
  k.keyPrefix = r.text(3);
  k.accessKey = r.text(4);
  k.secretKey = r.text(5);
  k.balance = r.optionalReal(6);
  k.allowedModes = r.text(7);
  k.revoked = r.integer(8) != 0;
  k.disabled = r.integer(9) != 0;
  k.createdAt = r.integer(10);
  return k;
}

}  // namespace dh::store::rows
