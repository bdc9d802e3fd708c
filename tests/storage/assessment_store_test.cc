// Assessments against a real SQLite file: round trip of every leg's measures (NULL stays unset),
// corrections as new rows (superseded_by, one correction per record), filters and the cursor,
// baselines and pelvic screens of many players, and that the database refuses UPDATE and DELETE.
#include "server/storage/assessment_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/database.h"
#include "server/storage/record_store.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

using domain::Assessment;
using domain::AssessmentKind;
using domain::AssessmentSide;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixMicros(1'780'000'000'123'456);

std::vector<Id> Ids(const std::vector<Assessment>& list) {
  std::vector<Id> ids;
  for (const auto& a : list) ids.push_back(a.id);
  return ids;
}

class AssessmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenOrDie(tmp_.path());
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->Write([&](storage::Transaction& c) -> absl::Status {
                      for (const char* name : {"First XV", "A team"}) {
                        domain::Squad s;
                        s.name = name;
                        auto squad = InsertSquad(c, s);
                        if (!squad.ok()) return squad.status();
                        squads_.push_back(squad->id);
                        domain::Player p;
                        p.squad_id = squad->id;
                        p.name = absl::StrCat("Player of ", name);
                        auto player = InsertPlayer(c, p);
                        if (!player.ok()) return player.status();
                        players_.push_back(player->id);
                      }
                      return absl::OkStatus();
                    }).ok());
  }

  Assessment Make(int player_index, AssessmentKind kind, absl::Time at) {
    Assessment a;
    a.player_id = players_[player_index];
    a.kind = kind;
    a.assessed_at = at;
    a.recorded_at = kT0;
    a.recorded_by = "physio.pat";
    return a;
  }

  absl::StatusOr<Assessment> Insert(const Assessment& a) {
    absl::StatusOr<Assessment> out;
    const absl::Status st = db_->Write([&](storage::Transaction& c) -> absl::Status {
      out = InsertAssessment(c, a);
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }

  template <typename F>
  auto Read(F f) {
    decltype(f(std::declval<storage::Transaction&>())) out;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                      out = f(c);
                      return absl::OkStatus();
                    }).ok());
    return out;
  }

  testing::TempDbPath tmp_;
  std::unique_ptr<Database> db_;
  std::vector<Id> squads_, players_;
};

TEST_F(AssessmentStoreTest, EveryMeasureRoundTripsAndUnsetStaysUnset) {
  Assessment a = Make(0, AssessmentKind::kStraightLegRaise, kT0);
  a.baseline = true;
  a.note = "pre-season";
  a.left = AssessmentSide{.angle_degrees = 82.5,
                          .sensitised_angle_degrees = 70,
                          .symptoms_reproduced = false,
                          .sensitised_symptoms_reproduced = true,
                          .sensitiser_changes_symptoms = true};
  a.right = AssessmentSide{.angle_degrees = 88};
  auto stored = Insert(a);
  ASSERT_TRUE(stored.ok()) << stored.status();
  auto found = Read([&](storage::Transaction& c) { return FindAssessment(c, stored->id); });
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->kind, AssessmentKind::kStraightLegRaise);
  EXPECT_EQ(found->assessed_at, kT0);
  EXPECT_TRUE(found->baseline);
  EXPECT_EQ(found->note, "pre-season");
  EXPECT_EQ(found->left, a.left);
  EXPECT_EQ(found->right, a.right);
  EXPECT_FALSE(found->right->sensitised_angle_degrees.has_value());
  EXPECT_FALSE(found->right->force_newtons.has_value());
  EXPECT_EQ(found->complaint_id, 0);
  EXPECT_EQ(found->superseded_by, 0);

  Assessment screen = Make(0, AssessmentKind::kPelvicScreen, kT0 + absl::Hours(1));
  screen.pelvic_rotation = domain::PelvicRotation::kLeft;
  screen.left = AssessmentSide{.piriformis_tone = domain::MuscleTone::kSpasm};
  Assessment spine = Make(0, AssessmentKind::kSpinalMobility, kT0 + absl::Hours(2));
  spine.lumbar_flexion_cm = 5.5;
  spine.right = AssessmentSide{.thoracic_rotation_degrees = 48};
  Assessment h = Make(0, AssessmentKind::kAsklingHTest, kT0 + absl::Hours(3));
  h.left = AssessmentSide{.hip_flexion_degrees = 75, .apprehension_mm = 30};
  Assessment iso = Make(0, AssessmentKind::kIsometricStrength, kT0 + absl::Hours(4));
  iso.knee_flexion_degrees = 90;
  iso.left = AssessmentSide{.force_newtons = 310.5};
  for (const Assessment& one : {screen, spine, h, iso}) {
    auto in = Insert(one);
    ASSERT_TRUE(in.ok()) << in.status();
    auto back = Read([&](storage::Transaction& c) { return FindAssessment(c, in->id); });
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->pelvic_rotation, one.pelvic_rotation);
    EXPECT_EQ(back->lumbar_flexion_cm, one.lumbar_flexion_cm);
    EXPECT_EQ(back->knee_flexion_degrees, one.knee_flexion_degrees);
    EXPECT_EQ(back->left, one.left);
    EXPECT_EQ(back->right, one.right);
  }
}

TEST_F(AssessmentStoreTest, ACorrectionIsANewRowAndTheOriginalIsSuperseded) {
  Assessment a = Make(0, AssessmentKind::kNordic, kT0);
  a.left = AssessmentSide{.force_newtons = 300};
  auto original = Insert(a);
  ASSERT_TRUE(original.ok());
  Assessment fix = a;
  fix.left->force_newtons = 330;
  fix.amends_id = original->id;
  fix.amend_reason = "typo";
  auto corrected = Insert(fix);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  auto old = Read([&](storage::Transaction& c) { return FindAssessment(c, original->id); });
  EXPECT_EQ(old->superseded_by, corrected->id);
  EXPECT_EQ(old->left->force_newtons, 300);
  // A record is corrected once: the next correction amends the correction.
  auto twice = Insert(fix);
  EXPECT_TRUE(absl::IsFailedPrecondition(twice.status())) << twice.status();
  fix.amends_id = corrected->id;
  EXPECT_TRUE(Insert(fix).ok());

  AssessmentFilter current{.player_id = players_[0]};
  EXPECT_EQ(Read([&](storage::Transaction& c) { return ListAssessments(c, current, {}, 10); }).size(),
            1u);
  AssessmentFilter all{.player_id = players_[0], .include_superseded = true};
  EXPECT_EQ(Read([&](storage::Transaction& c) { return ListAssessments(c, all, {}, 10); }).size(), 3u);
}

TEST_F(AssessmentStoreTest, TheDatabaseRefusesUpdateAndDelete) {
  Assessment a = Make(0, AssessmentKind::kNordic, kT0);
  a.left = AssessmentSide{.force_newtons = 300};
  ASSERT_TRUE(Insert(a).ok());
  for (const char* sql : {"UPDATE assessments SET note = 'x'", "DELETE FROM assessments",
                          "UPDATE assessment_sides SET force_newtons = 1",
                          "DELETE FROM assessment_sides"}) {
    const absl::Status st = db_->Write([&](storage::Transaction& c) -> absl::Status {
      c.Execute(sql);
      return absl::OkStatus();
    });
    EXPECT_FALSE(st.ok()) << sql;
    EXPECT_THAT(std::string(st.message()), HasSubstr("append-only")) << sql;
  }
}

TEST_F(AssessmentStoreTest, UnknownPlayerOrComplaintIsNotFound) {
  Assessment a = Make(0, AssessmentKind::kNordic, kT0);
  a.player_id = 999;
  EXPECT_TRUE(absl::IsNotFound(Insert(a).status()));
  a = Make(0, AssessmentKind::kNordic, kT0);
  a.complaint_id = 999;
  EXPECT_TRUE(absl::IsNotFound(Insert(a).status()));
}

TEST_F(AssessmentStoreTest, FiltersCursorBaselinesAndScreens) {
  std::vector<Id> ids;
  for (int i = 0; i < 4; ++i) {
    Assessment a = Make(i % 2, i < 2 ? AssessmentKind::kNordic : AssessmentKind::kPelvicScreen,
                        kT0 + absl::Hours(i));
    a.baseline = i == 0;
    if (a.kind == AssessmentKind::kPelvicScreen) a.pelvic_rotation = domain::PelvicRotation::kNone;
    auto in = Insert(a);
    ASSERT_TRUE(in.ok());
    ids.push_back(in->id);
  }
  AssessmentFilter squad{.squad_id = squads_[0]};
  EXPECT_THAT(Ids(Read([&](storage::Transaction& c) { return ListAssessments(c, squad, {}, 10); })),
              ElementsAre(ids[0], ids[2]));
  AssessmentFilter screens{.player_id = players_[1], .kinds = {AssessmentKind::kPelvicScreen}};
  EXPECT_THAT(Ids(Read([&](storage::Transaction& c) { return ListAssessments(c, screens, {}, 10); })),
              ElementsAre(ids[3]));
  // The cursor: rows strictly after (assessed_at, id).
  AssessmentFilter player0{.player_id = players_[0]};
  const PageCursor after{absl::ToUnixMicros(kT0), ids[0]};
  EXPECT_THAT(Ids(Read([&](storage::Transaction& c) { return ListAssessments(c, player0, after, 10); })),
              ElementsAre(ids[2]));
  EXPECT_THAT(Ids(Read([&](storage::Transaction& c) { return ListBaselinesOfPlayers(c, players_); })),
              ElementsAre(ids[0]));
  EXPECT_THAT(Ids(Read([&](storage::Transaction& c) {
                return ListPelvicScreensOfPlayers(c, players_, kT0 + absl::Hours(2),
                                                  kT0 + absl::Hours(3));
              })),
              ElementsAre(ids[2]));
}

}  // namespace
}  // namespace touchline::storage
