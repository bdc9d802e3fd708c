// ReturnToPlayDesk on a real SQLite file with a manual clock: what a typed criterion may rest on
// (the player's own current assessment, done at or after onset), planned dates moved with their
// history kept, a withdrawn criterion no longer gating, a retraction, stage instants checked to the
// microsecond at onset and against the server's now, and refusals that leave nothing behind.
#include "server/service/return_to_play_desk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/common/caller.h"
#include "server/common/request_errors.h"
#include "server/service/proto_mapping.h"
#include "server/storage/assessment_store.h"
#include "server/storage/record_store.h"
#include "tests/storage/test_util.h"

namespace touchline::service {
namespace {

using ::testing::HasSubstr;

const absl::Time kOnset = absl::FromCivil(absl::CivilMinute(2026, 11, 2, 9, 30), absl::UTCTimeZone());
constexpr auto kParticipation = v1::RETURN_TO_PLAY_STAGE_PARTICIPATION;
constexpr auto kSport = v1::RETURN_TO_PLAY_STAGE_SPORT;

class ReturnToPlayDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions db_options = touchline::testing::TestStoreOptions(path_.path());
    db_options.synchronous_full = false;
    auto db = storage::Database::Open(db_options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    desk_ = std::make_unique<ReturnToPlayDesk>(*db_, clock_, options_);
    ASSERT_TRUE(db_->Write([&](storage::Transaction& conn) -> absl::Status {
                      domain::Squad squad;
                      squad.name = "First XV";
                      auto s = storage::InsertSquad(conn, squad);
                      if (!s.ok()) return s.status();
                      for (const char* name : {"Tom Curry", "Ben Curry"}) {
                        domain::Player p;
                        p.squad_id = s->id;
                        p.name = name;
                        auto player = storage::InsertPlayer(conn, p);
                        if (!player.ok()) return player.status();
                        players_.push_back(player->id);
                      }
                      domain::Complaint c;
                      c.player_id = players_[0];
                      c.side = domain::Side::kLeft;
                      c.onset_kind = domain::OnsetKind::kAcute;
                      c.onset_at = kOnset;
                      c.created_at = c.updated_at = kOnset;
                      auto complaint = storage::InsertComplaint(conn, c);
                      if (!complaint.ok()) return complaint.status();
                      complaint_ = complaint->id;
                      return absl::OkStatus();
                    }).ok());
  }

  domain::Id Assessment(domain::Id player, absl::Time at, double left, double right) {
    domain::Assessment a;
    a.player_id = player;
    a.kind = domain::AssessmentKind::kNordic;
    a.assessed_at = at;
    a.left = domain::AssessmentSide{.force_newtons = left};
    a.right = domain::AssessmentSide{.force_newtons = right};
    a.recorded_at = clock_.Now();
    a.recorded_by = "physio";
    domain::Id id = 0;
    EXPECT_TRUE(db_->Write([&](storage::Transaction& conn) -> absl::Status {
                      auto stored = storage::InsertAssessment(conn, a);
                      if (!stored.ok()) return stored.status();
                      id = stored->id;
                      return absl::OkStatus();
                    }).ok());
    return id;
  }

  v1::ReturnToPlayPlan Plan() {
    v1::CreateReturnToPlayPlanRequest req;
    req.set_complaint_id(complaint_);
    auto* jog = req.add_criteria();
    jog->set_stage(kParticipation);
    jog->set_description("pain-free jog");
    auto* nordic = req.add_criteria();
    nordic->set_stage(kSport);
    nordic->set_description("Nordic within 10%");
    nordic->set_check(v1::CRITERION_CHECK_ECCENTRIC_ASYMMETRY);
    auto created = desk_->CreateReturnToPlayPlan(physio_, req);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->plan() : v1::ReturnToPlayPlan{};
  }

  absl::StatusOr<v1::MarkCriterionResponse> Mark(int64_t criterion, bool met, int64_t assessment = 0) {
    v1::MarkCriterionRequest req;
    req.set_criterion_id(criterion);
    req.set_met(met);
    req.set_evidence("seen");
    req.set_assessment_id(assessment);
    return desk_->MarkCriterion(physio_, req);
  }

  absl::StatusOr<v1::ReachStageResponse> Reach(int64_t plan, v1::ReturnToPlayStage stage,
                                               absl::Time at) {
    v1::ReachStageRequest req;
    req.set_plan_id(plan);
    req.set_stage(stage);
    *req.mutable_reach_time() = ToTimestampProto(at);
    return desk_->ReachStage(physio_, req);
  }

  static google::protobuf::Timestamp ToTimestampProto(absl::Time t) {
    google::protobuf::Timestamp ts;
    ToProto(t, &ts);
    return ts;
  }

  v1::ReturnToPlayPlan Get(int64_t plan) {
    v1::GetReturnToPlayPlanRequest req;
    req.set_plan_id(plan);
    auto got = desk_->GetReturnToPlayPlan(physio_, req);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? got->plan() : v1::ReturnToPlayPlan{};
  }

  storage::testing::TempDbPath path_;
  std::unique_ptr<storage::Database> db_;
  domain::ManualClock clock_{kOnset + absl::Hours(24 * 10)};
  ServiceOptions options_;
  std::unique_ptr<ReturnToPlayDesk> desk_;
  common::Caller physio_{"physio.pat", common::Role::kPhysio};
  std::vector<domain::Id> players_;
  domain::Id complaint_ = 0;
};

TEST_F(ReturnToPlayDeskTest, ATypedCriterionRestsOnTheSamePlayersCurrentAssessmentSinceOnset) {
  const v1::ReturnToPlayPlan plan = Plan();
  const int64_t nordic = plan.stages(1).criteria(0).id();
  EXPECT_DOUBLE_EQ(plan.stages(1).criteria(0).threshold(), 10);  // the default

  // Before onset (a pre-season baseline cannot show recovery), by a minute.
  auto before = Mark(nordic, true, Assessment(players_[0], kOnset - absl::Minutes(1), 400, 400));
  EXPECT_TRUE(absl::IsFailedPrecondition(before.status())) << before.status();
  EXPECT_THAT(before.status().message(), HasSubstr("before the complaint's onset"));
  // Another player's.
  auto theirs = Mark(nordic, true, Assessment(players_[1], kOnset + absl::Hours(1), 400, 400));
  EXPECT_TRUE(absl::IsInvalidArgument(theirs.status())) << theirs.status();
  // At onset exactly, and passing: met, with the server's finding kept beside the evidence.
  auto at_onset = Mark(nordic, true, Assessment(players_[0], kOnset, 400, 361));
  ASSERT_TRUE(at_onset.ok()) << at_onset.status();
  const auto& c = at_onset->plan().stages(1).criteria(0);
  EXPECT_TRUE(c.met());
  EXPECT_THAT(c.latest_mark().finding(), HasSubstr("9.8%"));
  EXPECT_EQ(at_onset->plan().mark_history_size(), 1);  // the refusals stored nothing
}

TEST_F(ReturnToPlayDeskTest, ACorrectedAssessmentCannotBeCited) {
  const v1::ReturnToPlayPlan plan = Plan();
  const domain::Id first = Assessment(players_[0], kOnset + absl::Hours(24), 400, 300);
  domain::Assessment correction;
  ASSERT_TRUE(db_->Write([&](storage::Transaction& conn) -> absl::Status {
                    auto old = storage::FindAssessment(conn, first);
                    if (!old.ok()) return old.status();
                    correction = *old;
                    correction.right->force_newtons = 390;
                    correction.amends_id = first;
                    correction.amend_reason = "mistyped";
                    auto stored = storage::InsertAssessment(conn, correction);
                    if (!stored.ok()) return stored.status();
                    correction = *stored;
                    return absl::OkStatus();
                  }).ok());
  auto cited = Mark(plan.stages(1).criteria(0).id(), true, first);
  EXPECT_TRUE(absl::IsFailedPrecondition(cited.status()));
  EXPECT_THAT(cited.status().message(), HasSubstr(absl::StrCat("assessment ", correction.id)));
  EXPECT_TRUE(Mark(plan.stages(1).criteria(0).id(), true, correction.id).ok());
}

TEST_F(ReturnToPlayDeskTest, PlannedDatesMoveWithTheirHistoryKept) {
  const v1::ReturnToPlayPlan plan = Plan();
  for (int days : {14, 21}) {
    v1::SetPlannedDateRequest req;
    req.set_plan_id(plan.id());
    req.mutable_planned_date()->set_stage(kSport);
    *req.mutable_planned_date()->mutable_planned_time() =
        ToTimestampProto(kOnset + absl::Hours(24 * days));
    req.set_reason(days == 21 ? "slower progress" : "");
    ASSERT_TRUE(desk_->SetPlannedDate(physio_, req).ok());
  }
  const v1::ReturnToPlayPlan got = Get(plan.id());
  EXPECT_EQ(FromProto(got.stages(1).planned_time()), kOnset + absl::Hours(24 * 21));
  ASSERT_EQ(got.planned_date_history_size(), 2);
  EXPECT_EQ(FromProto(got.planned_date_history(0).planned_time()), kOnset + absl::Hours(24 * 14));
  EXPECT_EQ(got.planned_date_history(1).reason(), "slower progress");
  // Not before onset.
  v1::SetPlannedDateRequest early;
  early.set_plan_id(plan.id());
  early.mutable_planned_date()->set_stage(kSport);
  *early.mutable_planned_date()->mutable_planned_time() = ToTimestampProto(kOnset - absl::Minutes(1));
  EXPECT_TRUE(absl::IsInvalidArgument(desk_->SetPlannedDate(physio_, early).status()));
  EXPECT_EQ(Get(plan.id()).planned_date_history_size(), 2);
}

TEST_F(ReturnToPlayDeskTest, AWithdrawnCriterionNoLongerGatesARetractionDoes) {
  const v1::ReturnToPlayPlan plan = Plan();
  const int64_t jog = plan.stages(0).criteria(0).id();
  ASSERT_TRUE(Mark(jog, true).ok());
  ASSERT_TRUE(Mark(jog, false).ok());  // retracted: unmet again
  auto refused = Reach(plan.id(), kParticipation, clock_.Now());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_THAT(refused.status().message(), HasSubstr("pain-free jog"));

  v1::AmendCriterionRequest withdraw;
  withdraw.set_criterion_id(jog);
  withdraw.set_withdraw(true);
  withdraw.set_reason("not for this grade");
  auto withdrawn = desk_->AmendCriterion(physio_, withdraw);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->plan().stages(0).criteria_size(), 0);
  ASSERT_EQ(withdrawn->plan().criterion_history_size(), 3);
  EXPECT_TRUE(withdrawn->plan().criterion_history(2).withdrawn());
  EXPECT_EQ(withdrawn->plan().criterion_history(0).superseded_by_id(),
            withdrawn->plan().criterion_history(2).id());
  EXPECT_TRUE(Reach(plan.id(), kParticipation, clock_.Now()).ok());
}

TEST_F(ReturnToPlayDeskTest, StageInstantsAtOnsetAndTheServersNowToTheMicrosecond) {
  const v1::ReturnToPlayPlan plan = Plan();
  ASSERT_TRUE(Mark(plan.stages(0).criteria(0).id(), true).ok());
  auto early = Reach(plan.id(), kParticipation, kOnset - absl::Microseconds(1));
  EXPECT_TRUE(absl::IsInvalidArgument(early.status())) << early.status();
  auto future = Reach(plan.id(), kParticipation, clock_.Now() + absl::Microseconds(1));
  EXPECT_TRUE(absl::IsInvalidArgument(future.status())) << future.status();
  auto reached = Reach(plan.id(), kParticipation, kOnset);
  ASSERT_TRUE(reached.ok()) << reached.status();
  EXPECT_EQ(FromProto(reached->plan().stages(0).reached().reach_time()), kOnset);
  EXPECT_EQ(reached->plan().stages(0).reached().recorded_by(), "physio.pat");
}

}  // namespace
}  // namespace touchline::service
