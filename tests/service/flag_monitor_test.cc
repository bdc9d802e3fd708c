// The flag monitor, change hub and watch use case without gRPC: a real SQLite file, a manual clock
// that wakes the monitor when moved (no sleeping), and watchers that are deliberately slow.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/service/flag_log_follower.h"
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

// Acute: PERSISTENT is the only flag its time can raise (a gradual-onset one is also flagged
// WINDOW_CLOSING from day 28, which window_rules_test and the API tests cover).
domain::Complaint OpenComplaint(domain::Id player, absl::Time onset) {
  domain::Complaint c;
  c.player_id = player;
  c.side = domain::Side::kLeft;
  c.onset_at = onset;
  c.onset_kind = domain::OnsetKind::kAcute;
  c.created_at = c.updated_at = onset;
  c.created_by = c.updated_by = "test";
  return c;
}

// ---- NextFlagInstant ----

TEST(NextFlagChangeTest, OpenComplaintBecomesPersistentJustAfterFortyTwoDays) {
  domain::FlagThresholds th;
  const auto c = OpenComplaint(1, T0());
  EXPECT_THAT(domain::NextFlagChange({&c, 1}, T0() + kDay, th),
              Optional(T0() + 42 * kDay + absl::Microseconds(1)));
  // Past the line nothing more can happen by time alone.
  EXPECT_EQ(domain::NextFlagChange({&c, 1}, T0() + 43 * kDay, th), std::nullopt);
}

TEST(NextFlagChangeTest, ResolvedBeforeWeekSixNeverWakes) {
  domain::FlagThresholds th;
  auto c = OpenComplaint(1, T0());
  c.resolved_at = T0() + 10 * kDay;
  EXPECT_EQ(domain::NextFlagChange({&c, 1}, T0() + 11 * kDay, th), std::nullopt);
  // ...but a resolution still ahead is an instant flags clear.
  EXPECT_THAT(domain::NextFlagChange({&c, 1}, T0() + 5 * kDay, th), Optional(T0() + 10 * kDay));
}

TEST(NextFlagChangeTest, FutureOnsetAndCheckInsAreInstants) {
  domain::FlagThresholds th;
  auto c = OpenComplaint(1, T0() + absl::Hours(3));
  domain::CheckIn ci;
  ci.checked_at = T0() + absl::Hours(1);
  auto d = OpenComplaint(1, T0() - kDay);
  d.check_ins.push_back(ci);
  const std::vector<domain::Complaint> both = {c, d};
  EXPECT_THAT(domain::NextFlagChange(both, T0(), th), Optional(T0() + absl::Hours(1)));
  EXPECT_THAT(domain::NextFlagChange(both, T0() + absl::Hours(1), th), Optional(T0() + absl::Hours(3)));
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
    storage::DatabaseOptions db_options = touchline::testing::TestStoreOptions(path_.path());
    db_options.synchronous_full = false;
    auto db = storage::Database::Open(db_options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    options_.flag_watch_buffer = 4;
    ASSERT_TRUE(db_->Write([&](storage::Transaction& conn) -> absl::Status {
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

  // A player of the squad, with one open complaint of that onset if given; tells the monitor, as
  // the use cases do.
  domain::Id AddPlayer(std::optional<absl::Time> onset) {
    domain::Id player_id = 0;
    EXPECT_TRUE(db_->Write([&](storage::Transaction& conn) -> absl::Status {
                     domain::Player p;
                     p.squad_id = squad_;
                     p.name = "P";
                     p.position_name = "wing";
                     auto player = storage::InsertPlayer(conn, p);
                     if (!player.ok()) return player.status();
                     player_id = player->id;
                     if (!onset) return absl::OkStatus();
                     return storage::InsertComplaint(conn, OpenComplaint(player_id, *onset)).status();
                   }).ok());
    monitor_->PlayerRecordChanged(player_id);
    return player_id;
  }
  domain::Id AddPlayerWithComplaint(absl::Time onset) { return AddPlayer(onset);
  }

  int64_t LastSequence() {
    int64_t last = -1;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& conn) {
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

// The follower publishes what another writer of the store appended (a replica's monitor) before
// this process's own commit, in one gap-free order; nothing twice.
TEST_F(FlagMonitorTest, TheLogFollowerPublishesAnotherWritersChangesBeforeItsOwn) {
  ASSERT_TRUE(monitor_->WaitIdle(absl::Seconds(10)));
  FlagChangeHub hub(16);
  FlagLogFollower follower(*db_, hub);
  ASSERT_TRUE(follower.Start().ok());
  auto sub = hub.Subscribe(0);
  const domain::Id player_id = AddPlayer(std::nullopt);
  auto append = [&](const std::string& key) {
    int64_t sequence = 0;
    EXPECT_TRUE(db_->Write([&](storage::Transaction& conn) {
                     storage::FlagChangeRow row;
                     row.squad_id = squad_;
                     row.player_id = player_id;
                     row.change_type = v1::FLAG_CHANGE_TYPE_RAISED;
                     row.key = key;
                     row.detected_at = T0();
                     sequence = storage::AppendFlagChange(conn, row);
                     return absl::OkStatus();
                   }).ok());
    auto change = std::make_shared<v1::FlagChange>();
    change->set_sequence(sequence);
    change->set_squad_id(squad_);
    return FlagChangeHub::Change(change);
  };
  const int64_t before = LastSequence();
  append("by-another-process");          // not told: only the log has it
  const auto ours = append("ours");      // told, as the monitor tells it after its commit
  follower.Committed({ours});
  follower.Committed({ours});            // told twice: published once
  EXPECT_TRUE(follower.CatchUp());       // nothing new in the log
  FlagChangeHub::Change c;
  using Event = FlagChangeHub::Subscription::Event;
  ASSERT_EQ(sub->TryNext(&c), Event::kChange);
  EXPECT_EQ(c->sequence(), before + 1);
  EXPECT_EQ(c->squad_id(), squad_);
  ASSERT_EQ(sub->TryNext(&c), Event::kChange);
  EXPECT_EQ(c->sequence(), before + 2);
  EXPECT_EQ(sub->TryNext(&c), Event::kTimeout);
  // Another writer again, and a catch-up (what the follower's thread does when it hears of one).
  append("by-another-process-again");
  EXPECT_TRUE(follower.CatchUp());
  ASSERT_EQ(sub->TryNext(&c), Event::kChange);
  EXPECT_EQ(c->sequence(), before + 3);
  EXPECT_EQ(sub->TryNext(&c), Event::kTimeout);
}

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

// The sequences a feed hands out until it has nothing more now (or ends: then *end is set).
std::vector<int64_t> Drain(FlagFeed& feed, absl::Status* end = nullptr) {
  std::vector<int64_t> out;
  for (;;) {
    FeedStep<v1::WatchFlagsResponse> step = feed.Next();
    if (step.kind == FeedStep<v1::WatchFlagsResponse>::Kind::kMessage) {
      out.push_back(step.message.change().sequence());
      continue;
    }
    if (step.kind == FeedStep<v1::WatchFlagsResponse>::Kind::kEnd && end != nullptr) {
      *end = step.status;
    }
    return out;
  }
}

// A watcher whose client stops reading (its feed is not pulled) never holds up ingest; once it
// falls more than the buffer behind, its stream ends with RESOURCE_EXHAUSTED, and a resume from
// its last sequence gets everything. The other watcher is told of each change (its ready callback)
// and keeps up.
TEST_F(FlagMonitorTest, SlowWatcherIsCutOffWithoutBlockingIngestOrOthers) {
  v1::WatchFlagsRequest all;
  auto slow = watch_->OpenFeed(common::Caller{}, all, nullptr);
  ASSERT_TRUE(slow.ok()) << slow.status();
  std::atomic<int> fast_ready{0};
  auto fast = watch_->OpenFeed(common::Caller{}, all, [&] { ++fast_ready; });
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_EQ(hub_->subscriber_count(), 2u);

  constexpr int kChanges = 12;  // 3x the buffer of 4
  std::vector<int64_t> fast_sequences;
  int64_t slow_last = 0;
  for (int i = 0; i < kChanges; ++i) {
    const int ready_before = fast_ready.load();
    AddPlayerWithComplaint(T0() - 50 * kDay);  // ingest: each raises PERSISTENT
    ASSERT_TRUE(monitor_->WaitIdle(kMust)) << "ingest must not wait for the slow watcher";
    EXPECT_GT(fast_ready.load(), ready_before) << "the fast watcher is told of change " << i + 1;
    for (int64_t s : Drain(**fast)) fast_sequences.push_back(s);
    if (i == 0) {  // the slow client reads the first change, then stops reading
      FeedStep<v1::WatchFlagsResponse> first = (*slow)->Next();
      ASSERT_EQ(first.kind, FeedStep<v1::WatchFlagsResponse>::Kind::kMessage);
      slow_last = first.message.change().sequence();
    }
  }
  EXPECT_EQ(LastSequence(), kChanges);
  absl::Status slow_end;
  EXPECT_TRUE(Drain(**slow, &slow_end).empty());
  EXPECT_EQ(slow_end.code(), absl::StatusCode::kResourceExhausted) << slow_end;
  EXPECT_THAT(std::string(slow_end.message()),
              ::testing::HasSubstr(absl::StrCat("after_sequence=", slow_last)));

  // Resume from its last sequence: everything else comes from the log.
  v1::WatchFlagsRequest resume_request;
  resume_request.set_after_sequence(slow_last);
  auto resumed = watch_->OpenFeed(common::Caller{}, resume_request, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  std::vector<int64_t> expected;
  for (int s = 2; s <= kChanges; ++s) expected.push_back(s);
  EXPECT_EQ(Drain(**resumed), expected);
  expected.insert(expected.begin(), 1);
  EXPECT_EQ(fast_sequences, expected);

  hub_->Close();  // ends the live feeds
  absl::Status fast_end;
  EXPECT_TRUE(Drain(**fast, &fast_end).empty());
  EXPECT_EQ(fast_end.code(), absl::StatusCode::kUnavailable) << fast_end;
}

}  // namespace
}  // namespace touchline::service
