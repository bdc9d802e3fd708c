// Each built-in plugin's rules: which complaint gets which protocol, with the exact dosage.
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/service/protocol_summary.h"
#include "tests/plugins/test_util.h"

namespace touchline::plugins {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace touchline::plugins::testing;  // NOLINT

class BuiltinTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    planner_ = ProtocolPlanner::Create(Options({TOUCHLINE_BUILTIN_DIR})).release();
  }
  static void TearDownTestSuite() { delete planner_; }
  static ProtocolPlanner* planner_;

  // Only `plugin`'s prescriptions of a result.
  static std::vector<pv1::Prescription> From(const pv1::AssignResult& r, const std::string& plugin,
                                             pv1::Timing timing) {
    std::vector<pv1::Prescription> out;
    for (const auto& p : timing == pv1::TIMING_PRE ? r.pre() : r.post()) {
      if (p.plugin_name() == plugin) out.push_back(p);
    }
    return out;
  }
};
ProtocolPlanner* BuiltinTest::planner_ = nullptr;

TEST_F(BuiltinTest, AllFourLoadInNameOrder) {
  pv1::PluginListing l = planner_->Listing();
  ASSERT_EQ(l.loaded_size(), 4);
  EXPECT_EQ(l.refused_size(), 0);
  EXPECT_EQ(l.loaded(0).name(), "core-pelvic-stability");
  EXPECT_EQ(l.loaded(1).name(), "hamstring-pelvic-rehab");
  EXPECT_EQ(l.loaded(2).name(), "piriformis-4-sign");
  EXPECT_EQ(l.loaded(3).name(), "sciatic-nerve-mobilisation");
  for (const auto& p : l.loaded()) {
    EXPECT_EQ(p.version(), "1.1.0");
    EXPECT_FALSE(p.handles().empty());
  }
}

TEST_F(BuiltinTest, NoComplaintNoProtocol) {
  pv1::AssignResult r = planner_->Assign(Request(1));
  EXPECT_EQ(r.pre_size(), 0);
  EXPECT_EQ(r.post_size(), 0);
  EXPECT_EQ(r.failures_size(), 0);
}

void ExpectFourSignDosage(const pv1::Prescription& p, pv1::Timing timing) {
  EXPECT_EQ(p.protocol(), "piriformis-4-sign");
  EXPECT_EQ(p.exercise(), "Piriformis 4-sign isometric");
  EXPECT_THAT(p.instructions(), HasSubstr("figure 4"));
  EXPECT_EQ(p.side(), pv1::SIDE_BOTH);
  EXPECT_TRUE(p.each_side());
  EXPECT_EQ(p.sets(), 4);
  EXPECT_EQ(p.reps(), 0);
  EXPECT_EQ(p.hold_seconds(), 20);
  EXPECT_EQ(p.effort_percent(), 20);
  EXPECT_EQ(p.contraction(), pv1::CONTRACTION_STATIC);
  EXPECT_EQ(p.frequency().times_per_day(), 2);
  EXPECT_THAT(p.frequency().day_parts(), ElementsAre(pv1::DAY_PART_AM, pv1::DAY_PART_PM));
  EXPECT_EQ(p.timing(), timing);
  EXPECT_EQ(p.phase(), pv1::PHASE_BIOMECHANICS);
  EXPECT_FALSE(p.progression_criteria().empty());
  EXPECT_EQ(p.pain_ceiling(), 2);
  EXPECT_EQ(p.plugin_name(), "piriformis-4-sign");
  EXPECT_EQ(p.plugin_version(), "1.1.0");
}

TEST_F(BuiltinTest, FourSignForEachTrigger) {
  struct Case {
    const char* label;
    std::function<void(pv1::AssignRequest&, pv1::Complaint*)> set;
    const char* reason;
  };
  std::vector<Case> cases = {
      {"pelvic origin", [](auto& r, auto* c) { AddFlag(r, pv1::FLAG_KIND_SUSPECTED_PELVIC_ORIGIN, c->id()); },
       "suspected pelvic origin"},
      {"persistent", [](auto& r, auto* c) { AddFlag(r, pv1::FLAG_KIND_PERSISTENT, c->id()); },
       "persistent beyond 6 weeks"},
      {"recurrent", [](auto& r, auto* c) { AddFlag(r, pv1::FLAG_KIND_RECURRENT, c->id()); },
       "recurrent"},
      {"piriformis spasm", [](auto&, auto* c) { c->mutable_findings()->set_piriformis_spasm(true); },
       "piriformis spasm found"},
      {"pelvic rotation", [](auto&, auto* c) { c->mutable_findings()->set_pelvic_rotation(true); },
       "pelvic rotation found"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.label);
    pv1::AssignRequest req = Request(1);
    pv1::Complaint* c = AddComplaint(req, 21, 10);
    tc.set(req, c);
    pv1::AssignResult r = planner_->Assign(req);
    auto pre = From(r, "piriformis-4-sign", pv1::TIMING_PRE);
    auto post = From(r, "piriformis-4-sign", pv1::TIMING_POST);
    ASSERT_EQ(pre.size(), 1u);
    ASSERT_EQ(post.size(), 1u);
    ExpectFourSignDosage(pre[0], pv1::TIMING_PRE);
    ExpectFourSignDosage(post[0], pv1::TIMING_POST);
    EXPECT_THAT(pre[0].reason(), HasSubstr("complaint 21 (left): "));
    EXPECT_THAT(pre[0].reason(), HasSubstr(tc.reason));
    EXPECT_EQ(pre[0].complaint_id(), 21);
  }
}

TEST_F(BuiltinTest, FourSignNotForAPlainOrResolvedComplaint) {
  pv1::AssignRequest req = Request(1);
  AddComplaint(req, 1, 10);  // gradual, nothing found, no flag
  pv1::Complaint* resolved = AddComplaint(req, 2, 100);
  resolved->mutable_findings()->set_piriformis_spasm(true);
  resolved->mutable_resolve_time()->set_seconds(kSessionStart - 50 * kDay);
  pv1::AssignResult r = planner_->Assign(req);
  EXPECT_TRUE(From(r, "piriformis-4-sign", pv1::TIMING_PRE).empty());
  EXPECT_TRUE(From(r, "piriformis-4-sign", pv1::TIMING_POST).empty());
}

TEST_F(BuiltinTest, FourSignWarnsOfFibrosisWhenPersistent) {
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 3, 50);
  AddFlag(req, pv1::FLAG_KIND_PERSISTENT, c->id());
  auto pre = From(planner_->Assign(req), "piriformis-4-sign", pv1::TIMING_PRE);
  ASSERT_EQ(pre.size(), 1u);
  EXPECT_THAT(pre[0].notes(), ::testing::Contains(HasSubstr("fibrotic")));
}

TEST_F(BuiltinTest, SciaticNerveMobilisationWhenTheServerFindsTheNerveInvolved) {
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 5, 10, pv1::SIDE_RIGHT);
  pv1::NerveInvolvement* n = c->mutable_nerve_involvement();
  n->set_involved(true);
  n->add_reasons(pv1::NERVE_REASON_NEURAL_TENSION);
  n->add_details("positive slump (right) on 2026-03-02, assessment 4");
  n->add_reasons(pv1::NERVE_REASON_DISC_HERNIATION_HISTORY);
  n->add_details("history of lumbar disc herniation");
  pv1::AssignResult r = planner_->Assign(req);
  for (pv1::Timing t : {pv1::TIMING_PRE, pv1::TIMING_POST}) {
    auto ps = From(r, "sciatic-nerve-mobilisation", t);
    ASSERT_EQ(ps.size(), 1u);
    const pv1::Prescription& p = ps[0];
    EXPECT_EQ(p.exercise(), "Sciatic nerve slider (seated slump)");
    EXPECT_EQ(p.side(), pv1::SIDE_RIGHT);
    EXPECT_EQ(p.sets(), 3);
    EXPECT_EQ(p.reps(), 10);
    EXPECT_EQ(p.effort_percent(), 10);
    EXPECT_EQ(p.contraction(), pv1::CONTRACTION_NEURAL_GLIDE);
    EXPECT_EQ(p.category(), pv1::EXERCISE_CATEGORY_NEURAL_MOBILISATION);
    EXPECT_EQ(p.phase(), pv1::PHASE_BIOMECHANICS);
    EXPECT_EQ(p.pain_ceiling(), 2);
    EXPECT_THAT(p.reason(), HasSubstr("positive slump (right) on 2026-03-02, assessment 4; "
                                      "history of lumbar disc herniation"));
    EXPECT_THAT(p.notes(), ::testing::Contains(HasSubstr(
                               "Static hamstring stretching is not the primary treatment")));
  }
  // The rule is the server's (server/domain/nerve_rules.h): the raw facts without its
  // classification prescribe nothing here.
  pv1::AssignRequest raw = Request(1);
  pv1::Complaint* rc = AddComplaint(raw, 5, 10);
  rc->mutable_history()->set_lumbar_disc_herniation(true);
  rc->mutable_findings()->set_sciatic_nerve_tension(true);
  EXPECT_TRUE(From(planner_->Assign(raw), "sciatic-nerve-mobilisation", pv1::TIMING_PRE).empty());
}

TEST_F(BuiltinTest, EveryBuiltinPrescriptionSaysWhatKindOfExerciseItIs) {
  // An acute tear with spasm, rotation and nerve involvement, 40 days on, brings every plugin.
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 5, 40, pv1::SIDE_LEFT);
  c->set_onset_kind(pv1::ONSET_KIND_ACUTE);
  c->mutable_findings()->set_piriformis_spasm(true);
  c->mutable_nerve_involvement()->set_involved(true);
  pv1::AssignResult r = planner_->Assign(req);
  std::set<std::string> plugins;
  for (const auto* list : {&r.pre(), &r.post()}) {
    for (const auto& p : *list) {
      plugins.insert(p.plugin_name());
      EXPECT_NE(p.category(), pv1::EXERCISE_CATEGORY_UNSPECIFIED) << p.exercise();
      EXPECT_NE(p.category(), pv1::EXERCISE_CATEGORY_STATIC_HAMSTRING_STRETCH) << p.exercise();
    }
  }
  EXPECT_EQ(plugins.size(), 4u);
}

TEST_F(BuiltinTest, CoreStabilityOnlyOnceTheSpasmHasSettled) {
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 8, 30);
  c->mutable_findings()->set_piriformis_spasm(true);
  AddCheckIn(c, 20, 6, true);
  AddCheckIn(c, 14, 2);
  AddCheckIn(c, 7, 1);
  // Two settled check-ins: not yet.
  EXPECT_TRUE(From(planner_->Assign(req), "core-pelvic-stability", pv1::TIMING_POST).empty());
  AddCheckIn(c, 2, 2);
  pv1::AssignResult r = planner_->Assign(req);
  auto pre = From(r, "core-pelvic-stability", pv1::TIMING_PRE);
  auto post = From(r, "core-pelvic-stability", pv1::TIMING_POST);
  ASSERT_EQ(pre.size(), 1u);
  ASSERT_EQ(post.size(), 2u);
  EXPECT_EQ(pre[0].exercise(), "Dead bug with neutral pelvis");
  EXPECT_EQ(pre[0].sets(), 2);
  EXPECT_EQ(pre[0].reps(), 8);
  EXPECT_EQ(post[0].exercise(), "Side plank");
  EXPECT_EQ(post[0].sets(), 3);
  EXPECT_EQ(post[0].hold_seconds(), 30);
  EXPECT_EQ(post[0].effort_percent(), 40);
  EXPECT_EQ(post[1].exercise(), "Single-leg glute bridge");
  for (const auto& p : post) {
    EXPECT_EQ(p.phase(), pv1::PHASE_STABILISE);
    EXPECT_EQ(p.complaint_id(), 8);
    EXPECT_THAT(p.reason(), HasSubstr("spasm settled"));
  }
  // Spasm at the latest check-in resets it.
  AddCheckIn(c, 1, 1, true);
  EXPECT_TRUE(From(planner_->Assign(req), "core-pelvic-stability", pv1::TIMING_POST).empty());
}

TEST_F(BuiltinTest, RehabProtectionBeforeDayFive) {
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 9, 3);
  c->set_onset_kind(pv1::ONSET_KIND_ACUTE);
  c->set_mechanism(pv1::MECHANISM_SPRINTING);
  auto post = From(planner_->Assign(req), "hamstring-pelvic-rehab", pv1::TIMING_POST);
  ASSERT_EQ(post.size(), 1u);
  EXPECT_EQ(post[0].exercise(), "Submaximal isometric hamstring hold");
  EXPECT_EQ(post[0].phase(), pv1::PHASE_REHABILITATION);
  EXPECT_THAT(post[0].progression_criteria(), HasSubstr("about 5 days after injury"));
}

TEST_F(BuiltinTest, RehabAsklingLProtocolFromDayFive) {
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 9, 6, pv1::SIDE_RIGHT);
  c->set_onset_kind(pv1::ONSET_KIND_ACUTE);
  AddCheckIn(c, 1, 4);
  pv1::AssignResult r = planner_->Assign(req);
  auto post = From(r, "hamstring-pelvic-rehab", pv1::TIMING_POST);
  EXPECT_TRUE(From(r, "hamstring-pelvic-rehab", pv1::TIMING_PRE).empty());
  ASSERT_EQ(post.size(), 3u);
  EXPECT_EQ(post[0].exercise(), "Askling Extender");
  EXPECT_EQ(post[0].sets(), 3);
  EXPECT_EQ(post[0].reps(), 12);
  EXPECT_EQ(post[0].frequency().times_per_day(), 2);
  EXPECT_EQ(post[1].exercise(), "Askling Diver");
  EXPECT_EQ(post[1].sets(), 3);
  EXPECT_EQ(post[1].reps(), 6);
  EXPECT_THAT(post[1].instructions(), HasSubstr("every other day"));
  EXPECT_EQ(post[2].exercise(), "Askling Glider");
  EXPECT_EQ(post[2].sets(), 3);
  EXPECT_EQ(post[2].reps(), 4);
  EXPECT_THAT(post[2].instructions(), HasSubstr("every third day"));
  for (const auto& p : post) {
    EXPECT_EQ(p.side(), pv1::SIDE_RIGHT);
    EXPECT_EQ(p.pain_ceiling(), 1);
    EXPECT_THAT(p.progression_criteria(), HasSubstr("pain below 2/10"));
    EXPECT_THAT(p.progression_criteria(), HasSubstr("running at 70% then 100%"));
  }
}

TEST_F(BuiltinTest, RehabNordicProgressionByWeekOnceCriteriaAreMet) {
  struct Case {
    int weeks_since_first;  // -1: no Nordic yet
    int per_week, sets, reps;
    const char* stage;
  };
  std::vector<Case> cases = {{-1, 1, 2, 5, "week 1"},         {1, 2, 2, 6, "week 2"},
                             {2, 3, 3, 6, "week 3: 3 x 6-8"}, {3, 3, 3, 8, "week 4: 3 x 8-10"},
                             {6, 3, 3, 12, "weeks 5-10"},     {11, 1, 3, 12, "maintenance"}};
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.stage);
    pv1::AssignRequest req = Request(1);
    pv1::Complaint* c = AddComplaint(req, 9, 20);
    c->set_osiics_code("TM1");
    AddCheckIn(c, 3, 1);
    AddCheckIn(c, 1, 0);
    if (tc.weeks_since_first >= 0) {
      pv1::PastAssignment* pa = req.add_past_assignments();
      pa->mutable_prescription()->set_protocol("nordic-hamstring-progression");
      pa->mutable_prescription()->set_complaint_id(9);
      pa->mutable_assign_time()->set_seconds(kSessionStart - tc.weeks_since_first * 7 * kDay);
      pa->set_adherence(pv1::ADHERENCE_DONE);
    }
    auto post = From(planner_->Assign(req), "hamstring-pelvic-rehab", pv1::TIMING_POST);
    ASSERT_EQ(post.size(), 1u);
    EXPECT_EQ(post[0].exercise(), "Nordic hamstring curl");
    EXPECT_EQ(post[0].frequency().times_per_week(), tc.per_week);
    EXPECT_EQ(post[0].sets(), tc.sets);
    EXPECT_EQ(post[0].reps(), tc.reps);
    EXPECT_THAT(post[0].stage(), HasSubstr(tc.stage));
    EXPECT_EQ(post[0].contraction(), pv1::CONTRACTION_ECCENTRIC);
  }
}

TEST_F(BuiltinTest, RehabNotForGradualComplaints) {
  pv1::AssignRequest req = Request(1);
  AddComplaint(req, 9, 20);
  EXPECT_TRUE(From(planner_->Assign(req), "hamstring-pelvic-rehab", pv1::TIMING_POST).empty());
}

TEST_F(BuiltinTest, TheArticlesCaseGetsAntiSpasmAndNerveWorkInPhaseOrder) {
  // A back with a disc herniation history, piriformis spasm after an awkward tackle.
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 4, 12);
  c->mutable_history()->set_lumbar_disc_herniation(true);
  c->mutable_nerve_involvement()->set_involved(true);  // as the server classifies it
  c->mutable_nerve_involvement()->add_reasons(pv1::NERVE_REASON_DISC_HERNIATION_HISTORY);
  c->mutable_nerve_involvement()->add_details("history of lumbar disc herniation");
  c->mutable_findings()->set_piriformis_spasm(true);
  AddFlag(req, pv1::FLAG_KIND_SUSPECTED_PELVIC_ORIGIN, 4);
  pv1::AssignResult r = planner_->Assign(req);
  ASSERT_EQ(r.pre_size(), 2);
  EXPECT_EQ(r.pre(0).plugin_name(), "piriformis-4-sign");
  EXPECT_EQ(r.pre(1).plugin_name(), "sciatic-nerve-mobilisation");
  ASSERT_EQ(r.post_size(), 2);
  EXPECT_EQ(service::SummarizeProtocols(r),
            "PRE: Piriformis 4-sign isometric (each leg, 4x20s, @20%); Sciatic nerve slider "
            "(seated slump) (left, 3x10, @10%) | POST: Piriformis 4-sign isometric (each leg, "
            "4x20s, @20%); Sciatic nerve slider (seated slump) (left, 3x10, @10%)");
}

// Issue 19 item 6: an acute tear gets stability work alongside its rehabilitation from the start,
// and anti-spasm work when the findings (or its pelvic screen, which the server adds to them)
// call for it; before, it got one phase-3 exercise after training.
TEST_F(BuiltinTest, AnAcuteTearGetsTheWholePath) {
  auto plugins_of = [](const pv1::AssignResult& r) {
    std::set<std::string> out;
    for (const auto* list : {&r.pre(), &r.post()}) {
      for (const auto& p : *list) out.insert(p.plugin_name());
    }
    return out;
  };
  pv1::AssignRequest req = Request(1);
  pv1::Complaint* c = AddComplaint(req, 9, 2, pv1::SIDE_RIGHT);
  c->set_onset_kind(pv1::ONSET_KIND_ACUTE);
  c->set_mechanism(pv1::MECHANISM_SPRINTING);
  pv1::AssignResult day2 = planner_->Assign(req);
  EXPECT_EQ(plugins_of(day2),
            (std::set<std::string>{"core-pelvic-stability", "hamstring-pelvic-rehab"}));
  auto pre = From(day2, "core-pelvic-stability", pv1::TIMING_PRE);
  auto post = From(day2, "core-pelvic-stability", pv1::TIMING_POST);
  ASSERT_EQ(pre.size(), 1u);
  EXPECT_EQ(pre[0].exercise(), "Dead bug with neutral pelvis");
  ASSERT_EQ(post.size(), 1u);  // no bridge before day 5: it loads the hamstring
  EXPECT_EQ(post[0].exercise(), "Side plank");
  EXPECT_THAT(post[0].reason(), HasSubstr("acute tear, stability work alongside"));
  EXPECT_EQ(post[0].category(), pv1::EXERCISE_CATEGORY_STABILITY);

  // Day 6: the bridge joins the Askling L-protocol.
  req.mutable_complaints(0)->mutable_onset_time()->set_seconds(kSessionStart - 6 * kDay);
  auto day6 = From(planner_->Assign(req), "core-pelvic-stability", pv1::TIMING_POST);
  ASSERT_EQ(day6.size(), 2u);
  EXPECT_EQ(day6[1].exercise(), "Single-leg glute bridge");

  // A screen that found the pelvis rotated (the server puts it in the findings): anti-spasm too.
  req.mutable_complaints(0)->mutable_findings()->set_pelvic_rotation(true);
  pv1::AssignResult screened = planner_->Assign(req);
  EXPECT_EQ(plugins_of(screened), (std::set<std::string>{"core-pelvic-stability",
                                                         "hamstring-pelvic-rehab",
                                                         "piriformis-4-sign"}));
  ASSERT_FALSE(screened.pre().empty());
  EXPECT_EQ(screened.pre(0).plugin_name(), "piriformis-4-sign");  // phase order: biomechanics first
  EXPECT_THAT(screened.pre(0).reason(), HasSubstr("pelvic rotation found"));
}

}  // namespace
}  // namespace touchline::plugins
