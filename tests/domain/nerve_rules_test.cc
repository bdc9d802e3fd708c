// Nerve involvement (issue 19 item 4): each reason alone, the latest test of a kind decides, the
// complaint's leg, the instant at the minute; and which exercises count as a static hamstring
// stretch.
#include "server/domain/nerve_rules.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr Id kPlayer = 3;
const absl::Time kOnset =
    absl::FromCivil(absl::CivilMinute(2026, 10, 5, 9, 30), absl::UTCTimeZone());
const absl::Duration kMinute = absl::Minutes(1);
absl::Duration Days(int d) { return absl::Hours(24 * d); }

Complaint Gradual(Side side = Side::kLeft) {
  Complaint c;
  c.id = 11;
  c.player_id = kPlayer;
  c.side = side;
  c.onset_at = kOnset;
  return c;
}

// A slump (or straight-leg raise) on one leg: positive when `positive`.
Assessment Tension(Id id, AssessmentKind kind, Side leg, absl::Time at, bool positive) {
  Assessment a;
  a.id = id;
  a.player_id = kPlayer;
  a.kind = kind;
  a.assessed_at = at;
  AssessmentSide s;
  s.angle_degrees = 60;
  s.sensitised_angle_degrees = 45;
  s.symptoms_reproduced = positive;
  s.sensitised_symptoms_reproduced = positive;
  s.sensitiser_changes_symptoms = positive;
  AssessmentSide other = s;
  other.symptoms_reproduced = other.sensitised_symptoms_reproduced = false;
  other.sensitiser_changes_symptoms = false;
  (leg == Side::kLeft ? a.left : a.right) = s;
  (leg == Side::kLeft ? a.right : a.left) = other;
  return a;
}

std::vector<NerveReason> Reasons(const NerveInvolvement& n) {
  std::vector<NerveReason> out;
  for (const auto& r : n.reasons) out.push_back(r.reason);
  return out;
}

TEST(NerveInvolvementTest, NoReasonNoInvolvement) {
  Complaint c = Gradual();
  c.symptoms.tightness = true;  // tightness alone is not the pattern
  const auto n = ClassifyNerveInvolvement(c, {}, kOnset + Days(3));
  EXPECT_FALSE(n.involved());
  EXPECT_EQ(n.Summary(), "");
}

TEST(NerveInvolvementTest, EachReasonAloneInvolvesTheNerve) {
  {
    Complaint c = Gradual();
    c.history.lumbar_disc_herniation = true;
    EXPECT_THAT(Reasons(ClassifyNerveInvolvement(c, {}, kOnset)),
                ElementsAre(NerveReason::kDiscHerniationHistory));
  }
  {
    Complaint c = Gradual();
    c.findings.sciatic_nerve_tension = true;
    const auto n = ClassifyNerveInvolvement(c, {}, kOnset);
    EXPECT_THAT(Reasons(n), ElementsAre(NerveReason::kNeuralTension));
    EXPECT_THAT(n.Summary(), HasSubstr("sciatic nerve tension on examination"));
  }
  {
    Complaint c = Gradual();
    c.symptoms.tightness = c.symptoms.spasm = true;
    EXPECT_THAT(Reasons(ClassifyNerveInvolvement(c, {}, kOnset)),
                ElementsAre(NerveReason::kTightnessAndSpasm));
  }
  for (AssessmentKind kind : {AssessmentKind::kSlump, AssessmentKind::kStraightLegRaise}) {
    const std::vector<Assessment> tests = {Tension(5, kind, Side::kLeft, kOnset + Days(2), true)};
    const auto n = ClassifyNerveInvolvement(Gradual(), tests, kOnset + Days(2));
    EXPECT_THAT(Reasons(n), ElementsAre(NerveReason::kNeuralTension));
    EXPECT_EQ(n.reasons[0].assessment_id, 5);
    EXPECT_THAT(n.Summary(), HasSubstr("(left) on 2026-10-07, assessment 5"));
  }
}

TEST(NerveInvolvementTest, EveryReasonInEnumOrder) {
  Complaint c = Gradual();
  c.history.lumbar_disc_herniation = true;
  CheckIn ci;
  ci.checked_at = kOnset + Days(4);
  ci.symptoms.tightness = ci.symptoms.spasm = true;
  c.check_ins = {ci};
  const std::vector<Assessment> tests = {
      Tension(5, AssessmentKind::kSlump, Side::kLeft, kOnset + Days(1), true)};
  EXPECT_THAT(Reasons(ClassifyNerveInvolvement(c, tests, kOnset + Days(4))),
              ElementsAre(NerveReason::kNeuralTension, NerveReason::kDiscHerniationHistory,
                          NerveReason::kTightnessAndSpasm));
}

TEST(NerveInvolvementTest, AssessmentsAndCheckInsCountFromTheirMinute) {
  Complaint c = Gradual();
  CheckIn ci;
  ci.checked_at = kOnset + Days(10);
  ci.symptoms.tightness = ci.symptoms.spasm = true;
  c.check_ins = {ci};
  const std::vector<Assessment> tests = {
      Tension(5, AssessmentKind::kSlump, Side::kLeft, kOnset + Days(10), true)};
  EXPECT_FALSE(ClassifyNerveInvolvement(c, tests, kOnset + Days(10) - kMinute).involved());
  EXPECT_THAT(Reasons(ClassifyNerveInvolvement(c, tests, kOnset + Days(10))),
              ElementsAre(NerveReason::kNeuralTension, NerveReason::kTightnessAndSpasm));
}

TEST(NerveInvolvementTest, ATestBeforeOnsetOrOfAnotherPlayerOrSupersededDoesNotCount) {
  Assessment before = Tension(5, AssessmentKind::kSlump, Side::kLeft, kOnset - kMinute, true);
  Assessment other = Tension(6, AssessmentKind::kSlump, Side::kLeft, kOnset + Days(1), true);
  other.player_id = kPlayer + 1;
  Assessment superseded = Tension(7, AssessmentKind::kSlump, Side::kLeft, kOnset + Days(1), true);
  superseded.superseded_by = 8;
  const std::vector<Assessment> tests = {before, other, superseded};
  EXPECT_FALSE(ClassifyNerveInvolvement(Gradual(), tests, kOnset + Days(5)).involved());
  // The onset minute itself counts.
  before.assessed_at = kOnset;
  EXPECT_TRUE(ClassifyNerveInvolvement(Gradual(), std::vector<Assessment>{before}, kOnset + Days(5))
                  .involved());
}

TEST(NerveInvolvementTest, TheLatestTestOfAKindDecidesAndOnlyOnTheComplaintsLeg) {
  const std::vector<Assessment> positive_then_negative = {
      Tension(5, AssessmentKind::kSlump, Side::kLeft, kOnset + Days(1), true),
      Tension(6, AssessmentKind::kSlump, Side::kLeft, kOnset + Days(8), false)};
  EXPECT_TRUE(ClassifyNerveInvolvement(Gradual(), positive_then_negative, kOnset + Days(8) - kMinute)
                  .involved());
  EXPECT_FALSE(
      ClassifyNerveInvolvement(Gradual(), positive_then_negative, kOnset + Days(8)).involved());
  // A negative slump does not clear a positive straight-leg raise: each kind on its own.
  std::vector<Assessment> mixed = positive_then_negative;
  mixed.push_back(Tension(7, AssessmentKind::kStraightLegRaise, Side::kLeft, kOnset + Days(2), true));
  EXPECT_TRUE(ClassifyNerveInvolvement(Gradual(), mixed, kOnset + Days(9)).involved());
  // The other leg's finding is not this complaint's; a complaint of both legs takes either.
  const std::vector<Assessment> right = {
      Tension(9, AssessmentKind::kSlump, Side::kRight, kOnset + Days(1), true)};
  EXPECT_FALSE(ClassifyNerveInvolvement(Gradual(Side::kLeft), right, kOnset + Days(2)).involved());
  EXPECT_TRUE(ClassifyNerveInvolvement(Gradual(Side::kRight), right, kOnset + Days(2)).involved());
  EXPECT_TRUE(ClassifyNerveInvolvement(Gradual(Side::kBoth), right, kOnset + Days(2)).involved());
}

TEST(StaticHamstringStretchTest, DeclaredOrRecognisedByNameWhenUndeclared) {
  EXPECT_TRUE(IsStaticHamstringStretch(ExerciseCategory::kStaticHamstringStretch, "Anything"));
  EXPECT_TRUE(IsStaticHamstringStretch(ExerciseCategory::kUnspecified, "Standing hamstring stretch"));
  EXPECT_TRUE(IsStaticHamstringStretch(ExerciseCategory::kUnspecified, "STRETCH: Hamstrings, long sit"));
  EXPECT_FALSE(IsStaticHamstringStretch(ExerciseCategory::kUnspecified, "Nordic hamstring curl"));
  EXPECT_FALSE(IsStaticHamstringStretch(ExerciseCategory::kUnspecified, "Quadriceps stretch"));
  EXPECT_FALSE(
      IsStaticHamstringStretch(ExerciseCategory::kUnspecified, "Sciatic nerve slider (seated slump)"));
  // A declared category is believed: a plugin that says dynamic mobility means it.
  EXPECT_FALSE(IsStaticHamstringStretch(ExerciseCategory::kDynamicMobility, "Hamstring stretch swings"));
}

TEST(StaticHamstringStretchTest, UnsafeOnlyForANerveInvolvedComplaint) {
  NerveInvolvement none;
  EXPECT_EQ(WhyUnsafeForComplaint(ExerciseCategory::kStaticHamstringStretch, "x", none), "");
  NerveInvolvement disc;
  disc.reasons.push_back({NerveReason::kDiscHerniationHistory, "history of lumbar disc herniation", 0});
  EXPECT_THAT(WhyUnsafeForComplaint(ExerciseCategory::kStaticHamstringStretch, "x", disc),
              HasSubstr("history of lumbar disc herniation"));
  EXPECT_EQ(WhyUnsafeForComplaint(ExerciseCategory::kNeuralMobilisation, "Slider", disc), "");
}

}  // namespace
}  // namespace touchline::domain
