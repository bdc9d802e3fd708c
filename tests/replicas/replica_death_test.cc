// Issue 22 item 2, with real processes: two touchline-server replicas on one PostgreSQL club,
// physios writing and flag watchers on both. The replica holding the flag monitor's lease is
// killed (SIGKILL) moments before a complaint crosses the six-week line; the survivor takes the
// lease over and raises PERSISTENT, once; every acknowledged write is in the store exactly once;
// both watch streams (the dead replica's reconnecting to the survivor from the sequence it reached)
// show the same gap-free sequence as the log table.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/lib/postgres_server.h"
#include "tests/replicas/club_traffic.h"
#include "tests/replicas/replica_cluster.h"

namespace touchline::testing {
namespace {

constexpr char kHoldsLease[] = "holds the store's lease";

std::vector<int64_t> Sequences(const std::vector<v1::FlagChange>& changes) {
  std::vector<int64_t> out;
  for (const auto& change : changes) out.push_back(change.sequence());
  return out;
}

TEST(ReplicaDeathTest, TheSurvivorRaisesPersistentOnceAndWatchersResumeGapFree) {
  auto pg = PostgresServer::Start({.fsync = false});
  ASSERT_TRUE(pg.ok()) << pg.status();
  const std::string conninfo = (*pg)->ConnectionString();
  ReplicaCluster cluster("postgresql:" + conninfo);

  // The first replica takes the lease; the second starts once it has.
  auto pair = cluster.StartPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ServerProcess* first = pair->first;
  ServerProcess* second = pair->second;
  const std::string a = first->address(), b = second->address(), *token = &pair->physio_token;

  // A complaint through the second replica, 42 days old in a few seconds: the lease's holder (the
  // first) hears of the write and schedules the crossing.
  const int64_t squad = ReplicaCluster::CreateSquad(b, *token);
  ASSERT_GT(squad, 0);
  const int64_t crossing_player = ReplicaCluster::CreatePlayer(b, *token, squad, "Ellis Genge");
  const int64_t busy_player = ReplicaCluster::CreatePlayer(a, *token, squad, "Maro Itoje");
  ASSERT_GT(crossing_player, 0);
  ASSERT_GT(busy_player, 0);
  const absl::Duration until_crossing = absl::Seconds(10);
  const absl::Time crossing = absl::Now() + until_crossing;
  const int64_t complaint =
      ReplicaCluster::CreateComplaint(b, *token, crossing_player, crossing - absl::Hours(24 * 42));
  ASSERT_GT(complaint, 0);
  // A recent complaint for the busy player: the writers' awkward contact changes its flags
  // (suspected pelvic origin), so both replicas append flag changes while the test runs.
  ASSERT_GT(ReplicaCluster::CreateComplaint(a, *token, busy_player, absl::Now() - absl::Hours(30)),
            0);

  // Watchers on both (the first one's to move to the second when the first dies), writers on both.
  FlagWatcher watch_first({a, b}, *token);
  FlagWatcher watch_second({b, a}, *token);
  AckedWriter write_first("through-first", {a, b}, *token, busy_player, /*awkward=*/true);
  AckedWriter write_second("through-second", {b, a}, *token, busy_player, /*awkward=*/false);
  // And players with long-open complaints, through each replica in turn: each raises PERSISTENT
  // from the replica that recorded it, so both append to the one log throughout.
  std::atomic<bool> stop_flagging{false};
  std::atomic<int> flagged{0};
  std::thread flagging([&] {
    for (int n = 0; !stop_flagging; ++n) {
      for (const std::string& address : n % 2 == 0 ? std::vector{a, b} : std::vector{b, a}) {
        const int64_t player =
            ReplicaCluster::CreatePlayer(address, *token, squad, absl::StrCat("Long ", n));
        if (player > 0 && ReplicaCluster::CreateComplaint(address, *token, player,
                                                          absl::Now() - absl::Hours(24 * 50)) > 0) {
          ++flagged;
          break;
        }
      }
      absl::SleepFor(absl::Milliseconds(150));
    }
  });
  // A failed assertion returns early: the thread stops and is joined all the same.
  struct Joined {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joined() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joined{stop_flagging, flagging};

  const std::string persistent_raised = absl::StrCat(
      "SELECT count(*) FROM club.flag_changes WHERE change_type = ", v1::FLAG_CHANGE_TYPE_RAISED,
      " AND flag_key LIKE '%-persistent-%' AND player_id = ", crossing_player);
  absl::SleepFor(crossing - absl::Now() - absl::Seconds(2));
  auto before = QueryInts(conninfo, persistent_raised);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->at(0), 0) << "PERSISTENT before day 42";
  // Two seconds before the crossing: the lease's holder dies.
  first->Kill();
  const absl::Time killed = absl::Now();

  // The survivor takes the lease over and raises it once day 42 has passed.
  ASSERT_TRUE(second->WaitForLog(kHoldsLease, absl::Seconds(10))) << second->Log();
  const absl::Duration takeover = absl::Now() - killed;
  std::vector<int64_t> raised = {0};
  absl::Time raised_at;
  while (absl::Now() < crossing + absl::Seconds(15)) {
    auto count = QueryInts(conninfo, persistent_raised);
    ASSERT_TRUE(count.ok()) << count.status();
    raised = *count;
    if (raised.at(0) > 0) {
      raised_at = absl::Now();
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(raised.at(0), 1) << "the survivor did not raise PERSISTENT\n" << second->Log();
  std::printf("lease holder killed %.1f s before day 42; the survivor held the lease %.2f s "
              "after the kill and raised PERSISTENT %.2f s after day 42\n",
              absl::ToDoubleSeconds(crossing - killed), absl::ToDoubleSeconds(takeover),
              absl::ToDoubleSeconds(raised_at - crossing));
  absl::SleepFor(absl::Seconds(2));  // more writes through the survivor
  write_first.Stop();
  write_second.Stop();
  stop_flagging = true;
  flagging.join();
  EXPECT_GT(flagged.load(), 10);
  absl::SleepFor(absl::Seconds(1));  // every replica has heard of the last writes
  auto again = QueryInts(conninfo, persistent_raised);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->at(0), 1) << "PERSISTENT raised more than once";

  // Every acknowledged write, exactly once; nothing that was not written by the test.
  size_t acked = 0;
  const absl::Status stored =
      EveryAcknowledgedWriteStoredOnce(conninfo, {&write_first, &write_second}, &acked);
  EXPECT_TRUE(stored.ok()) << stored;
  EXPECT_GT(write_first.acks().size(), 0u);
  EXPECT_GT(write_second.acks().size(), 0u);

  // Both watchers: the log's sequence, gap-free, from 1 to its end.
  auto log = QueryInts(conninfo, "SELECT sequence FROM club.flag_changes ORDER BY sequence");
  ASSERT_TRUE(log.ok());
  ASSERT_FALSE(log->empty());
  for (int64_t i = 0; i < static_cast<int64_t>(log->size()); ++i) ASSERT_EQ(log->at(i), i + 1);
  EXPECT_TRUE(watch_first.WaitForSequence(log->back(), absl::Seconds(10)));
  EXPECT_TRUE(watch_second.WaitForSequence(log->back(), absl::Seconds(10)));
  watch_first.Stop();
  watch_second.Stop();
  EXPECT_EQ(Sequences(watch_first.changes()), *log);
  EXPECT_EQ(Sequences(watch_second.changes()), *log);
  EXPECT_GE(watch_first.reconnections(), 1) << "the first replica's watcher never moved";
  std::printf("%zu acknowledged writes, %zu flag changes; the first watcher moved %d time(s)\n",
              acked, log->size(), watch_first.reconnections());
}

}  // namespace
}  // namespace touchline::testing
