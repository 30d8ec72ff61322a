#pragma once
// Store on one SQLite database in WAL mode. Writes go through one connection guarded by a mutex
// (SQLite serialises writers anyway); point reads use a small pool of reader connections, which
// WAL lets run beside the writer, so polling clients do not queue behind submits and workers.
#include <memory>
#include <mutex>
#include <vector>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace dh::store {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path);

  CreateOutcome createTask(const Task& task) override;
  std::optional<Task> findTask(const std::string& id) override;
  std::optional<Task> findTaskFor(const std::string& accountId,
                                  const std::string& idOrExternal) override;
  std::vector<Task> listTasks(const std::string& accountId, int offset, int limit) override;
  int64_t countActiveTasks(const std::string& accountId) override;
  std::optional<Claim> claimTask(const std::string& workerId, Millis leaseMs, int maxAttempts,
                                 int maxRunning) override;
  std::vector<Task> failExhaustedTasks(int maxAttempts, const std::string& reason) override;
  int renewLeases(const std::string& workerId, Millis leaseMs) override;
  void updateProgress(const std::string& taskId, const std::string& workerId,
                      int progress) override;
  bool completeTask(const std::string& taskId, const std::string& workerId,
                    const std::string& videoFile, const std::string& watermarkFile,
                    double videoSeconds, double unitsCharged) override;
  bool failTask(const std::string& taskId, const std::string& workerId, const std::string& message,
                const std::string& errorCode) override;
  bool releaseTask(const std::string& taskId, const std::string& workerId) override;
  Counts counts() override;

  void createKey(const ApiKey& key) override;
  std::optional<ApiKey> findKeyByHash(const std::string& keyHash) override;
  std::optional<ApiKey> findKeyByAccessKey(const std::string& accessKey) override;
  std::optional<ApiKey> findKey(const std::string& idOrName) override;
  std::vector<ApiKey> listKeys() override;
  bool revokeKey(const std::string& idOrName) override;
  bool setKeyDisabled(const std::string& idOrName, bool disabled) override;
  double topUp(const std::string& accountId, double units) override;
  std::optional<double> chargeUsage(const std::string& accountId, const std::string& reference,
                                    double units) override;
  std::vector<LedgerEntry> ledger(const std::string& accountId) override;

  void putAudio(const AudioRecord& audio) override;
  std::optional<AudioRecord> findAudio(const std::string& id) override;
  std::optional<AudioRecord> findAudioByFile(const std::string& file) override;
  void putUpload(const UploadRecord& upload) override;
  std::optional<UploadRecord> findUpload(const std::string& id) override;
  std::optional<UploadRecord> findUploadByFile(const std::string& file) override;

  void enqueueCallback(const std::string& taskId, const std::string& url,
                       const std::string& body) override;
  std::optional<CallbackRecord> claimCallback(Millis inflightMs) override;
  void callbackDelivered(int64_t id) override;
  void callbackRetry(int64_t id, Millis nextAttemptAt, const std::string& error) override;
  void callbackGiveUp(int64_t id, const std::string& error) override;

  std::vector<std::string> purgeMediaBefore(Millis cutoff) override;

 private:
  // The audio or upload row whose `column` ("id" or "file") equals `value`.
  std::optional<AudioRecord> audioWhere(const char* column, const std::string& value);
  std::optional<UploadRecord> uploadWhere(const char* column, const std::string& value);
  // Callers hold mutex_ and an open transaction.
  void addLedger(const std::string& accountId, const std::string& taskId, const std::string& kind,
                 double units, std::optional<double> balanceAfter);
  std::optional<double> adjustBalance(const std::string& accountId, double delta);
  bool finishFailed(const std::string& taskId, const std::string& workerId,
                    const std::string& message, const std::string& errorCode);

  struct Reader {
    explicit Reader(const std::string& path) : db(path) {}
    std::mutex mutex;
    sqlite::Database db;
  };
  // A reader connection (or the writer for in-memory databases), locked while this lives.
  class ReadAccess {
   public:
    explicit ReadAccess(SqliteStore& store);
    sqlite::Database& db() { return *db_; }

   private:
    std::unique_lock<std::mutex> lock_;
    sqlite::Database* db_;
  };

  std::mutex mutex_;
  sqlite::Database db_;
  std::vector<std::unique_ptr<Reader>> readers_;
};

}  // namespace dh::store
