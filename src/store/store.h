#pragma once
// The service's persistent state behind one interface: tasks and their queue claims (lease +
// heartbeat), API keys with balances, the ledger, TTS/uploaded audio, uploads and the callback
// outbox. SQLite is the default implementation; the interface carries no database types so a
// PostgreSQL implementation can sit behind it.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dh::store {

using Millis = int64_t;  // Unix time in milliseconds

Millis nowMillis();

// Random decimal id of 18 digits (Kling-style task and audio ids), from OpenSSL's CSPRNG.
std::string newId();
// 32 hex digits (128 bits) from OpenSSL's CSPRNG: the name part of a served media file, so that
// nothing about a URL can be guessed from a task id or from other URLs.
std::string newMediaName();
// `bytes` bytes from OpenSSL's CSPRNG as lower-case hex (2 x bytes characters).
std::string randomHex(size_t bytes);

enum class TaskStatus { Submitted, Processing, Succeeded, Failed };
std::string statusName(TaskStatus status);  // "submitted", "processing", "succeed", "failed"
TaskStatus parseStatus(const std::string& name);

struct Task {
  std::string id;
  std::string accountId;       // the key that created it
  std::string externalTaskId;  // caller's id, unique per account; empty when not given
  std::string dialect;         // "kling" or "unified": the API it was created through
  std::string mode = "std";    // "std" or "pro"
  std::string model;           // unified model name ("kling-avatar-v2-standard"), may be empty
  TaskStatus status = TaskStatus::Submitted;
  std::string statusMsg;  // failure reason, empty otherwise
  std::string errorCode;  // machine-readable failure code, empty otherwise
  std::string prompt;
  std::string imagePath;              // file holding the input image
  std::string audioPath;              // file holding the input audio
  double audioSeconds = 0.0;          // decoded input duration
  double declaredAudioSeconds = 0.0;  // unified: what the caller declared, 0 when not given
  bool watermark = false;             // also produce a watermarked copy
  std::string callbackUrl;
  int progress = 0;           // 0..100
  std::string videoFile;      // result file name under the media dir, empty until succeeded
  std::string watermarkFile;  // watermarked copy, empty when none
  // Directory of the task's live stream ("streams/<32 hex digits>", random like result names),
  // chosen at submit; its playlist exists once the render has published a segment. Empty once
  // purged.
  std::string streamDir;
  double videoSeconds = 0.0;
  double unitsHeld = 0.0;     // estimate held at submit
  double unitsCharged = 0.0;  // charged on success
  int attempts = 0;           // claims so far
  std::string leaseOwner;
  Millis leaseExpiresAt = 0;
  Millis createdAt = 0;
  Millis updatedAt = 0;
};

struct ApiKey {
  std::string id;                 // account id
  std::string name;               // operator's label
  std::string keyHash;            // SHA-256 hex of the bearer key; the key itself is never stored
  std::string keyPrefix;          // first characters of the key, to recognise it in listings
  std::string accessKey;          // JWT issuer
  std::string secretKey;          // JWT HS256 secret (needed to verify signatures)
  std::optional<double> balance;  // units; empty = unlimited
  std::string allowedModes = "std,pro";
  bool revoked = false;   // revoked keys fail authentication
  bool disabled = false;  // disabled accounts authenticate but may not submit
  Millis createdAt = 0;
};

struct LedgerEntry {
  int64_t id = 0;
  std::string accountId;
  std::string taskId;  // empty for top-ups
  std::string kind;    // "hold", "release", "charge", "topup"
  double units = 0.0;  // positive amounts; the kind says the direction
  std::optional<double> balanceAfter;
  Millis createdAt = 0;
};

struct AudioRecord {
  std::string id;  // the audio_id
  std::string accountId;
  std::string file;  // file name under the media dir
  double seconds = 0.0;
  std::string source;  // "tts" or "upload"
  Millis createdAt = 0;
};

struct UploadRecord {
  std::string id;
  std::string accountId;
  std::string file;         // file name under the media dir
  std::string kind;         // "image" or "audio"
  std::string contentType;  // "image/png", "audio/wav", ...
  int64_t bytes = 0;
  int width = 0, height = 0;  // images
  double seconds = 0.0;       // audio
  Millis createdAt = 0;
};

struct CallbackRecord {
  int64_t id = 0;
  std::string taskId;
  std::string url;
  std::string body;
  int attempts = 0;
  Millis firstAttemptAt = 0;  // when it was enqueued
  Millis nextAttemptAt = 0;
};

// A claimed task; `resumed` when it had been claimed before (lease lapsed or handed back).
struct Claim {
  Task task;
  bool resumed = false;
};

enum class CreateOutcome { Created, DuplicateExternalId, InsufficientBalance, InArrears };

struct Counts {
  std::map<std::string, int64_t> tasksByStatus;  // status name -> count
  int64_t queueDepth = 0;                        // submitted, waiting for a worker
  int64_t pendingCallbacks = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- tasks and the queue
  // Inserts the task and holds `task.unitsHeld` from the account's balance in one transaction.
  virtual CreateOutcome createTask(const Task& task) = 0;
  virtual std::optional<Task> findTask(const std::string& id) = 0;
  // By task id or external task id, within one account.
  virtual std::optional<Task> findTaskFor(const std::string& accountId,
                                          const std::string& idOrExternal) = 0;
  virtual std::vector<Task> listTasks(const std::string& accountId, int offset, int limit) = 0;
  virtual int64_t countActiveTasks(const std::string& accountId) = 0;

  // Claims the oldest submitted task, or one whose lease lapsed and has attempts left, for
  // `workerId` until now + leaseMs. Increments attempts and sets status processing.
  // `maxRunning` > 0 caps the renders of the whole store: the claim only succeeds while fewer
  // than that many tasks hold a live lease (counted and claimed atomically, across processes).
  virtual std::optional<Claim> claimTask(const std::string& workerId, Millis leaseMs,
                                         int maxAttempts, int maxRunning = 0) = 0;
  // Fails tasks whose lease lapsed after `maxAttempts` claims; returns them as failed.
  virtual std::vector<Task> failExhaustedTasks(int maxAttempts, const std::string& reason) = 0;
  // Extends the lease of the worker's tasks; returns how many it still holds.
  virtual int renewLeases(const std::string& workerId, Millis leaseMs) = 0;
  virtual void updateProgress(const std::string& taskId, const std::string& workerId,
                              int progress) = 0;
  // Final transitions; false when the worker no longer holds the task (lease lost).
  // Success charges `unitsCharged` and returns the rest of the hold; failure returns the hold.
  virtual bool completeTask(const std::string& taskId, const std::string& workerId,
                            const std::string& videoFile, const std::string& watermarkFile,
                            double videoSeconds, double unitsCharged) = 0;
  // `workerId` empty: fail regardless of owner (submit-time failures).
  virtual bool failTask(const std::string& taskId, const std::string& workerId,
                        const std::string& message, const std::string& errorCode) = 0;
  // Hands a claimed task back to the queue without counting the attempt (graceful shutdown).
  virtual bool releaseTask(const std::string& taskId, const std::string& workerId) = 0;
  virtual Counts counts() = 0;

  // --- keys and money
  virtual void createKey(const ApiKey& key) = 0;
  virtual std::optional<ApiKey> findKeyByHash(const std::string& keyHash) = 0;
  virtual std::optional<ApiKey> findKeyByAccessKey(const std::string& accessKey) = 0;
  virtual std::optional<ApiKey> findKey(const std::string& idOrName) = 0;
  virtual std::vector<ApiKey> listKeys() = 0;
  virtual bool revokeKey(const std::string& idOrName) = 0;
  virtual bool setKeyDisabled(const std::string& idOrName, bool disabled) = 0;
  // Adds units (creating a balance on an unlimited key); returns the new balance.
  virtual double topUp(const std::string& accountId, double units) = 0;
  // Charges usage that is no task (the speech of a live session): takes `units` from the balance
  // and records a "charge" under `reference` (one per charge). Returns the balance after
  // (empty = unlimited).
  virtual std::optional<double> chargeUsage(const std::string& accountId,
                                            const std::string& reference, double units) = 0;
  virtual std::vector<LedgerEntry> ledger(const std::string& accountId) = 0;

  // --- audio and uploads
  virtual void putAudio(const AudioRecord& audio) = 0;
  virtual std::optional<AudioRecord> findAudio(const std::string& id) = 0;
  // By the media file name ("audio/<name>.wav"), for URLs of this server given as inputs.
  virtual std::optional<AudioRecord> findAudioByFile(const std::string& file) = 0;
  virtual void putUpload(const UploadRecord& upload) = 0;
  virtual std::optional<UploadRecord> findUpload(const std::string& id) = 0;
  virtual std::optional<UploadRecord> findUploadByFile(const std::string& file) = 0;

  // --- callback outbox
  virtual void enqueueCallback(const std::string& taskId, const std::string& url,
                               const std::string& body) = 0;
  // The oldest due delivery whose task has no earlier pending one; it is hidden from other
  // claimers for `inflightMs`.
  virtual std::optional<CallbackRecord> claimCallback(Millis inflightMs) = 0;
  virtual void callbackDelivered(int64_t id) = 0;
  virtual void callbackRetry(int64_t id, Millis nextAttemptAt, const std::string& error) = 0;
  virtual void callbackGiveUp(int64_t id, const std::string& error) = 0;

  // --- retention: forgets media older than `cutoff` and returns the file names to delete.
  virtual std::vector<std::string> purgeMediaBefore(Millis cutoff) = 0;
};

// Opens the store named by `url`: a file path or "sqlite:PATH". Applies migrations.
std::unique_ptr<Store> openStore(const std::string& url);

}  // namespace dh::store
