#include <chrono>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/plugins/test_util.h"

namespace touchline::plugins {
namespace {

using ::testing::HasSubstr;
using namespace touchline::plugins::testing;  // NOLINT

struct FaultCase {
  std::string fixture;  // fault_<fixture>.so, plugin "fault-<fixture>"
  pv1::FailureKind kind;
  std::string message;
  bool restarts;
};

class FaultIsolationTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(FaultIsolationTest, CostsOnlyThatPluginsAnswerAndTheHostIsRestarted) {
  const FaultCase& fc = GetParam();
  const std::string name = "fault-" + fc.fixture;
  auto planner = ProtocolPlanner::Create(
      Options({Fixture("fault/fault_" + fc.fixture + ".so"), Builtin("piriformis_4sign")}));
  ASSERT_EQ(planner->Listing().loaded_size(), 2);
  const int pid_before = planner->HostPid(name);
  ASSERT_GT(pid_before, 0);

  // The player the fixture misbehaves for also needs the 4-sign, from the healthy plugin.
  pv1::AssignRequest trigger = Request(13, "trigger");
  pv1::Complaint* c = AddComplaint(trigger, 1, 10);
  c->mutable_findings()->set_piriformis_spasm(true);

  auto start = std::chrono::steady_clock::now();
  pv1::AssignResult result = planner->Assign(trigger);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(3));

  ASSERT_EQ(result.failures_size(), 1);
  EXPECT_EQ(result.failures(0).plugin_name(), name);
  EXPECT_EQ(result.failures(0).plugin_version(), "1.0.0");
  EXPECT_EQ(result.failures(0).kind(), fc.kind);
  EXPECT_THAT(result.failures(0).message(), HasSubstr(fc.message));
  EXPECT_EQ(result.failures(0).player_id(), 13);
  // Every other plugin's answer is there.
  ASSERT_EQ(result.pre_size(), 1);
  EXPECT_EQ(result.pre(0).plugin_name(), "piriformis-4-sign");
  EXPECT_EQ(result.post_size(), 1);

  const int pid_after = planner->HostPid(name);
  ASSERT_GT(pid_after, 0);
  if (fc.restarts) {
    EXPECT_NE(pid_after, pid_before);
  } else {
    EXPECT_EQ(pid_after, pid_before);
  }

  // The next request is answered by the (restarted) plugin.
  pv1::AssignResult next = planner->Assign(Request(14, "someone else"));
  EXPECT_EQ(next.failures_size(), 0) << next.failures(0).message();
  ASSERT_EQ(next.pre_size(), 1);
  EXPECT_EQ(next.pre(0).plugin_name(), name);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FaultIsolationTest,
    ::testing::Values(
        FaultCase{"segfault", pv1::FAILURE_KIND_CRASHED, "signal 11 (SIGSEGV)", true},
        FaultCase{"abort", pv1::FAILURE_KIND_CRASHED, "signal 6 (SIGABRT)", true},
        FaultCase{"exits", pv1::FAILURE_KIND_CRASHED, "exited with status 0", true},
        FaultCase{"hang", pv1::FAILURE_KIND_DEADLINE_EXCEEDED, "deadline of 300ms", true},
        FaultCase{"garbage", pv1::FAILURE_KIND_GARBAGE, "not a valid touchline.plugin.v1", true},
        FaultCase{"breaks_contract", pv1::FAILURE_KIND_GARBAGE,
                  "prescription 1 has no PRE/POST timing", false},
        FaultCase{"error", pv1::FAILURE_KIND_PLUGIN_ERROR, "error 2: no data for this player",
                  false},
        FaultCase{"throws", pv1::FAILURE_KIND_PLUGIN_ERROR, "error 2: boom", false}),
    [](const auto& info) { return info.param.fixture; });

TEST(FaultIsolationSquadTest, AHangingPluginCostsASquadOneDeadlinePerPlayerAndNoMore) {
  auto planner = ProtocolPlanner::Create(
      Options({Fixture("fault/fault_hang.so"), Fixture("fault/fault_segfault.so"),
               Fixture("compose/compose_a.so")}));
  ASSERT_EQ(planner->Listing().loaded_size(), 3);
  std::vector<pv1::AssignRequest> squad = {Request(1, "trigger"), Request(2), Request(3, "trigger")};
  auto start = std::chrono::steady_clock::now();
  std::vector<pv1::AssignResult> results = planner->AssignMany(squad);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(2 * 300 + 1500));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].player_id(), 1);
  EXPECT_EQ(results[0].failures_size(), 2);  // hang and segfault
  EXPECT_EQ(results[1].failures_size(), 0);
  EXPECT_EQ(results[1].pre_size(), 3);       // compose-a, fault-hang, fault-segfault
  EXPECT_EQ(results[2].failures_size(), 2);
  for (const auto& r : results) EXPECT_EQ(r.post_size(), 1);  // compose-a's, every time
}

}  // namespace
}  // namespace touchline::plugins
