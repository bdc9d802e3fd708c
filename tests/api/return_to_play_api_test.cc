// ReturnToPlayService through a real server (issue 19 item 5), used as a physio would: a plan for
// an acute hamstring strain with planned dates and criteria, criteria met with their evidence (a
// Nordic asymmetry checked against the assessment, an H-test without apprehension), stages
// reached in order, the readiness board following the stage, an override still winning, the
// coach seeing the stage but no clinical detail, and the resolution showing its IOC 2020 severity
// class. Then bad input refused whole, safe retries, roles and the audit trail.
#include "SQLiteCpp/Database.h"
#include "server/common/caller.h"
#include "server/storage/audit_log_store.h"
#include "tests/api/server_fixture.h"
#include "touchline/v1/assessment.grpc.pb.h"
#include "touchline/v1/return_to_play.grpc.pb.h"

namespace touchline::testing {
namespace {

using common::Role;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class ReturnToPlayApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    rtp_ = v1::ReturnToPlayService::NewStub(channel_);
    assessments_ = v1::AssessmentService::NewStub(channel_);
    squad_ = MakeSquad();
    player_ = MakePlayer(squad_, "Henry Arundell", v1::POSITION_GROUP_BACK);
  }

  static v1::CriterionSpec Criterion(v1::ReturnToPlayStage stage, const std::string& text,
                                     v1::CriterionCheck check = v1::CRITERION_CHECK_UNSPECIFIED) {
    v1::CriterionSpec c;
    c.set_stage(stage);
    c.set_description(text);
    c.set_check(check);
    return c;
  }

  grpc::Status CreatePlan(const v1::CreateReturnToPlayPlanRequest& req,
                          v1::CreateReturnToPlayPlanResponse* resp, Role role = Role::kPhysio) {
    return rtp_->CreateReturnToPlayPlan(CtxAs("physio.anna", role).get(), req, resp);
  }

  grpc::Status Mark(int64_t criterion, bool met, const std::string& evidence,
                    int64_t assessment_id = 0, v1::ReturnToPlayPlan* plan = nullptr) {
    v1::MarkCriterionRequest req;
    req.set_criterion_id(criterion);
    req.set_met(met);
    req.set_evidence(evidence);
    req.set_assessment_id(assessment_id);
    v1::MarkCriterionResponse resp;
    const grpc::Status status = rtp_->MarkCriterion(Ctx().get(), req, &resp);
    if (plan != nullptr) *plan = resp.plan();
    return status;
  }

  grpc::Status Reach(int64_t plan_id, v1::ReturnToPlayStage stage, v1::ReturnToPlayPlan* plan = nullptr,
                     std::optional<absl::Time> at = std::nullopt) {
    v1::ReachStageRequest req;
    req.set_plan_id(plan_id);
    req.set_stage(stage);
    if (at) *req.mutable_reach_time() = Ts(*at);
    v1::ReachStageResponse resp;
    const grpc::Status status = rtp_->ReachStage(Ctx().get(), req, &resp);
    if (plan != nullptr) *plan = resp.plan();
    return status;
  }

  v1::ReturnToPlayPlan Get(int64_t plan_id, Role role = Role::kPhysio) {
    v1::GetReturnToPlayPlanRequest req;
    req.set_plan_id(plan_id);
    v1::GetReturnToPlayPlanResponse resp;
    const grpc::Status status = rtp_->GetReturnToPlayPlan(CtxAs("reader", role).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.plan();
  }

  int64_t Assess(const v1::Assessment& a) {
    v1::CreateAssessmentRequest req;
    *req.mutable_assessment() = a;
    v1::CreateAssessmentResponse resp;
    const grpc::Status status = assessments_->CreateAssessment(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.assessment().id();
  }
  int64_t Nordic(absl::Time at, double left, double right) {
    v1::Assessment a;
    a.set_player_id(player_);
    *a.mutable_assess_time() = Ts(at);
    a.mutable_nordic()->set_left_newtons(left);
    a.mutable_nordic()->set_right_newtons(right);
    return Assess(a);
  }
  int64_t HTest(absl::Time at, int left_mm, int right_mm) {
    v1::Assessment a;
    a.set_player_id(player_);
    *a.mutable_assess_time() = Ts(at);
    a.mutable_askling_h_test()->mutable_left()->set_apprehension_mm(left_mm);
    a.mutable_askling_h_test()->mutable_right()->set_apprehension_mm(right_mm);
    return Assess(a);
  }

  v1::PlayerReadiness Board(Role role = Role::kPhysio) {
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad_);
    v1::GetSquadReadinessResponse resp;
    const grpc::Status status =
        readiness_->GetSquadReadiness(CtxAs("board.reader", role).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(resp.players_size(), 1);
    return resp.players_size() > 0 ? resp.players(0) : v1::PlayerReadiness{};
  }

  static const v1::ReturnCriterion* Find(const v1::ReturnToPlayPlan& plan, const std::string& text) {
    for (const auto& s : plan.stages()) {
      for (const auto& c : s.criteria()) {
        if (c.description() == text) return &c;
      }
    }
    ADD_FAILURE() << "no criterion " << text;
    return nullptr;
  }

  std::unique_ptr<v1::ReturnToPlayService::Stub> rtp_;
  std::unique_ptr<v1::AssessmentService::Stub> assessments_;
  int64_t squad_ = 0;
  int64_t player_ = 0;
};

constexpr auto kParticipation = v1::RETURN_TO_PLAY_STAGE_PARTICIPATION;
constexpr auto kSport = v1::RETURN_TO_PLAY_STAGE_SPORT;
constexpr auto kPerformance = v1::RETURN_TO_PLAY_STAGE_PERFORMANCE;

TEST_F(ReturnToPlayApiTest, APhysioTakesAnAcuteStrainFromPlanToResolution) {
  const absl::Time onset = Start() - absl::Hours(1);
  const v1::Complaint strain = MakeComplaint(player_, v1::SIDE_RIGHT, onset, v1::ONSET_KIND_ACUTE, 6);
  EXPECT_EQ(Board().availability(), v1::AVAILABILITY_UNAVAILABLE);

  // The plan: dates for each stage, criteria for participation and sport.
  v1::CreateReturnToPlayPlanRequest create;
  create.set_complaint_id(strain.id());
  create.set_note("grade 1b, criteria-gated");
  int day = 0;
  for (auto stage : {kParticipation, kSport, kPerformance}) {
    auto* d = create.add_planned_dates();
    d->set_stage(stage);
    *d->mutable_planned_time() = Ts(onset + absl::Hours(24 * (day += 7)));
  }
  *create.add_criteria() = Criterion(kParticipation, "pain-free jog at 70%");
  *create.add_criteria() = Criterion(kSport, "pain-free sprint at 100%");
  *create.add_criteria() =
      Criterion(kSport, "Nordic within 10% of the other side", v1::CRITERION_CHECK_ECCENTRIC_ASYMMETRY);
  *create.add_criteria() =
      Criterion(kSport, "negative H-test apprehension", v1::CRITERION_CHECK_H_TEST_APPREHENSION);
  v1::CreateReturnToPlayPlanResponse created;
  ASSERT_TRUE(CreatePlan(create, &created).ok());
  const v1::ReturnToPlayPlan plan = created.plan();
  EXPECT_EQ(plan.player_id(), player_);
  EXPECT_EQ(plan.current_stage(), v1::RETURN_TO_PLAY_STAGE_UNSPECIFIED);
  ASSERT_EQ(plan.stages_size(), 3);
  EXPECT_EQ(service::FromProto(plan.stages(1).planned_time()), onset + absl::Hours(24 * 14));
  EXPECT_EQ(plan.stages(1).criteria_size(), 3);
  EXPECT_DOUBLE_EQ(Find(plan, "Nordic within 10% of the other side")->threshold(), 10);
  const int64_t jog = Find(plan, "pain-free jog at 70%")->id();
  const int64_t sprint = Find(plan, "pain-free sprint at 100%")->id();
  const int64_t nordic = Find(plan, "Nordic within 10% of the other side")->id();
  const int64_t htest = Find(plan, "negative H-test apprehension")->id();

  // Day 6: participation is refused until the jog is marked met, naming it.
  clock_.Advance(absl::Hours(24 * 6));
  grpc::Status refused = Reach(plan.id(), kParticipation);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("pain-free jog at 70%"));
  EXPECT_EQ(Reach(plan.id(), kSport).error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // no skip
  ASSERT_TRUE(Mark(jog, true, "jogged 2 km at 70%, pain 0/10").ok());
  v1::ReturnToPlayPlan now;
  ASSERT_TRUE(Reach(plan.id(), kParticipation, &now).ok());
  EXPECT_EQ(now.current_stage(), kParticipation);

  // The board follows the stage: modified training.
  v1::PlayerReadiness row = Board();
  EXPECT_EQ(row.availability(), v1::AVAILABILITY_MODIFIED);
  ASSERT_EQ(row.reasons_size(), 1);
  EXPECT_EQ(row.reasons(0).code(), v1::READINESS_REASON_CODE_RETURN_TO_PLAY);
  EXPECT_EQ(row.reasons(0).return_to_play_stage(), kParticipation);
  EXPECT_EQ(row.reasons(0).complaint_id(), strain.id());
  EXPECT_THAT(row.reasons(0).text(), HasSubstr("(right)"));
  // The coach: the stage and what the player may do, no leg, complaint or criterion.
  v1::PlayerReadiness coach = Board(Role::kCoach);
  EXPECT_EQ(coach.availability(), v1::AVAILABILITY_MODIFIED);
  ASSERT_EQ(coach.reasons_size(), 1);
  EXPECT_EQ(coach.reasons(0).code(), v1::READINESS_REASON_CODE_RETURN_TO_PLAY);
  EXPECT_EQ(coach.reasons(0).text(), "Return to participation: modified training");
  EXPECT_EQ(coach.reasons(0).complaint_id(), 0);
  EXPECT_THAT(coach.DebugString(), Not(HasSubstr("right")));
  EXPECT_THAT(coach.DebugString(), Not(HasSubstr("jog")));

  // Day 13: the sport criteria. A Nordic 15% apart does not meet the 10% criterion.
  clock_.Advance(absl::Hours(24 * 7));
  const int64_t weak = Nordic(clock_.Now() - absl::Hours(2), 400, 340);
  grpc::Status not_met = Mark(nordic, true, "NordBord", weak);
  EXPECT_EQ(not_met.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(not_met.error_message(), HasSubstr("15.0%"));
  EXPECT_THAT(ViolatedFields(Mark(nordic, true, "NordBord")), ElementsAre("assessment_id"));
  const int64_t good = Nordic(clock_.Now() - absl::Hours(1), 400, 372);
  ASSERT_TRUE(Mark(nordic, true, "NordBord, 7% asymmetry", good).ok());
  ASSERT_TRUE(Mark(htest, true, "H-test, no insecurity", HTest(clock_.Now(), 10, 0)).ok());
  refused = Reach(plan.id(), kSport);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("pain-free sprint at 100%"));
  EXPECT_THAT(refused.error_message(), Not(HasSubstr("Nordic")));
  v1::ReturnToPlayPlan marked;
  ASSERT_TRUE(Mark(sprint, true, "GPS 9.4 m/s, pain-free", 0, &marked).ok());
  EXPECT_EQ(marked.stages(1).unmet_criterion_ids_size(), 0);
  const v1::ReturnCriterion* n = Find(marked, "Nordic within 10% of the other side");
  ASSERT_NE(n, nullptr);
  EXPECT_TRUE(n->met());
  EXPECT_EQ(n->latest_mark().assessment_id(), good);
  EXPECT_THAT(n->latest_mark().finding(), HasSubstr("7.0%"));
  EXPECT_EQ(n->latest_mark().evidence(), "NordBord, 7% asymmetry");
  EXPECT_EQ(n->latest_mark().recorded_by(), "physio.anna");
  ASSERT_TRUE(Reach(plan.id(), kSport, &now).ok());
  EXPECT_EQ(now.current_stage(), kSport);

  // Return to sport: full training and selection, the complaint still listed while open.
  row = Board();
  EXPECT_EQ(row.availability(), v1::AVAILABILITY_AVAILABLE);
  ASSERT_EQ(row.reasons_size(), 1);
  EXPECT_EQ(row.reasons(0).return_to_play_stage(), kSport);
  EXPECT_EQ(Board(Role::kCoach).reasons(0).text(), "Return to sport: full training and selection");

  // An override still wins.
  v1::CreateReadinessOverrideRequest override_req;
  auto* o = override_req.mutable_readiness_override();
  o->set_player_id(player_);
  o->set_availability(v1::AVAILABILITY_UNAVAILABLE);
  o->set_reason("tightness after the sprint session");
  *o->mutable_expire_time() = Ts(clock_.Now() + absl::Hours(48));
  v1::CreateReadinessOverrideResponse override_resp;
  ASSERT_TRUE(readiness_->CreateReadinessOverride(Ctx().get(), override_req, &override_resp).ok());
  row = Board();
  EXPECT_EQ(row.availability(), v1::AVAILABILITY_UNAVAILABLE);
  EXPECT_EQ(row.reasons(0).code(), v1::READINESS_REASON_CODE_OVERRIDE);
  EXPECT_EQ(row.reasons(1).code(), v1::READINESS_REASON_CODE_RETURN_TO_PLAY);
  coach = Board(Role::kCoach);
  EXPECT_EQ(coach.availability(), v1::AVAILABILITY_UNAVAILABLE);
  EXPECT_THAT(coach.DebugString(), Not(HasSubstr("tightness")));

  // Resolution on day 13 (return to full participation): 13 days lost, moderate (IOC 2020).
  v1::ResolveComplaintRequest resolve;
  resolve.set_complaint_id(strain.id());
  *resolve.mutable_resolve_time() = Ts(onset + absl::Hours(24 * 13));
  v1::ResolveComplaintResponse resolved;
  ASSERT_TRUE(complaints_->ResolveComplaint(Ctx().get(), resolve, &resolved).ok());
  EXPECT_EQ(resolved.complaint().time_loss_days(), 13);
  EXPECT_EQ(resolved.complaint().severity_class(), v1::SEVERITY_CLASS_MODERATE);
  v1::GetComplaintRequest get;
  get.set_id(strain.id());
  v1::GetComplaintResponse got;
  ASSERT_TRUE(complaints_->GetComplaint(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.complaint().severity_class(), v1::SEVERITY_CLASS_MODERATE);
  v1::ListComplaintsRequest list;
  list.set_player_id(player_);
  v1::ListComplaintsResponse listed;
  ASSERT_TRUE(complaints_->ListComplaints(Ctx().get(), list, &listed).ok());
  ASSERT_EQ(listed.complaints_size(), 1);
  EXPECT_EQ(listed.complaints(0).severity_class(), v1::SEVERITY_CLASS_MODERATE);

  // The resolved complaint's plan is closed; what was recorded is kept.
  EXPECT_EQ(Reach(plan.id(), kPerformance).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const v1::ReturnToPlayPlan kept = Get(plan.id());
  EXPECT_EQ(kept.current_stage(), kSport);
  EXPECT_EQ(kept.mark_history_size(), 4);
}

TEST_F(ReturnToPlayApiTest, SeverityClassAtTheBoundariesToTheMinute) {
  // Four complaints one after another, all resolved in the server's past (the clock stays).
  const absl::Time onset = Start() - absl::Hours(24 * 80);
  struct Case {
    absl::Duration loss;
    int days;
    v1::SeverityClass severity;
  };
  const Case cases[] = {
      {absl::Hours(24 * 7 + 23) + absl::Minutes(59), 7, v1::SEVERITY_CLASS_MINIMAL_TO_MILD},
      {absl::Hours(24 * 8), 8, v1::SEVERITY_CLASS_MODERATE},
      {absl::Hours(24 * 28 + 23) + absl::Minutes(59), 28, v1::SEVERITY_CLASS_MODERATE},
      {absl::Hours(24 * 29), 29, v1::SEVERITY_CLASS_SEVERE},
  };
  const v1::Side sides[] = {v1::SIDE_LEFT, v1::SIDE_RIGHT, v1::SIDE_LEFT, v1::SIDE_RIGHT};
  absl::Time start = onset;
  for (int i = 0; i < 4; ++i) {
    // One complaint at a time on the player, each after the previous resolution.
    const v1::Complaint c = MakeComplaint(player_, sides[i], start);
    EXPECT_EQ(c.severity_class(), v1::SEVERITY_CLASS_UNSPECIFIED);  // open: not classified
    v1::ResolveComplaintRequest req;
    req.set_complaint_id(c.id());
    *req.mutable_resolve_time() = Ts(start + cases[i].loss);
    v1::ResolveComplaintResponse resp;
    ASSERT_TRUE(complaints_->ResolveComplaint(Ctx().get(), req, &resp).ok());
    EXPECT_EQ(resp.complaint().time_loss_days(), cases[i].days) << i;
    EXPECT_EQ(resp.complaint().severity_class(), cases[i].severity) << i;
    start = start + cases[i].loss + absl::Hours(2);
  }
}

TEST_F(ReturnToPlayApiTest, BadInputIsRefusedWholeAndNothingIsHalfWritten) {
  const absl::Time onset = Start() - absl::Hours(24 * 3);
  const v1::Complaint c = MakeComplaint(player_, v1::SIDE_LEFT, onset);

  v1::CreateReturnToPlayPlanRequest bad;
  v1::CreateReturnToPlayPlanResponse resp;
  *bad.add_criteria() = Criterion(v1::RETURN_TO_PLAY_STAGE_UNSPECIFIED, "");
  v1::CriterionSpec free_with_threshold = Criterion(kSport, "sprint");
  free_with_threshold.set_threshold(5);
  *bad.add_criteria() = free_with_threshold;
  v1::CriterionSpec over = Criterion(kSport, "Nordic", v1::CRITERION_CHECK_ECCENTRIC_ASYMMETRY);
  over.set_threshold(150);
  *bad.add_criteria() = over;
  grpc::Status status = CreatePlan(bad, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              ElementsAre("complaint_id", "criteria[0].stage", "criteria[0].description",
                          "criteria[1].threshold", "criteria[2].threshold"));

  // A planned date before onset is refused after the complaint is read: nothing is kept.
  v1::CreateReturnToPlayPlanRequest early;
  early.set_complaint_id(c.id());
  *early.add_criteria() = Criterion(kParticipation, "walks pain-free");
  auto* d = early.add_planned_dates();
  d->set_stage(kSport);
  *d->mutable_planned_time() = Ts(onset - absl::Hours(1));
  EXPECT_THAT(ViolatedFields(CreatePlan(early, &resp)), ElementsAre("planned_dates[0].planned_time"));
  v1::GetReturnToPlayPlanRequest by_complaint;
  by_complaint.set_complaint_id(c.id());
  v1::GetReturnToPlayPlanResponse got;
  EXPECT_EQ(rtp_->GetReturnToPlayPlan(Ctx().get(), by_complaint, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::CreateReturnToPlayPlanRequest unknown;
  unknown.set_complaint_id(9999);
  EXPECT_EQ(CreatePlan(unknown, &resp).error_code(), grpc::StatusCode::NOT_FOUND);

  // A retry under the same request_id answers the first result; a second plan is ALREADY_EXISTS.
  v1::CreateReturnToPlayPlanRequest ok;
  ok.set_complaint_id(c.id());
  ok.set_request_id("plan-1");
  *ok.add_criteria() = Criterion(kParticipation, "walks pain-free");
  v1::CreateReturnToPlayPlanResponse first, second;
  ASSERT_TRUE(CreatePlan(ok, &first).ok());
  ASSERT_TRUE(CreatePlan(ok, &second).ok());
  EXPECT_EQ(first.plan().id(), second.plan().id());
  ok.set_request_id("plan-2");
  EXPECT_EQ(CreatePlan(ok, &resp).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  const int64_t plan_id = first.plan().id();

  // A stage in the future, retracting what was never met, a reached stage reached again.
  EXPECT_THAT(ViolatedFields(Reach(plan_id, kParticipation, nullptr, clock_.Now() + absl::Minutes(1))),
              ElementsAre("reach_time"));
  const int64_t walk = first.plan().stages(0).criteria(0).id();
  EXPECT_EQ(Mark(walk, false, "oops").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Mark(walk, true, "walked the length of the pitch").ok());
  ASSERT_TRUE(Reach(plan_id, kParticipation).ok());
  EXPECT_EQ(Reach(plan_id, kParticipation).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // A reached stage's criteria and marks stay as they were.
  EXPECT_EQ(Mark(walk, false, "second thoughts").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::AddCriterionRequest add;
  add.set_plan_id(plan_id);
  *add.mutable_criterion() = Criterion(kParticipation, "late");
  v1::AddCriterionResponse added;
  EXPECT_EQ(rtp_->AddCriterion(Ctx().get(), add, &added).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // A criterion corrected is a new row; the old one is kept and no longer gates.
  *add.mutable_criterion() = Criterion(kSport, "sprint at 90%");
  ASSERT_TRUE(rtp_->AddCriterion(Ctx().get(), add, &added).ok());
  const int64_t sprint = added.plan().stages(1).criteria(0).id();
  v1::AmendCriterionRequest amend;
  amend.set_criterion_id(sprint);
  *amend.mutable_criterion() = Criterion(kSport, "sprint at 100%");
  amend.set_reason("club standard");
  v1::AmendCriterionResponse amended;
  ASSERT_TRUE(rtp_->AmendCriterion(Ctx().get(), amend, &amended).ok());
  ASSERT_EQ(amended.plan().stages(1).criteria_size(), 1);
  EXPECT_EQ(amended.plan().stages(1).criteria(0).description(), "sprint at 100%");
  EXPECT_EQ(amended.plan().stages(1).criteria(0).amends_id(), sprint);
  EXPECT_EQ(amended.plan().criterion_history_size(), 3);
  EXPECT_EQ(rtp_->AmendCriterion(Ctx().get(), amend, &amended).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // already corrected
  EXPECT_EQ(Mark(sprint, true, "old one").error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // A plan for a resolved complaint.
  const v1::Complaint old = MakeComplaint(player_, v1::SIDE_RIGHT, onset);
  ASSERT_TRUE(Resolve(old.id(), onset + absl::Hours(24)).ok());
  v1::CreateReturnToPlayPlanRequest closed;
  closed.set_complaint_id(old.id());
  EXPECT_EQ(CreatePlan(closed, &resp).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ReturnToPlayApiTest, CoachesAreRefusedAnalystsReadPseudonymisedCallsAreAudited) {
  const v1::Complaint c = MakeComplaint(player_, v1::SIDE_LEFT, Start() - absl::Hours(24));
  v1::CreateReturnToPlayPlanRequest create;
  create.set_complaint_id(c.id());
  create.set_note("note-XYZZY");
  *create.add_criteria() = Criterion(kParticipation, "criterion-text-XYZZY");
  v1::CreateReturnToPlayPlanResponse resp;
  EXPECT_EQ(CreatePlan(create, &resp, Role::kCoach).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CreatePlan(create, &resp, Role::kAnalyst).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(CreatePlan(create, &resp).ok());
  const int64_t plan_id = resp.plan().id();
  ASSERT_TRUE(Mark(resp.plan().stages(0).criteria(0).id(), true, "evidence-XYZZY").ok());

  v1::GetReturnToPlayPlanRequest get;
  get.set_plan_id(plan_id);
  v1::GetReturnToPlayPlanResponse got;
  EXPECT_EQ(rtp_->GetReturnToPlayPlan(CtxAs("coach.sam", Role::kCoach).get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const v1::ReturnToPlayPlan seen = Get(plan_id, Role::kAnalyst);
  EXPECT_EQ(seen.player_id(), 0);
  EXPECT_EQ(seen.player_pseudonym().size(), 25u);
  EXPECT_THAT(seen.DebugString(), Not(HasSubstr("XYZZY")));
  EXPECT_THAT(seen.DebugString(), Not(HasSubstr("physio.anna")));
  ASSERT_EQ(seen.stages(0).criteria_size(), 1);
  EXPECT_TRUE(seen.stages(0).criteria(0).met());  // the state stays, the words go

  const std::vector<std::string> rows =
      StoreRows("SELECT e.method, e.outcome, p.player_id FROM audit_events e "
                "JOIN audit_event_players p ON p.event_id = e.id "
                "WHERE e.method LIKE '%ReturnToPlayService%' ORDER BY e.id",
                storage::StoreKind::kAuditLog);
  const std::string p = absl::StrCat(player_);
  EXPECT_THAT(rows, ElementsAre("/touchline.v1.ReturnToPlayService/CreateReturnToPlayPlan OK " + p,
                                "/touchline.v1.ReturnToPlayService/MarkCriterion OK " + p,
                                "/touchline.v1.ReturnToPlayService/GetReturnToPlayPlan OK " + p));
}

}  // namespace
}  // namespace touchline::testing
