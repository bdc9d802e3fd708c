// A squad's plugin calls: planned over a pool of hosts per plugin, bounded by the request's time
// limit (the caller's deadline, the planner's budget) and by cancellation. The slow fixtures take
// 300 ms or 1.9 s per call. Timings are asserted only with generous bounds.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/plugins/test_util.h"

namespace touchline::plugins {
namespace {

using ::testing::HasSubstr;
using namespace touchline::plugins::testing;  // NOLINT

// Plugin names; their files are slow/slow_<ms>.so.
constexpr char kSlow300[] = "slow-300";
constexpr char kSlow1900[] = "slow-1900";

PlannerOptions SlowOptions(const std::string& slow_plugin, int hosts) {
  std::string file = slow_plugin;
  std::replace(file.begin(), file.end(), '-', '_');
  PlannerOptions o = Options({Fixture("slow/" + file + ".so"), Fixture("compose/compose_a.so")});
  o.deadline = absl::Seconds(2);  // the slow fixtures answer within their own deadline
  o.hosts_per_plugin = hosts;
  return o;
}

std::vector<pv1::AssignRequest> Squad(int players) {
  std::vector<pv1::AssignRequest> squad;
  for (int i = 1; i <= players; ++i) squad.push_back(Request(i));
  return squad;
}

// The slow plugin's prescription for a player, if it answered: its reason names the host's pid.
const pv1::Prescription* FromSlow(const pv1::AssignResult& r, const std::string& plugin) {
  for (const auto& p : r.post()) {
    if (p.plugin_name() == plugin) return &p;
  }
  return nullptr;
}

const pv1::PluginFailure* FailureOf(const pv1::AssignResult& r, const std::string& plugin) {
  for (const auto& f : r.failures()) {
    if (f.plugin_name() == plugin) return &f;
  }
  return nullptr;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(TimeBudgetTest, ASquadIsPlannedOverThePluginsPoolOfHosts) {
  auto planner = ProtocolPlanner::Create(SlowOptions(kSlow300, 3));
  ASSERT_EQ(planner->Listing().loaded_size(), 2);
  EXPECT_EQ(planner->HostPids(kSlow300).size(), 1u) << "only the first host starts at load";

  const std::vector<pv1::AssignResult> results = planner->AssignMany(Squad(6));
  ASSERT_EQ(results.size(), 6u);
  std::set<std::string> hosts;
  for (size_t j = 0; j < results.size(); ++j) {
    EXPECT_EQ(results[j].player_id(), static_cast<int64_t>(j + 1));
    EXPECT_EQ(results[j].failures_size(), 0);
    const pv1::Prescription* p = FromSlow(results[j], kSlow300);
    ASSERT_NE(p, nullptr) << "player " << j + 1;
    hosts.insert(p->reason());
  }
  // Several players were answered at once, by the pool's hosts and no more.
  EXPECT_GT(hosts.size(), 1u);
  EXPECT_LE(hosts.size(), 3u);
  EXPECT_EQ(planner->HostPids(kSlow300).size(), hosts.size());
  // compose-a is fast: its one host (of three allowed) may have served everyone.
  EXPECT_GE(planner->HostPids("compose-a").size(), 1u);
}

TEST(TimeBudgetTest, OneHostPerPluginAnswersThePlayersOneAtATime) {
  auto planner = ProtocolPlanner::Create(SlowOptions(kSlow300, 1));
  const std::vector<pv1::AssignResult> results = planner->AssignMany(Squad(3));
  std::set<std::string> hosts;
  for (const auto& r : results) {
    const pv1::Prescription* p = FromSlow(r, kSlow300);
    ASSERT_NE(p, nullptr);
    hosts.insert(p->reason());
  }
  EXPECT_EQ(hosts.size(), 1u);
}

TEST(TimeBudgetTest, TheBudgetBoundsASquadAndTheSlowPluginIsReportedForThePlayersNotServed) {
  PlannerOptions o = SlowOptions(kSlow300, 2);
  o.assign_budget = absl::Milliseconds(1000);
  auto planner = ProtocolPlanner::Create(o);
  constexpr int kPlayers = 12;  // 12 x 300 ms over 2 hosts: 1.8 s of work, for a 1 s budget
  const auto start = std::chrono::steady_clock::now();
  const std::vector<pv1::AssignResult> results = planner->AssignMany(Squad(kPlayers));
  EXPECT_LT(SecondsSince(start), 1.0 + 2.0);

  ASSERT_EQ(results.size(), static_cast<size_t>(kPlayers));
  int served = 0;
  for (const auto& r : results) {
    // The fast plugin answered everyone.
    ASSERT_EQ(r.pre_size(), 1) << r.player_id();
    EXPECT_EQ(r.pre(0).plugin_name(), "compose-a");
    EXPECT_EQ(FailureOf(r, "compose-a"), nullptr);
    const pv1::PluginFailure* f = FailureOf(r, kSlow300);
    if (FromSlow(r, kSlow300) != nullptr) {
      ++served;
      EXPECT_EQ(f, nullptr);
      continue;
    }
    ASSERT_NE(f, nullptr) << "player " << r.player_id() << " has neither an answer nor a failure";
    EXPECT_EQ(f->kind(), pv1::FAILURE_KIND_DEADLINE_EXCEEDED);
    EXPECT_EQ(f->player_id(), r.player_id());
    EXPECT_THAT(f->message(), HasSubstr("time limit"));
    EXPECT_EQ(r.failures_size(), 1);
  }
  EXPECT_GE(served, 1);
  EXPECT_LT(served, kPlayers);
}

TEST(TimeBudgetTest, TheCallersDeadlineBoundsTheSquadAsTheBudgetDoes) {
  auto planner = ProtocolPlanner::Create(SlowOptions(kSlow300, 2));  // default budget: 10 s
  const auto start = std::chrono::steady_clock::now();
  const std::vector<pv1::AssignResult> results =
      planner->AssignMany(Squad(12), absl::Now() + absl::Milliseconds(800));
  EXPECT_LT(SecondsSince(start), 0.8 + 2.0);
  int failed = 0;
  for (const auto& r : results) failed += FailureOf(r, kSlow300) != nullptr;
  EXPECT_GE(failed, 1);
}

TEST(TimeBudgetTest, ADeadlineAlreadyPastAsksNoPlugin) {
  auto planner = ProtocolPlanner::Create(SlowOptions(kSlow300, 2));
  const std::vector<pv1::AssignResult> results =
      planner->AssignMany(Squad(3), absl::Now() - absl::Seconds(1));
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    EXPECT_EQ(r.pre_size() + r.post_size(), 0);
    ASSERT_EQ(r.failures_size(), 2);  // both plugins
    for (const auto& f : r.failures()) {
      EXPECT_EQ(f.kind(), pv1::FAILURE_KIND_DEADLINE_EXCEEDED);
      EXPECT_THAT(f.message(), HasSubstr("not asked"));
    }
  }
}

TEST(TimeBudgetTest, AHostStoppedAtTheTimeLimitIsStartedAgainForLaterCalls) {
  auto planner = ProtocolPlanner::Create(SlowOptions(kSlow1900, 1));
  const int first_pid = planner->HostPid(kSlow1900);
  ASSERT_GT(first_pid, 0);

  // Nothing is known yet of how long the plugin takes: the call starts, and is stopped when the
  // time limit comes, well within the plugin's own 2 s deadline.
  const auto start = std::chrono::steady_clock::now();
  const pv1::AssignResult cut = planner->Assign(Request(1), absl::Now() + absl::Milliseconds(300));
  EXPECT_LT(SecondsSince(start), 1.9);
  const pv1::PluginFailure* f = FailureOf(cut, kSlow1900);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind(), pv1::FAILURE_KIND_DEADLINE_EXCEEDED);
  EXPECT_THAT(f->message(), HasSubstr("time limit"));
  EXPECT_THAT(f->message(), HasSubstr("host was stopped"));
  EXPECT_EQ(cut.pre_size(), 1) << "compose-a answered";

  // The next call gets a new host, and its answer.
  const pv1::AssignResult next = planner->Assign(Request(2));
  EXPECT_EQ(next.failures_size(), 0);
  const pv1::Prescription* p = FromSlow(next, kSlow1900);
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->reason(), "served by process " + std::to_string(first_pid));
  EXPECT_GT(planner->HostPid(kSlow1900), 0);

  // Now the plugin is known to take about 1.9 s: with less time than that, it is not even asked
  // (no host is killed for nothing).
  const int pid = planner->HostPid(kSlow1900);
  const pv1::AssignResult skipped =
      planner->Assign(Request(3), absl::Now() + absl::Milliseconds(500));
  f = FailureOf(skipped, kSlow1900);
  ASSERT_NE(f, nullptr);
  EXPECT_THAT(f->message(), HasSubstr("not asked"));
  EXPECT_THAT(f->message(), HasSubstr("took at least 1.9"));
  EXPECT_EQ(planner->HostPid(kSlow1900), pid);
}

TEST(TimeBudgetTest, CancellationStopsTheCallsInProgressAndStartsNoMore) {
  auto planner = ProtocolPlanner::Create(SlowOptions(kSlow1900, 2));
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const std::vector<pv1::AssignResult> results =
      planner->AssignMany(Squad(5), absl::InfiniteFuture(), [&] { return cancel.load(); });
  const double took = SecondsSince(start);
  canceller.join();
  EXPECT_LT(took, 1.9) << "the calls in progress were waited out";
  for (const auto& r : results) {
    const pv1::PluginFailure* f = FailureOf(r, kSlow1900);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->kind(), pv1::FAILURE_KIND_DEADLINE_EXCEEDED);
    EXPECT_THAT(f->message(), HasSubstr("cancelled"));
  }
  // The hosts stopped on the way are started again for the next request.
  const pv1::AssignResult next = planner->Assign(Request(9));
  EXPECT_NE(FromSlow(next, kSlow1900), nullptr);
}

TEST(TimeBudgetTest, TrustedInProcessPluginsHaveNoPoolOfHosts) {
  PlannerOptions o = SlowOptions(kSlow300, 4);
  o.trusted_in_process = {kSlow300};
  auto planner = ProtocolPlanner::Create(o);
  ASSERT_EQ(planner->Listing().loaded(1).isolation(), pv1::ISOLATION_IN_PROCESS);
  std::set<std::string> hosts;
  for (const auto& r : planner->AssignMany(Squad(3))) {
    const pv1::Prescription* p = FromSlow(r, kSlow300);
    ASSERT_NE(p, nullptr);
    hosts.insert(p->reason());
  }
  EXPECT_EQ(hosts, std::set<std::string>{"served by process " + std::to_string(getpid())});
}

}  // namespace
}  // namespace touchline::plugins
