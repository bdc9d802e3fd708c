// The flag monitor, change hub and watch use case without gRPC: a real SQLite file, a manual clock
// that wakes the monitor when moved (no sleeping), and watchers that are deliberately slow.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/service/flag_monitor.h"
#include "server/service/flag_watch.h"
#include "server/service/proto_mapping.h"
#include "server/storage/flag_store.h"
#include "server/storage/record_store.h"
#include "tests/storage/test_util.h"

namespace touchline::service {
namespace {

using ::testing::Optional;

constexpr absl::Duration kDay = absl::Hours(24);
constexpr absl::Duration kMust = absl::Seconds(20);

absl::Time T0() { return absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone()); }

domain::Complaint OpenComplaint(domain::Id player, absl::Time onset) {
  domain::Complaint c;
  c.player_id = player;
  c.side = domain::Side::kLeft;
  c.onset_at = onset;
  c.created_at = c.updated_at = onset;
  c.created_by = c.updated_by = "test";
  return c;
}

// ---- NextFlagInstant ----

TEST(NextFlagInstantTest, OpenComplaintBecomesPersistentJustAfterFortyTwoDays) {
  domain::FlagThresholds th;
  const auto c = OpenComplaint(1, T0());
  EXPECT_THAT(NextFlagInstant({&c, 1}, T0() + kDay, th),
              Optional(T0() + 42 * kDay + absl::Microseconds(1)));
  // Past the line nothing more can happen by time alone.
  EXPECT_EQ(NextFlagInstant({&c, 1}, T0() + 43 * kDay, th), std::nullopt);
}

TEST(NextFlagInstantTest, ResolvedBeforeWeekSixNeverWakes) {
  domain::FlagThresholds th;
  auto c = OpenComplaint(1, T0());
  c.resolved_at = T0() + 10 * kDay;
  EXPECT_EQ(NextFlagInstant({&c, 1}, T0() + 11 * kDay, th), std::nullopt);
  // ...but a resolution still ahead is an instant flags clear.
  EXPECT_THAT(NextFlagInstant({&c, 1}, T0() + 5 * kDay, th), Optional(T0() + 10 * kDay));
}

TEST(NextFlagInstantTest, FutureOnsetAndCheckInsAreInstants) {
  domain::FlagThresholds th;
  auto c = OpenComplaint(1, T0() + absl::Hours(3));
  domain::CheckIn ci;
  ci.checked_at = T0() + absl::Hours(1);
  auto d = OpenComplaint(1, T0() - kDay);
  d.check_ins.push_back(ci);
  const std::vector<domain::Complaint> both = {c, d};
  EXPECT_THAT(NextFlagInstant(both, T0(), th), Optional(T0() + absl::Hours(1)));
  EXPECT_THAT(NextFlagInstant(both, T0() + absl::Hours(1), th), Optional(T0() + absl::Hours(3)));
}

// ---- FlagChangeHub ----

FlagChangeHub::Change MakeChange(int64_t sequence, int64_t squad) {
  auto c = std::make_shared<v1::FlagChange>();
  c->set_sequence(sequence);
  c->set_squad_id(squad);
  return c;
}

TEST(FlagChangeHubTest, FiltersBySquadOverflowsAndCloses) {
  FlagChangeHub hub(3);
  auto all = hub.Subscribe(0);
  auto squad2 = hub.Subscribe(2);
  hub.Publish({MakeChange(1, 1), MakeChange(2, 2), MakeChange(3, 1)});
  FlagChangeHub::Change c;
  using Event = FlagChangeHub::Subscription::Event;
  ASSERT_EQ(squad2->Next(absl::ZeroDuration(), &c), Event::kChange);
  EXPECT_EQ(c->sequence(), 2);
  EXPECT_EQ(squad2->Next(absl::ZeroDuration(), &c), Event::kTimeout);
  // `all` has 3 waiting (its limit); one more overflows it and drops what it had.
  hub.Publish({MakeChange(4, 1)});
  EXPECT_EQ(all->Next(absl::ZeroDuration(), &c), Event::kOverflow);
  EXPECT_EQ(squad2->Next(absl::ZeroDuration(), &c), Event::kTimeout);  // unaffected
  hub.Close();
  EXPECT_EQ(squad2->Next(absl::Seconds(5), &c), Event::kClosed);
  EXPECT_EQ(hub.Subscribe(0)->Next(absl::ZeroDuration(), &c), Event::kClosed);
  all.reset();
  squad2.reset();
  EXPECT_EQ(hub.subscriber_count(), 0u);
}

// ---- FlagMonitor and FlagWatch on a real database ----

class FlagMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions db_options;
    db_options.path = path_.path();
    db_options.synchronous_full = false;
    auto db = storage::Database::Open(db_options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    options_.flag_watch_buffer = 4;
    ASSERT_TRUE(db_->Write([&](SQLite::Database& conn) -> absl::Status {
                     domain::Squad squad;
                     squad.name = "First XV";
                     auto s = storage::InsertSquad(conn, squad);
                     if (!s.ok()) return s.status();
                     squad_ = s->id;
                     return absl::OkStatus();
                   }).ok());
    hub_ = std::make_unique<FlagChangeHub>(options_.flag_watch_buffer);
    monitor_ = std::make_unique<FlagMonitor>(*db_, clock_, options_, *hub_);
    watch_ = std::make_unique<FlagWatch>(*db_, *monitor_, *hub_, options_);
    monitor_->Start();
  }
  void TearDown() override {
    monitor_->Stop();
    hub_->Close();
  }

  // A player with one open complaint; tells the monitor, as the use cases do.
  domain::Id AddPlayerWithComplaint(absl::Time onset) {
    domain::Id player_id = 0;
    EXPECT_TRUE(db_->Write([&](SQLite::Database& conn) -> absl::Status {
                     domain::Player p;
                     p.squad_id = squad_;
                     p.name = "P";
                     p.position_name = "wing";
                     auto player = storage::InsertPlayer(conn, p);
                     if (!player.ok()) return player.status();
                     player_id = player->id;
                     return storage::InsertComplaint(conn, OpenComplaint(player_id, onset)).status();
                   }).ok());
    monitor_->PlayerRecordChanged(player_id);
    return player_id;
  }

  int64_t LastSequence() {
    int64_t last = -1;
    EXPECT_TRUE(db_->Read([&](SQLite::Database& conn) {
                     last = storage::LastFlagSequence(conn);
                     return absl::OkStatus();
                   }).ok());
    return last;
  }

  storage::testing::TempDbPath path_;
  std::unique_ptr<storage::Database> db_;
  domain::ManualClock clock_{T0()};
  ServiceOptions options_;
  domain::Id squad_ = 0;
  std::unique_ptr<FlagChangeHub> hub_;
  std::unique_ptr<FlagMonitor> monitor_;
  std::unique_ptr<FlagWatch> watch_;
};

TEST_F(FlagMonitorTest, WakesWhenTheManualClockCrossesWeekSix) {
  auto sub = hub_->Subscribe(0);
  const domain::Id player = AddPlayerWithComplaint(T0() - 40 * kDay);
  ASSERT_TRUE(monitor_->WaitIdle(kMust));
  EXPECT_EQ(LastSequence(), 0);

  clock_.Advance(2 * kDay);  // exactly 42 days: not yet
  ASSERT_TRUE(monitor_->WaitIdle(kMust));
  EXPECT_EQ(LastSequence(), 0);

  clock_.Advance(absl::Microseconds(1));
  FlagChangeHub::Change c;
  ASSERT_EQ(sub->Next(kMust, &c), FlagChangeHub::Subscription::Event::kChange);
  EXPECT_EQ(c->type(), v1::FLAG_CHANGE_TYPE_RAISED);
  EXPECT_EQ(c->flag().player_id(), player);
  EXPECT_EQ(c->sequence(), 1);
  EXPECT_EQ(FromProto(c->detect_time()), T0() + 2 * kDay + absl::Microseconds(1));
  EXPECT_EQ(LastSequence(), 1);  // persisted before it was published
}

TEST_F(FlagMonitorTest, RestartReconcilesWhatHappenedWhileStopped) {
  AddPlayerWithComplaint(T0() - 41 * kDay);
  ASSERT_TRUE(monitor_->WaitIdle(kMust));
  monitor_->Stop();
  clock_.Advance(2 * kDay);  // nobody is watching the clock
  EXPECT_EQ(LastSequence(), 0);
  monitor_->Start();
  ASSERT_TRUE(monitor_->WaitIdle(kMust));
  EXPECT_EQ(LastSequence(), 1);
  monitor_->Stop();
  monitor_->Start();  // nothing changed: nothing recorded again
  ASSERT_TRUE(monitor_->WaitIdle(kMust));
  EXPECT_EQ(LastSequence(), 1);
}

// A watcher whose client stops reading (its write blocks) never holds up ingest; once it falls
// more than the buffer behind, its stream ends with RESOURCE_EXHAUSTED, and a resume from its last
// sequence gets everything.
TEST_F(FlagMonitorTest, SlowWatcherIsCutOffWithoutBlockingIngestOrOthers) {
  std::mutex mutex;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> slow_received{0};
  std::atomic<int64_t> slow_last{0};
  absl::Status slow_status;
  std::thread slow([&] {
    v1::WatchFlagsRequest req;
    slow_status = watch_->WatchFlags(
        Caller{}, req,
        [&](const v1::WatchFlagsResponse& r) {
          slow_last = r.change().sequence();
          if (++slow_received == 1) {  // after the first message the client stops reading
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return release; });
          }
          return true;
        },
        [] { return false; });
  });
  std::mutex seen_mutex;  // guards fast_sequences and resumed
  std::vector<int64_t> fast_sequences;
  auto count = [&](const std::vector<int64_t>& v) {
    std::lock_guard lock(seen_mutex);
    return v.size();
  };
  std::thread fast([&] {
    v1::WatchFlagsRequest req;
    (void)watch_->WatchFlags(
        Caller{}, req,
        [&](const v1::WatchFlagsResponse& r) {
          std::lock_guard lock(seen_mutex);
          fast_sequences.push_back(r.change().sequence());
          return true;
        },
        [] { return false; });
  });
  // Wait until both are subscribed, so every change below goes through their buffers.
  for (int i = 0; i < 2000 && hub_->subscriber_count() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(hub_->subscriber_count(), 2u);

  constexpr int kChanges = 12;  // 3x the buffer of 4
  for (int i = 0; i < kChanges; ++i) {
    AddPlayerWithComplaint(T0() - 50 * kDay);  // ingest: each raises PERSISTENT
    ASSERT_TRUE(monitor_->WaitIdle(kMust)) << "ingest must not wait for the slow watcher";
    // The fast watcher keeps up (waited for here so a loaded machine cannot make it lag).
    for (int j = 0; j < 20000 && (count(fast_sequences) < static_cast<size_t>(i + 1) ||
                                  slow_received.load() < 1);
         ++j) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_EQ(LastSequence(), kChanges);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  cv.notify_all();
  slow.join();
  EXPECT_EQ(slow_status.code(), absl::StatusCode::kResourceExhausted) << slow_status;
  EXPECT_EQ(slow_received.load(), 1);

  // Resume from its last sequence: everything else comes from the log.
  std::vector<int64_t> resumed;
  std::thread resume([&] {
    v1::WatchFlagsRequest req;
    req.set_after_sequence(slow_last);
    (void)watch_->WatchFlags(
        Caller{}, req,
        [&](const v1::WatchFlagsResponse& r) {
          std::lock_guard lock(seen_mutex);
          resumed.push_back(r.change().sequence());
          return true;
        },
        [] { return false; });
  });
  for (int i = 0; i < 20000 && (count(resumed) < kChanges - 1 || count(fast_sequences) < kChanges);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  hub_->Close();  // ends the fast and resumed streams
  resume.join();
  fast.join();
  std::vector<int64_t> expected;
  for (int s = 2; s <= kChanges; ++s) expected.push_back(s);
  EXPECT_EQ(resumed, expected);
  expected.insert(expected.begin(), 1);
  EXPECT_EQ(fast_sequences, expected);
}

}  // namespace
}  // namespace touchline::service
