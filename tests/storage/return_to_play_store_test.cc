// Return-to-play plans against a real SQLite file: one plan per complaint, every part a new row
// (criteria corrected by rows naming them, marks and planned dates as logs), a stage reached once,
// the stages of many players in one read, the readiness board told which player changed, and the
// database refusing UPDATE and DELETE of every table.
#include "server/storage/return_to_play_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/database.h"
#include "server/storage/record_store.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

using domain::ReturnToPlayStage;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixMicros(1'780'000'000'123'456);

class ReturnToPlayStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenOrDie(tmp_.path());
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(Write([&](storage::Transaction& c) -> absl::Status {
                  domain::Squad s;
                  s.name = "First XV";
                  auto squad = InsertSquad(c, s);
                  if (!squad.ok()) return squad.status();
                  for (const char* name : {"Ellis Genge", "Ben Earl"}) {
                    domain::Player p;
                    p.squad_id = squad->id;
                    p.name = name;
                    auto player = InsertPlayer(c, p);
                    if (!player.ok()) return player.status();
                    players_.push_back(player->id);
                    domain::Complaint complaint;
                    complaint.player_id = player->id;
                    complaint.onset_at = kT0;
                    complaint.created_at = kT0;
                    auto stored = InsertComplaint(c, complaint);
                    if (!stored.ok()) return stored.status();
                    complaints_.push_back(stored->id);
                  }
                  return absl::OkStatus();
                }).ok());
  }

  absl::Status Write(absl::FunctionRef<absl::Status(storage::Transaction&)> f) { return db_->Write(f); }

  domain::ReturnToPlayPlan MakePlan(int i) {
    domain::ReturnToPlayPlan p;
    p.complaint_id = complaints_[i];
    p.player_id = players_[i];
    p.note = "criteria-gated";
    p.created_at = kT0;
    p.created_by = "physio.pat";
    return p;
  }

  template <typename T, typename F>
  absl::StatusOr<T> InWrite(F f) {
    absl::StatusOr<T> out = absl::UnknownError("not run");
    const absl::Status st = Write([&](storage::Transaction& c) -> absl::Status {
      out = f(c);
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }

  absl::StatusOr<domain::ReturnToPlayPlan> Find(Id plan_id) {
    absl::StatusOr<domain::ReturnToPlayPlan> out = absl::UnknownError("not run");
    EXPECT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                      out = FindPlan(c, plan_id);
                      return absl::OkStatus();
                    }).ok());
    return out;
  }

  testing::TempDbPath tmp_;
  std::unique_ptr<Database> db_;
  std::vector<Id> players_;
  std::vector<Id> complaints_;
};

TEST_F(ReturnToPlayStoreTest, APlanAndItsPartsRoundTripAsAppendedRows) {
  auto plan = InWrite<domain::ReturnToPlayPlan>([&](auto& c) { return InsertPlan(c, MakePlan(0)); });
  ASSERT_TRUE(plan.ok()) << plan.status();
  const Id id = plan->id;

  domain::PlannedStageDate date{.stage = ReturnToPlayStage::kSport,
                                .planned_at = kT0 + absl::Hours(24 * 14),
                                .reason = "first plan",
                                .recorded_at = kT0,
                                .recorded_by = "physio.pat"};
  ASSERT_TRUE(InWrite<domain::PlannedStageDate>([&](auto& c) { return InsertPlannedDate(c, id, date); }).ok());
  date.planned_at += absl::Hours(24 * 7);
  date.reason = "slower than hoped";
  ASSERT_TRUE(InWrite<domain::PlannedStageDate>([&](auto& c) { return InsertPlannedDate(c, id, date); }).ok());

  domain::ReturnCriterion criterion{.stage = ReturnToPlayStage::kSport,
                                    .description = "Nordic within 10%",
                                    .check = domain::CriterionCheck::kEccentricAsymmetry,
                                    .threshold = 10,
                                    .recorded_at = kT0,
                                    .recorded_by = "physio.pat"};
  auto first = InWrite<domain::ReturnCriterion>([&](auto& c) { return InsertCriterion(c, id, criterion); });
  ASSERT_TRUE(first.ok()) << first.status();
  domain::ReturnCriterion correction = criterion;
  correction.threshold = 8;
  correction.amends_id = first->id;
  correction.amend_reason = "club standard is 8%";
  auto second = InWrite<domain::ReturnCriterion>([&](auto& c) { return InsertCriterion(c, id, correction); });
  ASSERT_TRUE(second.ok());
  // A record is corrected once; then its correction is.
  EXPECT_TRUE(absl::IsFailedPrecondition(
      InWrite<domain::ReturnCriterion>([&](auto& c) { return InsertCriterion(c, id, correction); })
          .status()));

  domain::CriterionMark mark{.criterion_id = second->id, .met = true, .evidence = "NordBord",
                             .finding = "eccentric asymmetry 6.0%", .recorded_at = kT0, .recorded_by = "physio.pat"};
  ASSERT_TRUE(InWrite<domain::CriterionMark>([&](auto& c) { return InsertMark(c, mark); }).ok());
  domain::StageReached reached{.stage = ReturnToPlayStage::kParticipation,
                               .reached_at = kT0 + absl::Hours(24 * 5), .note = "jogging",
                               .recorded_at = kT0, .recorded_by = "physio.pat"};
  ASSERT_TRUE(InWrite<domain::StageReached>([&](auto& c) { return InsertStageReached(c, id, reached); }).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(
      InWrite<domain::StageReached>([&](auto& c) { return InsertStageReached(c, id, reached); })
          .status()));

  auto found = Find(id);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->complaint_id, complaints_[0]);
  EXPECT_EQ(found->player_id, players_[0]);
  EXPECT_EQ(found->created_at, kT0);
  ASSERT_EQ(found->planned_dates.size(), 2u);
  EXPECT_EQ(found->planned_dates[1].reason, "slower than hoped");
  ASSERT_EQ(found->criteria.size(), 2u);
  EXPECT_EQ(found->criteria[0].superseded_by, second->id);
  EXPECT_FALSE(found->criteria[0].current());
  EXPECT_EQ(found->criteria[1].amends_id, first->id);
  EXPECT_DOUBLE_EQ(found->criteria[1].threshold, 8);
  EXPECT_EQ(found->criteria[1].check, domain::CriterionCheck::kEccentricAsymmetry);
  ASSERT_EQ(found->marks.size(), 1u);
  EXPECT_EQ(found->marks[0].evidence, "NordBord");
  EXPECT_EQ(found->marks[0].assessment_id, 0);
  EXPECT_EQ(found->marks[0].finding, "eccentric asymmetry 6.0%");
  ASSERT_EQ(found->reached.size(), 1u);
  EXPECT_EQ(found->reached[0].complaint_id, complaints_[0]);
  EXPECT_EQ(found->reached[0].reached_at, kT0 + absl::Hours(24 * 5));

  absl::StatusOr<domain::ReturnToPlayPlan> by_complaint = absl::UnknownError("");
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    by_complaint = FindPlanOfComplaint(c, complaints_[0]);
                    return absl::OkStatus();
                  }).ok());
  ASSERT_TRUE(by_complaint.ok());
  EXPECT_EQ(by_complaint->id, id);
}

TEST_F(ReturnToPlayStoreTest, OnePlanPerComplaintAndUnknownRecordsAreNotFound) {
  ASSERT_TRUE(InWrite<domain::ReturnToPlayPlan>([&](auto& c) { return InsertPlan(c, MakePlan(0)); }).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(
      InWrite<domain::ReturnToPlayPlan>([&](auto& c) { return InsertPlan(c, MakePlan(0)); }).status()));
  domain::ReturnToPlayPlan ghost = MakePlan(1);
  ghost.complaint_id = 999;
  EXPECT_TRUE(absl::IsNotFound(
      InWrite<domain::ReturnToPlayPlan>([&](auto& c) { return InsertPlan(c, ghost); }).status()));
  EXPECT_TRUE(absl::IsNotFound(Find(999).status()));
  domain::CriterionMark mark{.criterion_id = 999, .met = true, .evidence = "x"};
  EXPECT_TRUE(absl::IsNotFound(
      InWrite<domain::CriterionMark>([&](auto& c) { return InsertMark(c, mark); }).status()));
}

TEST_F(ReturnToPlayStoreTest, StagesOfManyPlayersInOneRead) {
  std::vector<Id> plans;
  for (int i : {0, 1}) {
    auto plan = InWrite<domain::ReturnToPlayPlan>([&](auto& c) { return InsertPlan(c, MakePlan(i)); });
    ASSERT_TRUE(plan.ok());
    plans.push_back(plan->id);
  }
  for (int stage : {1, 2}) {
    domain::StageReached r{.stage = static_cast<ReturnToPlayStage>(stage),
                           .reached_at = kT0 + absl::Hours(stage)};
    ASSERT_TRUE(InWrite<domain::StageReached>([&](auto& c) { return InsertStageReached(c, plans[0], r); }).ok());
  }
  std::vector<domain::StageReached> stages;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    stages = ListStagesOfPlayers(c, players_);
                    return absl::OkStatus();
                  }).ok());
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].complaint_id, complaints_[0]);
  EXPECT_EQ(stages[1].stage, ReturnToPlayStage::kSport);
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    stages = ListStagesOfPlayers(c, {players_[1]});
                    return absl::OkStatus();
                  }).ok());
  EXPECT_TRUE(stages.empty());
}

TEST_F(ReturnToPlayStoreTest, AWriteReportsItsPlayerToTheBoard) {
  TOUCHLINE_SQLITE_ONLY("players changed per write come from SQLite's update hook; PostgreSQL says every player");
  auto plan = InWrite<domain::ReturnToPlayPlan>([&](auto& c) { return InsertPlan(c, MakePlan(1)); });
  ASSERT_TRUE(plan.ok());
  const uint64_t before = db_->RecordsGeneration();
  domain::StageReached r{.stage = ReturnToPlayStage::kParticipation, .reached_at = kT0};
  ASSERT_TRUE(InWrite<domain::StageReached>([&](auto& c) { return InsertStageReached(c, plan->id, r); }).ok());
  const auto changed = db_->PlayersChangedSince(before);
  ASSERT_TRUE(changed.has_value());
  EXPECT_THAT(*changed, ElementsAre(players_[1]));
}

TEST_F(ReturnToPlayStoreTest, TheDatabaseRefusesUpdateAndDelete) {
  auto plan = InWrite<domain::ReturnToPlayPlan>([&](auto& c) { return InsertPlan(c, MakePlan(0)); });
  ASSERT_TRUE(plan.ok());
  // Rows in every table, then each UPDATE and DELETE refused.
  ASSERT_TRUE(Write([&](storage::Transaction& c) -> absl::Status {
                c.Execute(absl::StrCat(
                    "INSERT INTO return_to_play_planned_dates VALUES (9001, ", plan->id,
                    ", 2, 0, '', 0, 'x'); INSERT INTO return_to_play_criteria VALUES (9002, ",
                    plan->id, ", 1, 'c', 0, 0, 0, NULL, '', 0, 'x');"
                    " INSERT INTO return_to_play_marks VALUES (9003, 9002, 1, 'e',"
                    " NULL, '', 0, 'x'); INSERT INTO return_to_play_stages VALUES (9004, ",
                    plan->id, ", 1, 0, '', 0, 'x');"));
                return absl::OkStatus();
              }).ok());
  for (const char* table : {"return_to_play_plans", "return_to_play_planned_dates",
                            "return_to_play_criteria", "return_to_play_marks",
                            "return_to_play_stages"}) {
    for (const std::string& run :
         {absl::StrCat("UPDATE ", table, " SET id = id"), absl::StrCat("DELETE FROM ", table)}) {
      const absl::Status st = Write([&](storage::Transaction& c) -> absl::Status {
        c.Execute(run);
        return absl::OkStatus();
      });
      EXPECT_FALSE(st.ok()) << run;
      EXPECT_THAT(std::string(st.message()), HasSubstr("append-only")) << run;
    }
  }
}

}  // namespace
}  // namespace touchline::storage
