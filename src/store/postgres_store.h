#pragma once
// Store on a PostgreSQL server, shared by several `dh serve` and `dh worker` processes on any
// host. Claims take the oldest claimable task with SELECT ... FOR UPDATE SKIP LOCKED, so
// concurrent claimers never wait on each other and never get the same task; money moves in the
// same transaction as the task transition. New and handed-back tasks are announced with
// NOTIFY so that idle workers elsewhere wake at once instead of at their next poll.
#include <atomic>
#include <functional>
#include <thread>

#include "store/postgres_db.h"
#include "store/store.h"

namespace dh::store {

struct PostgresConfig {
  std::string url;         // postgresql://user[:password]@host[:port]/database[?params]
  size_t connections = 8;  // pool size per process
};

class PostgresStore final : public Store {
 public:
  // Connects and applies the migrations not yet applied (serialised across processes).
  explicit PostgresStore(PostgresConfig config);
  ~PostgresStore() override;

  // Calls `wake` (from a listener thread) whenever a task becomes claimable in any process.
  void onNewWork(std::function<void()> wake);

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
  void migrate();
  void listenLoop();
  // Inside an open transaction on `conn`.
  std::optional<double> adjustBalance(pg::Connection& conn, const std::string& accountId,
                                      double delta);
  void addLedger(pg::Connection& conn, const std::string& accountId, const std::string& taskId,
                 const std::string& kind, double units, std::optional<double> balanceAfter);
  // Fails a submitted/processing task and returns its hold; false when it is not (or no longer)
  // `workerId`'s (any owner when `workerId` is empty).
  bool finishFailed(pg::Connection& conn, const std::string& taskId, const std::string& workerId,
                    const std::string& message, const std::string& errorCode);

  PostgresConfig config_;
  pg::Pool pool_;
  std::function<void()> wake_;
  std::atomic<bool> stopping_{false};
  std::thread listener_;
};

// `url` is postgresql://... or postgres://...
std::unique_ptr<Store> openPostgresStore(const std::string& url);

}  // namespace dh::store
