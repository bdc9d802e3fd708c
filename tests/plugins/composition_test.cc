#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/plugins/test_util.h"

namespace touchline::plugins {
namespace {

using namespace touchline::plugins::testing;  // NOLINT

std::vector<std::string> Names(const google::protobuf::RepeatedPtrField<pv1::Prescription>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.plugin_name() + ":" + p.exercise());
  return out;
}

TEST(CompositionTest, DeterministicOrderWithoutDuplicatesWhateverTheLoadOrder) {
  for (auto paths : {std::vector<std::string>{Fixture("compose/compose_a.so"),
                                              Fixture("compose/compose_b.so")},
                     std::vector<std::string>{Fixture("compose/compose_b.so"),
                                              Fixture("compose/compose_a.so")}}) {
    auto planner = ProtocolPlanner::Create(Options(paths));
    ASSERT_EQ(planner->Listing().loaded_size(), 2);
    EXPECT_EQ(planner->Listing().loaded(0).name(), "compose-a");
    for (int run = 0; run < 3; ++run) {
      pv1::AssignResult r = planner->Assign(Request(1));
      EXPECT_EQ(r.failures_size(), 0);
      // Phase first (biomechanics before stabilise), then plugin name, then the plugin's order;
      // "shared EXERCISE" from B duplicates A's "Shared exercise" and B's repeat is dropped.
      EXPECT_EQ(Names(r.pre()), (std::vector<std::string>{"compose-b:B early pre",
                                                          "compose-a:Shared exercise"}));
      EXPECT_EQ(Names(r.post()), (std::vector<std::string>{"compose-a:A only post"}));
      // The server, not the plugin, says who prescribed it.
      EXPECT_EQ(r.pre(0).plugin_version(), "2.0.0");
    }
  }
}

TEST(CompositionTest, AllBuiltinsTogetherForASquad) {
  auto planner = ProtocolPlanner::Create(Options({TOUCHLINE_BUILTIN_DIR}));
  std::vector<pv1::AssignRequest> squad;
  for (int i = 1; i <= 6; ++i) {
    pv1::AssignRequest r = Request(i);
    pv1::Complaint* c = AddComplaint(r, 100 + i, 10);
    c->mutable_findings()->set_pelvic_rotation(i % 2 == 0);
    c->mutable_history()->set_lumbar_disc_herniation(i % 3 == 0);
    squad.push_back(r);
  }
  std::vector<pv1::AssignResult> results = planner->AssignMany(squad);
  ASSERT_EQ(results.size(), 6u);
  for (int i = 1; i <= 6; ++i) {
    const pv1::AssignResult& r = results[i - 1];
    EXPECT_EQ(r.player_id(), i);
    int expected = (i % 2 == 0 ? 1 : 0) + (i % 3 == 0 ? 1 : 0);
    EXPECT_EQ(r.pre_size(), expected) << i;
    EXPECT_EQ(r.post_size(), expected) << i;
    // Same as one at a time.
    EXPECT_EQ(planner->Assign(squad[i - 1]).SerializeAsString(), r.SerializeAsString());
  }
}

// The benchmark behind the in-process option: the per-request cost of the process boundary.
TEST(CompositionTest, InProcessVersusOutOfProcessBenchmark) {
  pv1::AssignRequest req = Request(1);
  AddComplaint(req, 1, 10)->mutable_findings()->set_piriformis_spasm(true);
  auto time_it = [&](bool in_process) {
    PlannerOptions o = Options({Builtin("piriformis_4sign")});
    if (in_process) o.trusted_in_process = {"*"};
    auto planner = ProtocolPlanner::Create(o);
    planner->Assign(req);  // warm up
    constexpr int kRuns = 200;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRuns; ++i) EXPECT_EQ(planner->Assign(req).pre_size(), 1);
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
               .count() / kRuns;
  };
  double out_us = time_it(false);
  double in_us = time_it(true);
  ::testing::Test::RecordProperty("out_of_process_us_per_request", std::to_string(out_us));
  ::testing::Test::RecordProperty("in_process_us_per_request", std::to_string(in_us));
  std::printf("per request: out of process %.1f us, in process %.1f us\n", out_us, in_us);
  EXPECT_GT(out_us, 0);
}

}  // namespace
}  // namespace touchline::plugins
