#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/runtime/plugin_answer.h"
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

pv1::Prescription Valid(const std::string& exercise, pv1::Timing timing) {
  pv1::Prescription p;
  p.set_exercise(exercise);
  p.set_timing(timing);
  return p;
}

// The contract checks ProtocolPlanner applies to every answer (and the fuzz harness drives).
TEST(CompositionTest, InvalidPrescriptionNamesEachBrokenRule) {
  EXPECT_EQ(InvalidPrescription(Valid("Clam", pv1::TIMING_PRE)), "");
  auto broken = [](auto change) {
    pv1::Prescription p = Valid("Clam", pv1::TIMING_PRE);
    change(p);
    return InvalidPrescription(p);
  };
  EXPECT_EQ(broken([](auto& p) { p.clear_exercise(); }), "has no exercise");
  EXPECT_EQ(broken([](auto& p) { p.set_timing(pv1::TIMING_UNSPECIFIED); }), "has no PRE/POST timing");
  EXPECT_EQ(broken([](auto& p) { p.set_side(static_cast<pv1::Side>(4)); }), "has an unknown side");
  EXPECT_EQ(broken([](auto& p) { p.set_phase(static_cast<pv1::Phase>(9)); }), "has an unknown phase");
  EXPECT_EQ(broken([](auto& p) { p.set_hold_seconds(-1); }), "has a negative dosage");
  EXPECT_EQ(broken([](auto& p) { p.set_effort_percent(101); }), "has effort outside 0-100%");
  EXPECT_EQ(broken([](auto& p) { p.set_pain_ceiling(11); }), "has a pain ceiling outside 0-10");
  EXPECT_EQ(broken([](auto& p) { p.set_contraction(static_cast<pv1::Contraction>(9)); }),
            "has an unknown contraction");
  EXPECT_EQ(broken([](auto& p) { p.mutable_frequency()->set_times_per_week(-1); }),
            "has a negative frequency");
  EXPECT_EQ(broken([](auto& p) { p.mutable_frequency()->add_day_parts(pv1::DAY_PART_UNSPECIFIED); }),
            "has an unknown day part");
  EXPECT_EQ(broken([](auto& p) { p.mutable_frequency()->add_day_parts(static_cast<pv1::DayPart>(7)); }),
            "has an unknown day part");
}

TEST(CompositionTest, ComposeAnswersRefusesAWholeAnswerThatBreaksTheContract) {
  pv1::LoadedPlugin a, b, c;
  a.set_name("a");
  b.set_name("b");
  b.set_version("2");
  c.set_name("c");
  pv1::AssignResponse good, bad;
  *good.add_prescriptions() = Valid("Clam", pv1::TIMING_PRE);
  *bad.add_prescriptions() = Valid("Bridge", pv1::TIMING_POST);
  *bad.add_prescriptions() = Valid("Nordic", pv1::TIMING_POST);
  bad.mutable_prescriptions(1)->set_contraction(static_cast<pv1::Contraction>(42));
  CallOutcome ok_a{.output = good.SerializeAsString()};
  CallOutcome bad_b{.output = bad.SerializeAsString()};
  CallOutcome garbage_c{.output = "\xff\xff\xff"};
  const PluginAnswer answers[] = {{&a, &ok_a}, {&b, &bad_b}, {&c, &garbage_c}};
  std::vector<size_t> undecodable;
  pv1::AssignResult r = ComposeAnswers(5, answers, &undecodable);
  EXPECT_EQ(Names(r.pre()), (std::vector<std::string>{"a:Clam"}));
  EXPECT_EQ(r.post_size(), 0) << "no prescription of an answer that breaks the contract is used";
  ASSERT_EQ(r.failures_size(), 2);
  EXPECT_EQ(r.failures(0).plugin_name(), "b");
  EXPECT_EQ(r.failures(0).plugin_version(), "2");
  EXPECT_EQ(r.failures(0).kind(), pv1::FAILURE_KIND_GARBAGE);
  EXPECT_EQ(r.failures(0).message(),
            "the answer breaks the contract: prescription 2 has an unknown contraction");
  EXPECT_EQ(r.failures(0).player_id(), 5);
  EXPECT_EQ(r.failures(1).plugin_name(), "c");
  EXPECT_THAT(r.failures(1).message(), ::testing::HasSubstr("not a valid"));
  EXPECT_EQ(undecodable, (std::vector<size_t>{2})) << "only the undecodable host is recycled";
}

TEST(CompositionTest, AnUnknownExerciseCategoryBreaksTheContract) {
  pv1::LoadedPlugin a;
  a.set_name("a");
  pv1::AssignResponse answer;
  *answer.add_prescriptions() = Valid("Clam", pv1::TIMING_PRE);
  answer.mutable_prescriptions(0)->set_category(pv1::EXERCISE_CATEGORY_STABILITY);
  *answer.add_prescriptions() = Valid("Bridge", pv1::TIMING_POST);
  answer.mutable_prescriptions(1)->set_category(static_cast<pv1::ExerciseCategory>(99));
  CallOutcome out{.output = answer.SerializeAsString()};
  const PluginAnswer answers[] = {{&a, &out}};
  pv1::AssignResult r = ComposeAnswers(5, answers, nullptr);
  EXPECT_EQ(r.pre_size() + r.post_size(), 0);
  ASSERT_EQ(r.failures_size(), 1);
  EXPECT_EQ(r.failures(0).message(),
            "the answer breaks the contract: prescription 2 has an unknown exercise category");
}

TEST(CompositionTest, AllBuiltinsTogetherForASquad) {
  auto planner = ProtocolPlanner::Create(Options({TOUCHLINE_BUILTIN_DIR}));
  std::vector<pv1::AssignRequest> squad;
  for (int i = 1; i <= 6; ++i) {
    pv1::AssignRequest r = Request(i);
    pv1::Complaint* c = AddComplaint(r, 100 + i, 10);
    c->mutable_findings()->set_pelvic_rotation(i % 2 == 0);
    c->mutable_history()->set_lumbar_disc_herniation(i % 3 == 0);
    c->mutable_nerve_involvement()->set_involved(i % 3 == 0);  // as the server classifies it
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
