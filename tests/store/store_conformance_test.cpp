// The same store contract checked against SQLite and against a real PostgreSQL server: task
// round trips, claims with leases, heartbeats and re-claims, money moved with the transitions,
// keys, callbacks, retention, and many concurrent claimers getting every task exactly once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/error.h"
#include "pg_test_db.h"
#include "store/migrations.h"
#include "store/store.h"
#include "support/test_paths.h"

namespace dh::store {
namespace {

using namespace std::chrono_literals;

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ =
        GetParam() == "sqlite" ? test::scratchDir() + "/store.sqlite" : test::freshPostgresSchema();
    store_ = openStore(url_);
  }

  // Another connection to the same database, as another process would hold.
  std::unique_ptr<Store> openAnother() const { return openStore(url_); }

  ApiKey key(const std::string& name, std::optional<double> balance) {
    ApiKey k;
    k.id = "acct-" + name;
    k.name = name;
    k.keyHash = "hash-" + name;
    k.keyPrefix = "dh_" + name.substr(0, 3);
    k.accessKey = "ak-" + name;
    k.secretKey = "sk-" + name;
    k.balance = balance;
    k.createdAt = nowMillis();
    store_->createKey(k);
    return k;
  }

  Task task(const std::string& accountId, Millis createdAt, double held = 1.0) {
    Task t;
    t.id = newId();
    t.accountId = accountId;
    t.dialect = "kling";
    t.imagePath = "inputs/" + t.id + ".png";
    t.audioPath = "inputs/" + t.id + ".wav";
    t.audioSeconds = 2.5;
    t.unitsHeld = held;
    t.createdAt = createdAt;
    t.updatedAt = createdAt;
    return t;
  }

  Task submitted(const std::string& accountId, Millis createdAt, double held = 1.0) {
    Task t = task(accountId, createdAt, held);
    EXPECT_EQ(store_->createTask(t), CreateOutcome::Created);
    return t;
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformance, TaskRoundTripsEveryField) {
  key("alice", std::nullopt);
  Task t = task("acct-alice", 1'700'000'000'123);
  t.externalTaskId = "ext-1";
  t.dialect = "unified";
  t.mode = "pro";
  t.model = "kling-avatar-v2-pro";
  t.prompt = "a calm news anchor, 'quoted' \"text\" and ünïcode";
  t.declaredAudioSeconds = 2.25;
  t.watermark = true;
  t.callbackUrl = "http://127.0.0.1:9/hook";
  t.unitsHeld = 0.1 + 0.2;  // not representable exactly: must survive the round trip bit-exact
  ASSERT_EQ(store_->createTask(t), CreateOutcome::Created);

  const auto found = store_->findTask(t.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->accountId, "acct-alice");
  EXPECT_EQ(found->externalTaskId, "ext-1");
  EXPECT_EQ(found->dialect, "unified");
  EXPECT_EQ(found->mode, "pro");
  EXPECT_EQ(found->model, "kling-avatar-v2-pro");
  EXPECT_EQ(found->status, TaskStatus::Submitted);
  EXPECT_EQ(found->prompt, t.prompt);
  EXPECT_EQ(found->imagePath, t.imagePath);
  EXPECT_EQ(found->audioPath, t.audioPath);
  EXPECT_DOUBLE_EQ(found->audioSeconds, 2.5);
  EXPECT_DOUBLE_EQ(found->declaredAudioSeconds, 2.25);
  EXPECT_TRUE(found->watermark);
  EXPECT_EQ(found->callbackUrl, t.callbackUrl);
  EXPECT_EQ(found->unitsHeld, t.unitsHeld);
  EXPECT_EQ(found->createdAt, 1'700'000'000'123);
  EXPECT_FALSE(store_->findTask("no-such-task"));

  // By external id, only within the owning account.
  const auto byExternal = store_->findTaskFor("acct-alice", "ext-1");
  ASSERT_TRUE(byExternal);
  EXPECT_EQ(byExternal->id, t.id);
  EXPECT_FALSE(store_->findTaskFor("acct-bob", "ext-1"));
  EXPECT_FALSE(store_->findTaskFor("acct-bob", t.id));
}

TEST_P(StoreConformance, ExternalIdIsUniquePerAccount) {
  key("alice", std::nullopt);
  key("bob", std::nullopt);
  Task a = task("acct-alice", 1000);
  a.externalTaskId = "order-7";
  ASSERT_EQ(store_->createTask(a), CreateOutcome::Created);
  Task again = task("acct-alice", 1001);
  again.externalTaskId = "order-7";
  EXPECT_EQ(store_->createTask(again), CreateOutcome::DuplicateExternalId);
  Task other = task("acct-bob", 1002);
  other.externalTaskId = "order-7";
  EXPECT_EQ(store_->createTask(other), CreateOutcome::Created);
  EXPECT_FALSE(store_->findTask(again.id));
}

TEST_P(StoreConformance, ListsNewestFirstWithPaging) {
  key("alice", std::nullopt);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(submitted("acct-alice", 1000 + i).id);
  const auto first = store_->listTasks("acct-alice", 0, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, ids[4]);
  EXPECT_EQ(first[1].id, ids[3]);
  const auto last = store_->listTasks("acct-alice", 4, 2);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].id, ids[0]);
  EXPECT_TRUE(store_->listTasks("acct-bob", 0, 10).empty());
  EXPECT_EQ(store_->countActiveTasks("acct-alice"), 5);
}

TEST_P(StoreConformance, HoldsRefuseInsufficientBalanceAndArrears) {
  key("alice", 2.0);
  EXPECT_EQ(store_->createTask(task("acct-alice", 1000, 1.5)), CreateOutcome::Created);
  EXPECT_EQ(store_->createTask(task("acct-alice", 1001, 1.0)), CreateOutcome::InsufficientBalance);
  EXPECT_DOUBLE_EQ(*store_->findKey("alice")->balance, 0.5);
  // A charge above the hold drives the balance negative: the account is then in arrears.
  const auto claim = store_->claimTask("w1", 60000, 3);
  ASSERT_TRUE(claim);
  ASSERT_TRUE(store_->completeTask(claim->task.id, "w1", "videos/a.mp4", "", 5.0, 2.5));
  EXPECT_DOUBLE_EQ(*store_->findKey("alice")->balance, -0.5);
  EXPECT_EQ(store_->createTask(task("acct-alice", 1002, 0.0)), CreateOutcome::InArrears);
}

TEST_P(StoreConformance, ClaimsOldestFirstWithLease) {
  key("alice", std::nullopt);
  const Task late = submitted("acct-alice", 2000);
  const Task early = submitted("acct-alice", 1000);
  const Millis before = nowMillis();
  const auto claim = store_->claimTask("host:1/0", 30000, 3);
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->task.id, early.id);
  EXPECT_FALSE(claim->resumed);
  EXPECT_EQ(claim->task.status, TaskStatus::Processing);
  EXPECT_EQ(claim->task.attempts, 1);
  EXPECT_EQ(claim->task.leaseOwner, "host:1/0");
  EXPECT_GE(claim->task.leaseExpiresAt, before + 30000);
  EXPECT_LE(claim->task.leaseExpiresAt, nowMillis() + 30000);
  const auto second = store_->claimTask("host:1/1", 30000, 3);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->task.id, late.id);
  EXPECT_FALSE(store_->claimTask("host:1/2", 30000, 3));
  const auto counts = store_->counts();
  EXPECT_EQ(counts.tasksByStatus.at("processing"), 2);
  EXPECT_EQ(counts.queueDepth, 0);
}

TEST_P(StoreConformance, LapsedLeaseIsClaimedAgainAndTheOldOwnerLosesIt) {
  key("alice", std::nullopt);
  const Task t = submitted("acct-alice", 1000);
  ASSERT_TRUE(store_->claimTask("dead-worker", 100, 3));
  EXPECT_FALSE(store_->claimTask("other", 100, 3)) << "the lease has not lapsed yet";
  std::this_thread::sleep_for(250ms);
  const auto again = openAnother()->claimTask("other", 30000, 3);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->task.id, t.id);
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(again->task.attempts, 2);
  EXPECT_EQ(again->task.leaseOwner, "other");
  // The first worker comes back: it no longer holds the task.
  EXPECT_EQ(store_->renewLeases("dead-worker", 30000), 0);
  store_->updateProgress(t.id, "dead-worker", 90);
  EXPECT_FALSE(store_->completeTask(t.id, "dead-worker", "videos/x.mp4", "", 2.5, 1.0));
  EXPECT_FALSE(store_->failTask(t.id, "dead-worker", "boom", "internal_error"));
  store_->updateProgress(t.id, "other", 40);
  EXPECT_EQ(store_->findTask(t.id)->progress, 40);
  EXPECT_TRUE(store_->completeTask(t.id, "other", "videos/x.mp4", "", 2.5, 1.0));
  EXPECT_EQ(store_->findTask(t.id)->status, TaskStatus::Succeeded);
}

TEST_P(StoreConformance, HeartbeatsKeepTheLease) {
  key("alice", std::nullopt);
  const Task t = submitted("acct-alice", 1000);
  ASSERT_TRUE(store_->claimTask("w1", 300, 3));
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(150ms);
    EXPECT_EQ(store_->renewLeases("w1", 300), 1);
  }
  EXPECT_FALSE(store_->claimTask("w2", 300, 3)) << "600 ms after a 300 ms lease, renewed";
  EXPECT_EQ(store_->findTask(t.id)->leaseOwner, "w1");
}

TEST_P(StoreConformance, ExhaustedTasksFailAndReturnTheirHold) {
  key("alice", 10.0);
  const Task t = submitted("acct-alice", 1000, 4.0);
  ASSERT_TRUE(store_->claimTask("w1", 50, 2));
  std::this_thread::sleep_for(120ms);
  ASSERT_TRUE(store_->claimTask("w2", 50, 2));
  std::this_thread::sleep_for(120ms);
  EXPECT_FALSE(store_->claimTask("w3", 50, 2)) << "two attempts used";
  const auto failed = store_->failExhaustedTasks(2, "worker died twice");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, t.id);
  EXPECT_EQ(failed[0].status, TaskStatus::Failed);
  EXPECT_EQ(failed[0].statusMsg, "worker died twice");
  EXPECT_EQ(failed[0].errorCode, "worker_lost");
  EXPECT_TRUE(store_->failExhaustedTasks(2, "again").empty());
  EXPECT_DOUBLE_EQ(*store_->findKey("acct-alice")->balance, 10.0);
}

TEST_P(StoreConformance, SuccessChargesAndReleasesTheHoldInTheLedger) {
  key("alice", 10.0);
  const Task t = submitted("acct-alice", 1000, 3.0);
  EXPECT_DOUBLE_EQ(*store_->findKey("alice")->balance, 7.0);
  const auto claim = store_->claimTask("w1", 30000, 3);
  ASSERT_TRUE(claim);
  ASSERT_TRUE(store_->completeTask(t.id, "w1", "videos/t.mp4", "videos/t-wm.mp4", 2.48, 0.992));
  const auto done = store_->findTask(t.id);
  EXPECT_EQ(done->status, TaskStatus::Succeeded);
  EXPECT_EQ(done->progress, 100);
  EXPECT_EQ(done->videoFile, "videos/t.mp4");
  EXPECT_EQ(done->watermarkFile, "videos/t-wm.mp4");
  EXPECT_DOUBLE_EQ(done->videoSeconds, 2.48);
  EXPECT_DOUBLE_EQ(done->unitsCharged, 0.992);
  EXPECT_TRUE(done->leaseOwner.empty());
  EXPECT_NEAR(*store_->findKey("alice")->balance, 10.0 - 0.992, 1e-9);
  const auto entries = store_->ledger("acct-alice");
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].kind, "topup");
  EXPECT_EQ(entries[1].kind, "hold");
  EXPECT_DOUBLE_EQ(entries[1].units, 3.0);
  EXPECT_DOUBLE_EQ(*entries[1].balanceAfter, 7.0);
  EXPECT_EQ(entries[2].kind, "release");
  EXPECT_DOUBLE_EQ(*entries[2].balanceAfter, 10.0);
  EXPECT_EQ(entries[3].kind, "charge");
  EXPECT_EQ(entries[3].taskId, t.id);
  EXPECT_LT(entries[2].id, entries[3].id);
  // Completing twice is refused; the ledger holds one charge.
  EXPECT_FALSE(store_->completeTask(t.id, "w1", "videos/t.mp4", "", 2.48, 0.992));
  EXPECT_EQ(store_->ledger("acct-alice").size(), 4u);
}

TEST_P(StoreConformance, FailureReturnsTheHold) {
  key("alice", 5.0);
  const Task running = submitted("acct-alice", 1000, 2.0);
  const Task queued = submitted("acct-alice", 2000, 1.0);
  ASSERT_TRUE(store_->claimTask("w1", 30000, 3));
  EXPECT_FALSE(store_->failTask(running.id, "w2", "not mine", "internal_error"));
  ASSERT_TRUE(store_->failTask(running.id, "w1", "no face found", "content_rejected"));
  // Submit-time failure: no owner needed.
  ASSERT_TRUE(store_->failTask(queued.id, "", "audio too short", "invalid_input"));
  const auto failed = store_->findTask(running.id);
  EXPECT_EQ(failed->status, TaskStatus::Failed);
  EXPECT_EQ(failed->statusMsg, "no face found");
  EXPECT_EQ(failed->errorCode, "content_rejected");
  EXPECT_DOUBLE_EQ(*store_->findKey("alice")->balance, 5.0);
  EXPECT_EQ(store_->countActiveTasks("acct-alice"), 0);
}

TEST_P(StoreConformance, ReleasedTaskIsClaimedAgainWithoutUsingAnAttempt) {
  key("alice", std::nullopt);
  const Task t = submitted("acct-alice", 1000);
  ASSERT_TRUE(store_->claimTask("w1", 30000, 1));
  EXPECT_FALSE(store_->releaseTask(t.id, "w2"));
  ASSERT_TRUE(store_->releaseTask(t.id, "w1"));
  const auto again = store_->claimTask("w2", 30000, 1);
  ASSERT_TRUE(again) << "a handed-back task does not count against max attempts";
  EXPECT_EQ(again->task.id, t.id);
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(again->task.attempts, 1);
}

TEST_P(StoreConformance, KeysAreFoundRevokedDisabledAndToppedUp) {
  const ApiKey alice = key("alice", std::nullopt);
  key("bob", 1.0);
  EXPECT_EQ(store_->findKeyByHash("hash-alice")->id, alice.id);
  EXPECT_EQ(store_->findKeyByAccessKey("ak-alice")->secretKey, "sk-alice");
  EXPECT_EQ(store_->findKey("alice")->id, alice.id);
  EXPECT_EQ(store_->findKey(alice.id)->name, "alice");
  EXPECT_FALSE(store_->findKey("carol"));
  EXPECT_FALSE(store_->findKey("alice")->balance) << "unlimited";
  EXPECT_EQ(store_->listKeys().size(), 2u);
  EXPECT_TRUE(store_->revokeKey("alice"));
  EXPECT_FALSE(store_->revokeKey("alice"));
  EXPECT_TRUE(store_->findKeyByHash("hash-alice")->revoked);
  EXPECT_TRUE(store_->setKeyDisabled("bob", true));
  EXPECT_TRUE(store_->findKey("bob")->disabled);
  EXPECT_DOUBLE_EQ(store_->topUp(alice.id, 2.5), 2.5);
  EXPECT_DOUBLE_EQ(store_->topUp("acct-bob", 1.25), 2.25);
  EXPECT_THROW(store_->topUp("acct-nobody", 1.0), core::Error);
  const auto entries = store_->ledger("acct-bob");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_DOUBLE_EQ(*entries[1].balanceAfter, 2.25);
}

TEST_P(StoreConformance, AudioAndUploadsRoundTrip) {
  store_->putAudio({"9001", "acct-alice", "audio/9001.wav", 3.25, "tts", 1234});
  const auto audio = store_->findAudio("9001");
  ASSERT_TRUE(audio);
  EXPECT_EQ(audio->file, "audio/9001.wav");
  EXPECT_DOUBLE_EQ(audio->seconds, 3.25);
  EXPECT_EQ(audio->source, "tts");
  EXPECT_FALSE(store_->findAudio("9002"));
  UploadRecord u;
  u.id = "up1";
  u.accountId = "acct-alice";
  u.file = "uploads/up1.png";
  u.kind = "image";
  u.contentType = "image/png";
  u.bytes = 5'000'000'000;  // beyond 32 bits
  u.width = 640;
  u.height = 480;
  u.createdAt = 99;
  store_->putUpload(u);
  const auto found = store_->findUpload("up1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->bytes, 5'000'000'000);
  EXPECT_EQ(found->width, 640);
  EXPECT_EQ(found->contentType, "image/png");
  // URLs of this server name the file, not the id.
  const auto byFile = store_->findUploadByFile("uploads/up1.png");
  ASSERT_TRUE(byFile);
  EXPECT_EQ(byFile->id, "up1");
  EXPECT_EQ(byFile->width, 640);
  EXPECT_FALSE(store_->findUploadByFile("uploads/up1.jpg"));
  EXPECT_FALSE(store_->findUploadByFile("up1"));
  const auto audioByFile = store_->findAudioByFile("audio/9001.wav");
  ASSERT_TRUE(audioByFile);
  EXPECT_EQ(audioByFile->id, "9001");
  EXPECT_DOUBLE_EQ(audioByFile->seconds, 3.25);
  EXPECT_FALSE(store_->findAudioByFile("9001"));
}

TEST_P(StoreConformance, CallbacksOfOneTaskAreDeliveredInOrder) {
  store_->enqueueCallback("task-a", "http://h/hook", R"({"task_status":"processing"})");
  store_->enqueueCallback("task-a", "http://h/hook", R"({"task_status":"succeed"})");
  store_->enqueueCallback("task-b", "http://h/hook", R"({"task_status":"failed"})");
  const auto first = store_->claimCallback(60000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->taskId, "task-a");
  EXPECT_EQ(first->body, R"({"task_status":"processing"})");
  EXPECT_EQ(first->attempts, 1);
  const auto second = store_->claimCallback(60000);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->taskId, "task-b") << "task-a's later delivery waits for its first";
  EXPECT_FALSE(store_->claimCallback(60000));
  EXPECT_EQ(store_->counts().pendingCallbacks, 3);
  store_->callbackRetry(first->id, nowMillis() - 1, "HTTP 500");
  const auto retried = store_->claimCallback(60000);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->id, first->id);
  EXPECT_EQ(retried->attempts, 2);
  store_->callbackDelivered(first->id);
  store_->callbackGiveUp(second->id, "gone");
  const auto next = store_->claimCallback(60000);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, R"({"task_status":"succeed"})");
  EXPECT_EQ(store_->counts().pendingCallbacks, 1);
}

TEST_P(StoreConformance, PurgeForgetsOldMediaOnly) {
  key("alice", std::nullopt);
  const Millis now = nowMillis();
  const Task old = submitted("acct-alice", now - 40LL * 86400000);
  const Task recent = submitted("acct-alice", now);
  ASSERT_TRUE(store_->claimTask("w1", 30000, 3));
  ASSERT_TRUE(store_->completeTask(old.id, "w1", "videos/old.mp4", "", 2.5, 1.0));
  store_->putAudio({"a-old", "acct-alice", "audio/old.wav", 3.0, "tts", now - 40LL * 86400000});
  store_->putAudio({"a-new", "acct-alice", "audio/new.wav", 3.0, "tts", now});
  auto files = store_->purgeMediaBefore(now - 30LL * 86400000);
  std::sort(files.begin(), files.end());
  const std::vector<std::string> expected = {"audio/old.wav", old.audioPath, old.imagePath,
                                             "videos/old.mp4"};
  auto sortedExpected = expected;
  std::sort(sortedExpected.begin(), sortedExpected.end());
  EXPECT_EQ(files, sortedExpected);
  EXPECT_TRUE(store_->findTask(old.id)->videoFile.empty());
  EXPECT_EQ(store_->findTask(recent.id)->imagePath, recent.imagePath);
  EXPECT_FALSE(store_->findAudio("a-old"));
  EXPECT_TRUE(store_->findAudio("a-new"));
  EXPECT_TRUE(store_->purgeMediaBefore(now - 30LL * 86400000).empty());
}

// Every media column of a finished task counts on both engines: a task whose only file left is
// its audio (a failed task without an image) gives that file back, or it would stay on disk
// forever while the row forgets it. (SQLite once checked only video and image.)
TEST_P(StoreConformance, PurgeGivesBackATaskWhoseOnlyFileIsItsAudio) {
  key("alice", std::nullopt);
  const Millis now = nowMillis();
  Task audioOnly = task("acct-alice", now - 40LL * 86400000, 0.0);
  audioOnly.imagePath = "";
  audioOnly.status = TaskStatus::Failed;
  audioOnly.errorCode = "content_rejected";
  ASSERT_EQ(store_->createTask(audioOnly), CreateOutcome::Created);
  Task imageOnly = task("acct-alice", now - 40LL * 86400000, 0.0);
  imageOnly.audioPath = "";
  imageOnly.status = TaskStatus::Failed;
  ASSERT_EQ(store_->createTask(imageOnly), CreateOutcome::Created);
  auto files = store_->purgeMediaBefore(now - 30LL * 86400000);
  std::sort(files.begin(), files.end());
  std::vector<std::string> expected = {audioOnly.audioPath, imageOnly.imagePath};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(files, expected);
  EXPECT_TRUE(store_->findTask(audioOnly.id)->audioPath.empty());
  EXPECT_TRUE(store_->findTask(imageOnly.id)->imagePath.empty());
  EXPECT_EQ(store_->findTask(audioOnly.id)->errorCode, "content_rejected");
  EXPECT_TRUE(store_->purgeMediaBefore(now - 30LL * 86400000).empty());
}

TEST_P(StoreConformance, ReopeningAppliesNoMigrationTwice) {
  key("alice", 3.0);
  auto reopened = openAnother();
  EXPECT_DOUBLE_EQ(*reopened->findKey("alice")->balance, 3.0);
  EXPECT_FALSE(migrations().empty());
}

// Several claimers, each on its own connection as separate processes would be, drain one
// queue while tasks are still being added: every task is claimed exactly once.
TEST_P(StoreConformance, ConcurrentClaimersGetEachTaskExactlyOnce) {
  key("alice", std::nullopt);
  constexpr int kTasks = 240, kClaimers = 6;
  std::set<std::string> created;
  for (int i = 0; i < kTasks / 2; ++i) created.insert(submitted("acct-alice", 1000 + i).id);
  std::mutex mutex;
  std::map<std::string, int> claimedBy;
  std::atomic<int> claims{0};
  std::atomic<bool> producing{true};
  std::vector<std::thread> threads;
  std::vector<std::string> errors;
  for (int c = 0; c < kClaimers; ++c) {
    threads.emplace_back([&, c] {
      try {
        auto mine = openAnother();
        const std::string worker = "w" + std::to_string(c);
        while (true) {
          const auto claim = mine->claimTask(worker, 60000, 3);
          if (!claim) {
            if (!producing.load() && claims.load() >= kTasks) break;
            if (!producing.load() && mine->counts().queueDepth == 0) break;
            std::this_thread::sleep_for(2ms);
            continue;
          }
          ++claims;
          {
            std::lock_guard lock(mutex);
            claimedBy[claim->task.id] += 1;
          }
          if (!mine->completeTask(claim->task.id, worker, "videos/" + claim->task.id + ".mp4", "",
                                  2.5, 1.0)) {
            std::lock_guard lock(mutex);
            errors.push_back("lost lease on " + claim->task.id);
          }
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        errors.push_back(e.what());
      }
    });
  }
  {
    auto producer = openAnother();
    for (int i = kTasks / 2; i < kTasks; ++i) {
      Task t = task("acct-alice", 1000 + i);
      ASSERT_EQ(producer->createTask(t), CreateOutcome::Created);
      std::lock_guard lock(mutex);
      created.insert(t.id);
    }
  }
  producing = false;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(claimedBy.size(), static_cast<size_t>(kTasks));
  for (const auto& [id, count] : claimedBy) {
    EXPECT_EQ(count, 1) << id;
    EXPECT_TRUE(created.count(id)) << id;
  }
  const auto counts = store_->counts();
  EXPECT_EQ(counts.tasksByStatus.at("succeed"), kTasks);
  EXPECT_EQ(counts.queueDepth, 0);
}

TEST_P(StoreConformance, RenderCapStopsClaimsAtNAndResumesAfterAFinishOrALapse) {
  key("alice", std::nullopt);
  std::vector<Task> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(submitted("acct-alice", 1000 + i));
  auto other = openAnother();  // as another process would hold
  const auto a = store_->claimTask("w1", 30000, 3, 2);
  const auto b = other->claimTask("w2", 400, 3, 2);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(store_->claimTask("w3", 30000, 3, 2)) << "two renders hold a live lease";
  EXPECT_FALSE(other->claimTask("w3", 30000, 3, 2)) << "the cap counts every process's claims";
  EXPECT_EQ(store_->counts().queueDepth, 3);

  // A finished render frees its place.
  ASSERT_TRUE(store_->completeTask(a->task.id, "w1", "videos/a.mp4", "", 2.5, 1.0));
  const auto c = other->claimTask("w3", 30000, 3, 2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->task.id, tasks[2].id);
  EXPECT_FALSE(store_->claimTask("w4", 30000, 3, 2));

  // So does a lapsed lease (its worker died): the lapsed task is the oldest claimable.
  std::this_thread::sleep_for(700ms);
  const auto d = store_->claimTask("w4", 30000, 3, 2);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->task.id, b->task.id);
  EXPECT_TRUE(d->resumed);
  EXPECT_FALSE(store_->claimTask("w5", 30000, 3, 2));

  // And a task handed back on shutdown; a higher cap or none admits more at once.
  ASSERT_TRUE(store_->releaseTask(c->task.id, "w3"));
  const auto e = store_->claimTask("w5", 30000, 3, 2);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->task.id, c->task.id);
  EXPECT_FALSE(store_->claimTask("w6", 30000, 3, 2));
  EXPECT_TRUE(store_->claimTask("w6", 30000, 3, 3));
  EXPECT_TRUE(store_->claimTask("w7", 30000, 3));
  EXPECT_EQ(store_->counts().tasksByStatus.at("processing"), 4);
}

TEST_P(StoreConformance, RenderCapHoldsUnderConcurrentClaimersOnSeparateConnections) {
  key("alice", std::nullopt);
  constexpr int kTasks = 30, kClaimers = 6, kCap = 2;
  for (int i = 0; i < kTasks; ++i) submitted("acct-alice", 1000 + i);
  std::atomic<int> holding{0}, maxHolding{0}, finished{0};
  std::mutex mutex;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int c = 0; c < kClaimers; ++c) {
    threads.emplace_back([&, c] {
      try {
        auto mine = openAnother();
        const std::string worker = "w" + std::to_string(c);
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (finished.load() < kTasks && std::chrono::steady_clock::now() < deadline) {
          const auto claim = mine->claimTask(worker, 60000, 3, kCap);
          if (!claim) {
            std::this_thread::sleep_for(1ms);
            continue;
          }
          // Counted after the claim committed and uncounted before the finish: never more
          // than the store itself counts as running.
          const int now = ++holding;
          int seen = maxHolding.load();
          while (now > seen && !maxHolding.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::sleep_for(15ms);
          --holding;
          if (!mine->completeTask(claim->task.id, worker, "videos/x.mp4", "", 2.5, 1.0))
            throw std::runtime_error("lost lease on " + claim->task.id);
          ++finished;
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        errors.push_back(e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(finished.load(), kTasks);
  EXPECT_LE(maxHolding.load(), kCap);
  EXPECT_EQ(maxHolding.load(), kCap) << "the cap should not admit fewer than it allows";
  EXPECT_EQ(store_->counts().tasksByStatus.at("succeed"), kTasks);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConformance, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param) { return param.param; });

}  // namespace
}  // namespace dh::store
