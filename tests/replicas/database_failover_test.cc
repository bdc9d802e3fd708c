// Issue 22 item 3: the database fails over under the replicas. A PostgreSQL primary with one
// synchronous standby (plain streaming replication), two touchline-server replicas whose store
// names both hosts with target_session_attrs=read-write, physios writing through both. The
// primary is killed (SIGKILL) mid-write; deploy/postgresql/touchline-pg-failover.sh, the failover
// component an operator runs beside the standby, promotes it; the replicas reconnect by
// themselves. No acknowledged write is lost, none is stored twice, and the test prints how long
// writes paused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <future>
#include <optional>

#include "absl/strings/str_cat.h"
#include "tests/lib/postgres_server.h"
#include "tests/lib/server_process.h"
#include "tests/replicas/club_traffic.h"
#include "tests/replicas/replica_cluster.h"

#ifndef TOUCHLINE_FAILOVER_SCRIPT
#error "TOUCHLINE_FAILOVER_SCRIPT: deploy/postgresql/touchline-pg-failover.sh (set by CMake)"
#endif

namespace touchline::testing {
namespace {

TEST(DatabaseFailoverTest, ThePrimaryDiesMidWriteTheStandbyIsPromotedAndNothingAcknowledgedIsLost) {
  // The standby is "standby" (its cluster_name) and the primary waits for it at every commit.
  auto primary = PostgresServer::Start({.settings = "-c synchronous_standby_names=standby"});
  ASSERT_TRUE(primary.ok()) << primary.status();
  auto standby = PostgresServer::StartStandby(**primary, {.settings = "-c cluster_name=standby"});
  ASSERT_TRUE(standby.ok()) << standby.status();
  const std::string on_primary = (*primary)->ConnectionString();
  const std::string on_standby = (*standby)->ConnectionString();
  std::vector<int64_t> sync = {0};
  for (int i = 0; i < 200 && sync.at(0) == 0; ++i) {
    auto count = QueryInts(on_primary, "SELECT count(*) FROM pg_stat_replication "
                                       "WHERE application_name = 'standby' AND sync_state = 'sync'");
    ASSERT_TRUE(count.ok()) << count.status();
    sync = *count;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(sync.at(0), 1) << "the standby never became synchronous\n" << (*standby)->Log();

  // The replicas' store: both hosts; libpq connects to the one that accepts writes.
  const std::string store = absl::StrCat(
      "postgresql://touchline@127.0.0.1:", (*primary)->port(), ",127.0.0.1:", (*standby)->port(),
      "/postgres?target_session_attrs=read-write&connect_timeout=3");
  ReplicaCluster cluster(store);
  auto pair = cluster.StartPair();
  ASSERT_TRUE(pair.ok()) << pair.status();
  ServerProcess* first = pair->first;
  ServerProcess* second = pair->second;
  const std::string a = first->address(), b = second->address(), *token = &pair->physio_token;
  const int64_t squad = ReplicaCluster::CreateSquad(a, *token);
  ASSERT_GT(squad, 0);
  const int64_t player = ReplicaCluster::CreatePlayer(b, *token, squad, "Jamie George");
  ASSERT_GT(player, 0);

  // The failover component, beside the standby, as the standby's user.
  const std::string failover_log = cluster.folder() + "/failover.log";
  // A copy in the standby's folder: the checkout may be where its user cannot read (as root, CI).
  const std::string script = (*standby)->folder() + "/touchline-pg-failover.sh";
  {
    std::ifstream from(TOUCHLINE_FAILOVER_SCRIPT);
    std::ofstream to(script);
    to << from.rdbuf();
    ASSERT_TRUE(from && to) << "cannot copy " << TOUCHLINE_FAILOVER_SCRIPT;
  }
  const std::string failover = absl::StrCat(
      (*standby)->as_postgres_user() ? "runuser -u postgres -- " : "", "sh ",
      ShellQuoted(script), " --primary ",
      ShellQuoted(absl::StrCat("host=127.0.0.1 port=", (*primary)->port(),
                          " user=touchline dbname=postgres")),
      " --standby-data ", ShellQuoted((*standby)->data_folder()), " --bindir ",
      ShellQuoted((*standby)->bindir()), " --interval 0.2 --misses 3 > ", ShellQuoted(failover_log),
      " 2>&1");
  std::future<int> promoted = std::async(std::launch::async, [&] {
    return std::system(failover.c_str());
  });

  AckedWriter write_first("via-first", {a, b}, *token, player, /*awkward=*/false);
  AckedWriter write_second("via-second", {b, a}, *token, player, /*awkward=*/true);
  absl::SleepFor(absl::Seconds(3));
  ASSERT_GT(write_first.acks().size(), 0u);
  ASSERT_GT(write_second.acks().size(), 0u);

  // The primary's link to the standby stalls, then its machine is lost: whatever the primary
  // acknowledged in between would be lost with it, were the standby not synchronous.
  ASSERT_TRUE((*primary)->FreezeWalSenders().ok());
  absl::SleepFor(absl::Milliseconds(500));
  const absl::Time killed = absl::Now();
  ASSERT_TRUE((*primary)->Kill().ok());
  ASSERT_EQ(promoted.wait_for(std::chrono::seconds(90)), std::future_status::ready);
  const absl::Time promoted_at = absl::Now();
  ASSERT_EQ(promoted.get(), 0) << "the failover script did not promote:\n"
                               << std::ifstream(failover_log).rdbuf();

  // Writes resume through both replicas (they reconnect by themselves), then stop.
  auto resumed = [&](const AckedWriter& writer) -> std::optional<absl::Time> {
    for (const auto& ack : writer.acks()) {
      if (ack.at > killed) return ack.at;
    }
    return std::nullopt;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while ((!resumed(write_first) || !resumed(write_second)) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(resumed(write_first)) << "no write through the first replica after the failover\n"
                                    << first->Log();
  ASSERT_TRUE(resumed(write_second)) << "no write through the second replica after the failover\n"
                                     << second->Log();
  absl::SleepFor(absl::Seconds(2));
  write_first.Stop();
  write_second.Stop();
  EXPECT_TRUE(first->running() && second->running());

  // On the new primary: every acknowledged write, exactly once.
  size_t acked = 0;
  const absl::Status stored =
      EveryAcknowledgedWriteStoredOnce(on_standby, {&write_first, &write_second}, &acked);
  EXPECT_TRUE(stored.ok()) << stored;

  // The pause a physio saw: from the last write acknowledged before the stall to the first after
  // the failover, through the same replica.
  auto pause = [&](const AckedWriter& writer) {
    absl::Time last_before = absl::InfinitePast();
    for (const auto& ack : writer.acks()) {
      if (ack.at <= killed) last_before = ack.at;
    }
    return *resumed(writer) - last_before;
  };
  const absl::Duration longest = std::max(pause(write_first), pause(write_second));
  std::printf(
      "failover: standby promoted %.2f s after the primary was killed; writes paused %.2f s "
      "through the first replica, %.2f s through the second (the WAL stall 0.5 s before the kill "
      "included); %zu acknowledged writes, 0 lost\n",
      absl::ToDoubleSeconds(promoted_at - killed), absl::ToDoubleSeconds(pause(write_first)),
      absl::ToDoubleSeconds(pause(write_second)), acked);
  ::testing::Test::RecordProperty("write_pause_ms",
                                  static_cast<int>(absl::ToDoubleMilliseconds(longest)));
}

}  // namespace
}  // namespace touchline::testing
