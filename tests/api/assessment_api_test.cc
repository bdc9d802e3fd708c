// AssessmentService through a real channel (issue 19 item 1): assessments recorded with their
// analysis (asymmetry, change from baseline, neural tension, strength deficit), corrected as new
// records that supersede the old, bad input refused whole with nothing stored, safe retries, what
// each role may do and see, and the audit trail naming the player.
#include "SQLiteCpp/Database.h"
#include "server/common/caller.h"
#include "server/storage/audit_log_store.h"
#include "tests/api/server_fixture.h"
#include "touchline/v1/assessment.grpc.pb.h"

namespace touchline::testing {
namespace {

using common::Role;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class AssessmentApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    assessments_ = v1::AssessmentService::NewStub(channel_);
    squad_ = MakeSquad();
    player_ = MakePlayer(squad_, "Maro Itoje", v1::POSITION_GROUP_FORWARD);
  }

  static v1::Assessment Nordic(int64_t player, absl::Time at, double left, double right,
                               bool baseline = false) {
    v1::Assessment a;
    a.set_player_id(player);
    *a.mutable_assess_time() = Ts(at);
    a.set_baseline(baseline);
    a.mutable_nordic()->set_left_newtons(left);
    a.mutable_nordic()->set_right_newtons(right);
    return a;
  }

  grpc::Status Create(const v1::Assessment& a, v1::CreateAssessmentResponse* resp,
                      Role role = Role::kPhysio, const std::string& request_id = "") {
    v1::CreateAssessmentRequest req;
    *req.mutable_assessment() = a;
    req.set_request_id(request_id);
    return assessments_->CreateAssessment(CtxAs("staff.pat", role).get(), req, resp);
  }

  v1::Assessment CreateOk(const v1::Assessment& a) {
    v1::CreateAssessmentResponse resp;
    const grpc::Status status = Create(a, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.assessment();
  }

  std::vector<v1::Assessment> List(v1::ListAssessmentsRequest req, Role role = Role::kPhysio) {
    v1::ListAssessmentsResponse resp;
    const grpc::Status status =
        assessments_->ListAssessments(CtxAs("reader", role).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {resp.assessments().begin(), resp.assessments().end()};
  }

  std::vector<v1::Assessment> ListPlayer(bool include_superseded = false) {
    v1::ListAssessmentsRequest req;
    req.set_player_id(player_);
    req.set_include_superseded(include_superseded);
    return List(req);
  }

  std::unique_ptr<v1::AssessmentService::Stub> assessments_;
  int64_t squad_ = 0;
  int64_t player_ = 0;
};

TEST_F(AssessmentApiTest, NordicAgainstBaselineShowsAsymmetryChangeAndStrengthDeficit) {
  const v1::Assessment baseline =
      CreateOk(Nordic(player_, Day(2026, 7, 1, 9), 400, 400, /*baseline=*/true));
  EXPECT_EQ(baseline.kind(), v1::ASSESSMENT_KIND_NORDIC);
  EXPECT_EQ(baseline.recorded_by(), "staff.pat");
  EXPECT_EQ(baseline.analysis().baseline_id(), 0);  // nothing earlier to compare with
  EXPECT_FALSE(baseline.analysis().strength_deficit());

  // Below both thresholds: the right leg 9.75 % weaker than the left and than its baseline.
  v1::Assessment fine = CreateOk(Nordic(player_, Day(2026, 10, 1, 9), 400, 361));
  EXPECT_EQ(fine.analysis().baseline_id(), baseline.id());
  EXPECT_FALSE(fine.analysis().strength_deficit());
  ASSERT_EQ(fine.analysis().asymmetries_size(), 1);
  EXPECT_NEAR(fine.analysis().asymmetries(0).asymmetry_percent(), 9.75, 1e-9);
  EXPECT_EQ(fine.analysis().asymmetries(0).lower_side(), v1::SIDE_RIGHT);

  // At them: 15 % imbalance (Bourne et al. 2015) and 15 % below the baseline.
  const v1::Assessment deficit = CreateOk(Nordic(player_, Day(2026, 11, 1, 9), 400, 340));
  const auto& analysis = deficit.analysis();
  EXPECT_TRUE(analysis.strength_deficit());
  EXPECT_EQ(analysis.baseline_id(), baseline.id());
  ASSERT_EQ(analysis.changes_size(), 2);
  EXPECT_EQ(analysis.changes(1).side(), v1::SIDE_RIGHT);
  EXPECT_DOUBLE_EQ(analysis.changes(1).change(), -60);
  EXPECT_NEAR(analysis.changes(1).change_percent(), -15, 1e-9);
  EXPECT_THAT(analysis.findings(), ElementsAre(HasSubstr("eccentric imbalance 15.0%"),
                                               HasSubstr("15.0% below the baseline")));

  // The listing shows the same analysis, oldest first.
  const auto listed = ListPlayer();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[2].id(), deficit.id());
  EXPECT_TRUE(listed[2].analysis().strength_deficit());
  v1::GetAssessmentRequest get;
  get.set_id(deficit.id());
  v1::GetAssessmentResponse got;
  ASSERT_TRUE(assessments_->GetAssessment(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.assessment().analysis().SerializeAsString(), analysis.SerializeAsString());
}

TEST_F(AssessmentApiTest, SensitisedSlumpAndStraightLegRaiseShowNeuralTension) {
  v1::Assessment slump;
  slump.set_player_id(player_);
  *slump.mutable_assess_time() = Ts(Day(2026, 10, 30, 9));
  auto* right = slump.mutable_slump()->mutable_right();
  right->set_angle_degrees(60);
  right->set_sensitised_angle_degrees(75);
  right->set_symptoms_reproduced(true);
  right->set_sensitiser_changes_symptoms(true);
  slump.mutable_slump()->mutable_left()->set_angle_degrees(85);
  const v1::Assessment stored = CreateOk(slump);
  EXPECT_TRUE(stored.analysis().neural_tension());
  EXPECT_THAT(stored.analysis().neural_tension_sides(), ElementsAre(v1::SIDE_RIGHT));
  EXPECT_TRUE(stored.slump().right().has_sensitised_angle_degrees());
  EXPECT_FALSE(stored.slump().left().has_sensitised_angle_degrees());  // unset stays unset

  v1::Assessment slr;
  slr.set_player_id(player_);
  *slr.mutable_assess_time() = Ts(Day(2026, 10, 30, 9, 10));
  slr.mutable_straight_leg_raise()->mutable_left()->set_angle_degrees(70);
  slr.mutable_straight_leg_raise()->mutable_left()->set_symptoms_reproduced(true);  // plain only
  EXPECT_FALSE(CreateOk(slr).analysis().neural_tension());
  slr.mutable_straight_leg_raise()->mutable_left()->set_sensitised_symptoms_reproduced(true);
  EXPECT_TRUE(CreateOk(slr).analysis().neural_tension());
}

TEST_F(AssessmentApiTest, ACorrectionIsANewRecordAndTheOldOneIsKept) {
  const v1::Assessment first = CreateOk(Nordic(player_, Day(2026, 10, 1, 9), 300, 310));
  v1::AmendAssessmentRequest amend;
  amend.set_assessment_id(first.id());
  *amend.mutable_assessment() = Nordic(0, Day(2026, 10, 1, 9), 330, 310);
  amend.set_reason("left reading mistyped");
  v1::AmendAssessmentResponse amended;
  ASSERT_TRUE(assessments_->AmendAssessment(Ctx().get(), amend, &amended).ok());
  EXPECT_NE(amended.assessment().id(), first.id());
  EXPECT_EQ(amended.assessment().amends_id(), first.id());
  EXPECT_EQ(amended.assessment().player_id(), player_);
  EXPECT_EQ(amended.assessment().amend_reason(), "left reading mistyped");
  EXPECT_EQ(amended.assessment().nordic().left_newtons(), 330);

  auto current = ListPlayer();
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].id(), amended.assessment().id());
  auto all = ListPlayer(/*include_superseded=*/true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].superseded_by_id(), amended.assessment().id());
  EXPECT_EQ(all[0].nordic().left_newtons(), 300);  // never overwritten

  // The superseded one cannot be corrected again; the kind cannot change; nothing is stored.
  v1::AmendAssessmentResponse again;
  EXPECT_EQ(assessments_->AmendAssessment(Ctx().get(), amend, &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  amend.set_assessment_id(amended.assessment().id());
  amend.mutable_assessment()->mutable_isometric_strength()->set_left_newtons(300);
  amend.mutable_assessment()->mutable_isometric_strength()->set_knee_flexion_degrees(90);
  const grpc::Status kind = assessments_->AmendAssessment(Ctx().get(), amend, &again);
  EXPECT_EQ(kind.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(kind), ElementsAre("assessment.test"));
  amend.set_reason("");
  EXPECT_THAT(ViolatedFields(assessments_->AmendAssessment(Ctx().get(), amend, &again)),
              ElementsAre("reason"));
  EXPECT_EQ(ListPlayer(true).size(), 2u);
}

TEST_F(AssessmentApiTest, BadInputIsRefusedWholeWithEveryFieldNamed) {
  v1::CreateAssessmentResponse resp;
  v1::Assessment empty;
  empty.set_player_id(player_);
  grpc::Status status = Create(empty, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("assessment.assess_time", "assessment.test"));

  v1::Assessment bad = Nordic(player_, Day(2026, 10, 1), -5, 5000);
  bad.set_note(std::string(2001, 'x'));
  EXPECT_THAT(ViolatedFields(Create(bad, &resp)),
              ElementsAre("assessment.note", "assessment.nordic.left_newtons",
                          "assessment.nordic.right_newtons"));

  v1::Assessment iso;
  iso.set_player_id(player_);
  *iso.mutable_assess_time() = Ts(Day(2026, 10, 1));
  iso.mutable_isometric_strength()->set_left_newtons(300);
  EXPECT_THAT(ViolatedFields(Create(iso, &resp)),
              ElementsAre("assessment.isometric_strength.knee_flexion_degrees"));

  v1::Assessment screen;
  screen.set_player_id(player_);
  *screen.mutable_assess_time() = Ts(Day(2026, 10, 1));
  screen.mutable_pelvic_screen();
  EXPECT_THAT(ViolatedFields(Create(screen, &resp)), ElementsAre("assessment.pelvic_screen.rotation"));

  v1::Assessment future = Nordic(player_, Start() + absl::Hours(25), 300, 300);
  EXPECT_THAT(ViolatedFields(Create(future, &resp)), ElementsAre("assessment.assess_time"));

  // Another player's complaint; an unknown player.
  const int64_t other = MakePlayer(squad_, "Other Player");
  const v1::Complaint theirs = MakeComplaint(other, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::Assessment wrong = Nordic(player_, Day(2026, 10, 25), 300, 300);
  wrong.set_complaint_id(theirs.id());
  EXPECT_THAT(ViolatedFields(Create(wrong, &resp)), ElementsAre("assessment.complaint_id"));
  EXPECT_EQ(Create(Nordic(9999, Day(2026, 10, 25), 300, 300), &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(ListPlayer(true), IsEmpty());

  // Its own complaint is fine.
  const v1::Complaint mine = MakeComplaint(player_, v1::SIDE_LEFT, Day(2026, 10, 20));
  v1::Assessment right = Nordic(player_, Day(2026, 10, 25), 300, 300);
  right.set_complaint_id(mine.id());
  EXPECT_EQ(CreateOk(right).complaint_id(), mine.id());
}

TEST_F(AssessmentApiTest, ARetryWithTheSameRequestIdStoresOnce) {
  v1::CreateAssessmentResponse first, second;
  const v1::Assessment a = Nordic(player_, Day(2026, 10, 1), 300, 320);
  ASSERT_TRUE(Create(a, &first, Role::kPhysio, "assess-1").ok());
  ASSERT_TRUE(Create(a, &second, Role::kPhysio, "assess-1").ok());
  EXPECT_EQ(first.assessment().id(), second.assessment().id());
  EXPECT_EQ(ListPlayer().size(), 1u);
}

TEST_F(AssessmentApiTest, CoachesSeeNothingAnalystsReadPseudonymisedNumbers) {
  v1::Assessment a = Nordic(player_, Day(2026, 10, 1), 300, 360);
  a.set_note("note-free-text-XYZZY");
  const v1::Assessment stored = CreateOk(a);

  v1::CreateAssessmentResponse created;
  EXPECT_EQ(Create(a, &created, Role::kCoach).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(a, &created, Role::kAnalyst).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAssessmentsRequest by_squad;
  by_squad.set_squad_id(squad_);
  v1::ListAssessmentsResponse resp;
  EXPECT_EQ(assessments_->ListAssessments(CtxAs("coach.sam", Role::kCoach).get(), by_squad, &resp)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::GetAssessmentRequest get;
  get.set_id(stored.id());
  v1::GetAssessmentResponse got;
  EXPECT_EQ(assessments_->GetAssessment(CtxAs("coach.sam", Role::kCoach).get(), get, &got)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  const auto seen = List(by_squad, Role::kAnalyst);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].player_id(), 0);
  EXPECT_EQ(seen[0].player_pseudonym().size(), 25u);
  EXPECT_TRUE(seen[0].note().empty());
  EXPECT_TRUE(seen[0].recorded_by().empty());
  EXPECT_EQ(seen[0].nordic().right_newtons(), 360);  // the numbers stay
  EXPECT_TRUE(seen[0].analysis().strength_deficit());
  v1::ListAssessmentsRequest by_player;
  by_player.set_player_id(player_);
  EXPECT_EQ(assessments_->ListAssessments(CtxAs("ana", Role::kAnalyst).get(), by_player, &resp)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AssessmentApiTest, CallsAreAuditedWithThePlayer) {
  const v1::Assessment stored = CreateOk(Nordic(player_, Day(2026, 10, 1), 300, 300));
  v1::GetAssessmentRequest get;
  get.set_id(stored.id());
  v1::GetAssessmentResponse got;
  ASSERT_TRUE(assessments_->GetAssessment(Ctx("physio.anna").get(), get, &got).ok());
  const std::vector<std::string> rows =
      StoreRows("SELECT e.method, e.user_name, e.outcome, p.player_id FROM audit_events e "
                "JOIN audit_event_players p ON p.event_id = e.id "
                "WHERE e.method LIKE '%AssessmentService%' ORDER BY e.id",
                storage::StoreKind::kAuditLog);
  EXPECT_THAT(rows,
              ElementsAre(absl::StrCat("/touchline.v1.AssessmentService/CreateAssessment staff.pat OK ",
                                       player_),
                          absl::StrCat("/touchline.v1.AssessmentService/GetAssessment physio.anna OK ",
                                       player_)));
}


// ---- pelvic screening tasks after awkward contact (issue 19 item 3) ---------------------------

class ScreeningApiTest : public AssessmentApiTest {
 protected:
  std::vector<v1::ScreeningTask> Tasks(v1::ListScreeningTasksRequest req, Role role = Role::kPhysio,
                                       grpc::Status* status_out = nullptr) {
    v1::ListScreeningTasksResponse resp;
    const grpc::Status status =
        assessments_->ListScreeningTasks(CtxAs("reader", role).get(), req, &resp);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return {resp.tasks().begin(), resp.tasks().end()};
  }
  std::vector<v1::ScreeningTask> SquadTasks(bool overdue_only = false) {
    v1::ListScreeningTasksRequest req;
    req.set_squad_id(squad_);
    req.set_overdue_only(overdue_only);
    return Tasks(req);
  }
  v1::Assessment PelvicScreen(int64_t player, absl::Time at) {
    v1::Assessment a;
    a.set_player_id(player);
    *a.mutable_assess_time() = Ts(at);
    a.mutable_pelvic_screen()->set_rotation(v1::PELVIC_ROTATION_NONE);
    return CreateOk(a);
  }
};

TEST_F(ScreeningApiTest, EachAwkwardContactOpensATaskDueWithinSevenDaysToTheMinute) {
  // Due a minute after the server's now.
  const absl::Time landing = Start() - absl::Hours(24 * 7) + absl::Minutes(1);
  const int64_t event = MakeEvent(player_, v1::CONTACT_KIND_LINEOUT_LANDING, landing, true);
  MakeEvent(player_, v1::CONTACT_KIND_RUCK, landing, true);      // not a pelvic-risk kind
  MakeEvent(player_, v1::CONTACT_KIND_SCRUM, landing, false);    // not awkward
  auto tasks = SquadTasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].contact_event_id(), event);
  EXPECT_EQ(tasks[0].player_id(), player_);
  EXPECT_EQ(tasks[0].contact_kind(), v1::CONTACT_KIND_LINEOUT_LANDING);
  EXPECT_EQ(tasks[0].state(), v1::SCREENING_TASK_STATE_OPEN);
  EXPECT_EQ(service::FromProto(tasks[0].due_time()), landing + absl::Hours(24 * 7));
  EXPECT_EQ(tasks[0].session_label(), "Saturday match");

  clock_.Advance(absl::Minutes(1));  // exactly due: not yet overdue
  EXPECT_EQ(SquadTasks()[0].state(), v1::SCREENING_TASK_STATE_OPEN);
  EXPECT_TRUE(SquadTasks(/*overdue_only=*/true).empty());
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(SquadTasks()[0].state(), v1::SCREENING_TASK_STATE_OVERDUE);
  EXPECT_EQ(SquadTasks(true).size(), 1u);
}

TEST_F(ScreeningApiTest, APelvicScreenClosesEveryTaskOpenedBeforeIt) {
  const int64_t landing = MakeEvent(player_, v1::CONTACT_KIND_LINEOUT_LANDING, Start() - absl::Hours(24 * 9), true);
  const int64_t tackle = MakeEvent(player_, v1::CONTACT_KIND_TACKLE_RECEIVED, Start() - absl::Hours(24 * 2), true);
  const int64_t other = MakePlayer(squad_, "Owen Farrell");
  const int64_t fall = MakeEvent(other, v1::CONTACT_KIND_FALL, Start() - absl::Hours(24 * 3), true);
  auto tasks = SquadTasks();
  ASSERT_EQ(tasks.size(), 3u);  // by due time
  EXPECT_EQ(tasks[0].contact_event_id(), landing);
  EXPECT_EQ(tasks[0].state(), v1::SCREENING_TASK_STATE_OVERDUE);
  EXPECT_EQ(tasks[1].contact_event_id(), fall);
  EXPECT_EQ(tasks[2].contact_event_id(), tackle);
  ASSERT_EQ(SquadTasks(true).size(), 1u);

  // A screen before the tackle closes only the landing; one after it closes the tackle too.
  const v1::Assessment first = PelvicScreen(player_, Start() - absl::Hours(24 * 4));
  tasks = SquadTasks();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].contact_event_id(), fall);
  EXPECT_EQ(tasks[1].contact_event_id(), tackle);
  const v1::Assessment second = PelvicScreen(player_, Start() - absl::Hours(1));
  tasks = SquadTasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].player_id(), other);

  // The history since a date shows the closed ones and by which screen.
  v1::ListScreeningTasksRequest history;
  history.set_player_id(player_);
  *history.mutable_start_time() = Ts(Start() - absl::Hours(24 * 30));
  tasks = Tasks(history);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].state(), v1::SCREENING_TASK_STATE_CLOSED);
  EXPECT_EQ(tasks[0].closed_by_assessment_id(), first.id());
  EXPECT_EQ(tasks[1].closed_by_assessment_id(), second.id());
  EXPECT_EQ(service::FromProto(tasks[1].close_time()), Start() - absl::Hours(1));
  // Evaluated before the second screen: the tackle was still owed then.
  history.clear_start_time();
  *history.mutable_as_of() = Ts(Start() - absl::Hours(2));
  tasks = Tasks(history);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].contact_event_id(), tackle);
}

TEST_F(ScreeningApiTest, ACorrectedScreenClosesFromItsCorrectionAndOnlyPhysiosSeeTheList) {
  MakeEvent(player_, v1::CONTACT_KIND_SCRUM, Start() - absl::Hours(24 * 3), true);
  const v1::Assessment screen = PelvicScreen(player_, Start() - absl::Hours(24 * 4));  // before it
  EXPECT_EQ(SquadTasks().size(), 1u);
  v1::AmendAssessmentRequest amend;
  amend.set_assessment_id(screen.id());
  *amend.mutable_assessment()->mutable_assess_time() = Ts(Start() - absl::Hours(24 * 2));
  amend.mutable_assessment()->mutable_pelvic_screen()->set_rotation(v1::PELVIC_ROTATION_LEFT);
  amend.set_reason("dated the day of the match by mistake");
  v1::AmendAssessmentResponse amended;
  ASSERT_TRUE(assessments_->AmendAssessment(Ctx().get(), amend, &amended).ok());
  EXPECT_TRUE(SquadTasks().empty());

  v1::ListScreeningTasksRequest req;
  req.set_squad_id(squad_);
  grpc::Status status;
  Tasks(req, Role::kCoach, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Tasks(req, Role::kAnalyst, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  req.set_player_id(player_);
  Tasks(req, Role::kPhysio, &status);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("squad_id"));
}

}  // namespace
}  // namespace touchline::testing
