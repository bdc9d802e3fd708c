// Return to play in the domain (issue 19 item 5): stages in order and only with their criteria
// met, typed criteria checked against assessments, readiness driven by the stage (an override
// still wins), and the IOC 2020 severity class at its boundaries, to the minute.
#include "server/domain/return_to_play_rules.h"

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/flag_rules.h"
#include "server/domain/readiness_rules.h"

namespace touchline::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr Id kPlayer = 4;
constexpr Id kComplaint = 21;

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

const absl::Time kOnset = At(2026, 11, 1, 10, 0);

Complaint Acute(Side side = Side::kRight) {
  Complaint c;
  c.id = kComplaint;
  c.player_id = kPlayer;
  c.side = side;
  c.onset_kind = OnsetKind::kAcute;
  c.mechanism = Mechanism::kSprinting;
  c.onset_at = kOnset;
  return c;
}

ReturnCriterion Criterion(Id id, ReturnToPlayStage stage, std::string text,
                          CriterionCheck check = CriterionCheck::kNone, double threshold = 0) {
  ReturnCriterion c;
  c.id = id;
  c.stage = stage;
  c.description = std::move(text);
  c.check = check;
  c.threshold = threshold;
  return c;
}

CriterionMark Mark(Id id, Id criterion, bool met) {
  CriterionMark m;
  m.id = id;
  m.criterion_id = criterion;
  m.met = met;
  m.evidence = met ? "seen on the field" : "retracted";
  return m;
}

StageReached Reached(ReturnToPlayStage stage, absl::Time at, Id complaint = kComplaint) {
  StageReached r;
  r.complaint_id = complaint;
  r.stage = stage;
  r.reached_at = at;
  return r;
}

ReturnToPlayPlan Plan() {
  ReturnToPlayPlan p;
  p.id = 1;
  p.complaint_id = kComplaint;
  p.player_id = kPlayer;
  return p;
}

Assessment Nordic(double left, double right) {
  Assessment a;
  a.id = 70;
  a.player_id = kPlayer;
  a.kind = AssessmentKind::kNordic;
  a.left = AssessmentSide{.force_newtons = left};
  a.right = AssessmentSide{.force_newtons = right};
  return a;
}

Assessment HTest(std::optional<int> left_mm, std::optional<int> right_mm) {
  Assessment a;
  a.id = 71;
  a.player_id = kPlayer;
  a.kind = AssessmentKind::kAsklingHTest;
  if (left_mm) a.left = AssessmentSide{.apprehension_mm = left_mm};
  if (right_mm) a.right = AssessmentSide{.apprehension_mm = right_mm};
  return a;
}

// ---- stages ----

TEST(ReturnToPlayStages, ReachedInOrderOnlyWithEveryCurrentCriterionMet) {
  ReturnToPlayPlan plan = Plan();
  const Complaint complaint = Acute();
  plan.criteria = {Criterion(1, ReturnToPlayStage::kParticipation, "pain-free jog"),
                   Criterion(2, ReturnToPlayStage::kParticipation, "full knee extension")};
  const absl::Time at = kOnset + absl::Hours(24 * 5);

  auto refusal = CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation, at);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->kind, StageRefusal::Kind::kUnmetCriteria);
  EXPECT_THAT(refusal->unmet_criterion_ids, ElementsAre(1, 2));
  EXPECT_THAT(refusal->message, HasSubstr("1 \"pain-free jog\""));

  plan.marks = {Mark(1, 1, true), Mark(2, 2, true), Mark(3, 2, false)};  // 2 met, then retracted
  refusal = CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation, at);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_THAT(refusal->unmet_criterion_ids, ElementsAre(2));

  plan.marks.push_back(Mark(4, 2, true));
  EXPECT_FALSE(CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation, at).has_value());

  // A withdrawn criterion no longer counts; a corrected one counts as its correction.
  plan.criteria.push_back(Criterion(3, ReturnToPlayStage::kParticipation, "typo"));
  EXPECT_TRUE(CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation, at).has_value());
  plan.criteria[2].superseded_by = 4;
  ReturnCriterion withdrawal = Criterion(4, ReturnToPlayStage::kParticipation, "typo");
  withdrawal.withdrawn = true;
  withdrawal.amends_id = 3;
  plan.criteria.push_back(withdrawal);
  EXPECT_FALSE(CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation, at).has_value());
}

TEST(ReturnToPlayStages, NoSkippingNoRepeatNothingBeforeOnsetOrThePreviousStage) {
  ReturnToPlayPlan plan = Plan();
  const Complaint complaint = Acute();
  auto refusal = CheckStageReach(plan, complaint, ReturnToPlayStage::kSport, kOnset + absl::Hours(48));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->kind, StageRefusal::Kind::kOutOfOrder);
  EXPECT_THAT(refusal->message, HasSubstr("not skipped"));

  refusal = CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation,
                            kOnset - absl::Minutes(1));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->kind, StageRefusal::Kind::kTooEarly);
  EXPECT_FALSE(CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation, kOnset));

  const absl::Time participation = kOnset + absl::Hours(24 * 6);
  plan.reached = {Reached(ReturnToPlayStage::kParticipation, participation)};
  refusal = CheckStageReach(plan, complaint, ReturnToPlayStage::kParticipation, participation);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->kind, StageRefusal::Kind::kAlreadyReached);
  refusal = CheckStageReach(plan, complaint, ReturnToPlayStage::kSport,
                            participation - absl::Microseconds(1));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->kind, StageRefusal::Kind::kTooEarly);
  EXPECT_FALSE(CheckStageReach(plan, complaint, ReturnToPlayStage::kSport, participation));
  refusal = CheckStageReach(plan, complaint, ReturnToPlayStage::kPerformance,
                            participation + absl::Hours(1));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->kind, StageRefusal::Kind::kOutOfOrder);
}

TEST(ReturnToPlayStages, StageAtIsTheHighestReachedByThenOfThatComplaint) {
  const absl::Time t1 = kOnset + absl::Hours(24 * 4);
  const absl::Time t2 = kOnset + absl::Hours(24 * 12);
  const std::vector<StageReached> reached = {Reached(ReturnToPlayStage::kParticipation, t1),
                                             Reached(ReturnToPlayStage::kSport, t2),
                                             Reached(ReturnToPlayStage::kPerformance, t1, 99)};
  EXPECT_FALSE(StageAt(reached, kComplaint, t1 - absl::Microseconds(1)).has_value());
  EXPECT_EQ(StageAt(reached, kComplaint, t1), ReturnToPlayStage::kParticipation);
  EXPECT_EQ(StageAt(reached, kComplaint, t2 - absl::Microseconds(1)),
            ReturnToPlayStage::kParticipation);
  EXPECT_EQ(StageAt(reached, kComplaint, t2), ReturnToPlayStage::kSport);
}

TEST(ReturnToPlayStages, PlannedDateIsTheLatestRowOfTheStage) {
  ReturnToPlayPlan plan = Plan();
  EXPECT_FALSE(PlannedDate(plan, ReturnToPlayStage::kSport).has_value());
  plan.planned_dates = {{.id = 1, .stage = ReturnToPlayStage::kSport, .planned_at = At(2026, 11, 20)},
                        {.id = 2, .stage = ReturnToPlayStage::kSport, .planned_at = At(2026, 11, 27)},
                        {.id = 3, .stage = ReturnToPlayStage::kPerformance,
                         .planned_at = At(2026, 12, 5)}};
  EXPECT_EQ(PlannedDate(plan, ReturnToPlayStage::kSport), At(2026, 11, 27));
  EXPECT_EQ(PlannedDate(plan, ReturnToPlayStage::kPerformance), At(2026, 12, 5));
}

// ---- typed criteria ----

TEST(ReturnToPlayCriteria, EccentricAsymmetryWithinTenPercentAtTheBoundary) {
  const ReturnCriterion c = Criterion(1, ReturnToPlayStage::kSport, "Nordic within 10%",
                                      CriterionCheck::kEccentricAsymmetry, 10);
  const Complaint complaint = Acute();
  auto e = EvaluateCriterion(c, complaint, Nordic(400, 360));  // exactly 10%
  EXPECT_TRUE(e.passed) << e.finding;
  EXPECT_THAT(e.finding, HasSubstr("10.0%"));
  e = EvaluateCriterion(c, complaint, Nordic(400, 359.6));  // 10.1%
  EXPECT_FALSE(e.passed) << e.finding;
  EXPECT_THAT(e.finding, HasSubstr("above"));
  e = EvaluateCriterion(c, complaint, Nordic(330, 300));  // 9.09%, the left stronger
  EXPECT_TRUE(e.passed);

  Assessment one_leg = Nordic(400, 360);
  one_leg.right.reset();
  EXPECT_FALSE(EvaluateCriterion(c, complaint, one_leg).passed);
  EXPECT_THAT(EvaluateCriterion(c, complaint, HTest(0, 0)).finding, HasSubstr("not a Nordic"));
}

TEST(ReturnToPlayCriteria, HTestApprehensionOnTheComplaintsLeg) {
  const ReturnCriterion c = Criterion(1, ReturnToPlayStage::kSport, "no H-test apprehension",
                                      CriterionCheck::kHTestApprehension, 0);
  EXPECT_TRUE(EvaluateCriterion(c, Acute(Side::kRight), HTest(std::nullopt, 0)).passed);
  EXPECT_FALSE(EvaluateCriterion(c, Acute(Side::kRight), HTest(0, 1)).passed);
  // The other leg's apprehension does not decide; a missing value on the complaint's leg fails.
  EXPECT_TRUE(EvaluateCriterion(c, Acute(Side::kRight), HTest(30, 0)).passed);
  const auto missing = EvaluateCriterion(c, Acute(Side::kLeft), HTest(std::nullopt, 0));
  EXPECT_FALSE(missing.passed);
  EXPECT_THAT(missing.finding, HasSubstr("left leg"));
  EXPECT_FALSE(EvaluateCriterion(c, Acute(Side::kBoth), HTest(0, 5)).passed);
  EXPECT_TRUE(EvaluateCriterion(c, Acute(Side::kBoth), HTest(0, 0)).passed);
  EXPECT_FALSE(EvaluateCriterion(c, Acute(), Nordic(400, 400)).passed);
}

// ---- readiness ----

PlayerReadiness Readiness(const std::vector<Complaint>& complaints,
                          const std::vector<StageReached>& stages, absl::Time at,
                          const std::vector<Flag>& flags = {},
                          const std::vector<ReadinessOverride>& overrides = {}) {
  return EvaluateReadiness(kPlayer, complaints, flags, overrides, stages, at);
}

TEST(ReturnToPlayReadiness, TheStageDrivesAvailabilityFromTheInstantItIsReached) {
  const std::vector<Complaint> complaints = {Acute()};
  const absl::Time participation = kOnset + absl::Hours(24 * 6);
  const absl::Time sport = kOnset + absl::Hours(24 * 15);
  std::vector<StageReached> stages = {Reached(ReturnToPlayStage::kParticipation, participation),
                                      Reached(ReturnToPlayStage::kSport, sport)};

  EXPECT_EQ(Readiness(complaints, stages, participation - absl::Microseconds(1)).availability,
            Availability::kUnavailable);  // acute, no stage yet
  const auto modified = Readiness(complaints, stages, participation);
  EXPECT_EQ(modified.availability, Availability::kModified);
  ASSERT_EQ(modified.reasons.size(), 1u);
  EXPECT_EQ(modified.reasons[0].code, ReadinessReasonCode::kReturnToPlay);
  EXPECT_EQ(modified.reasons[0].stage, ReturnToPlayStage::kParticipation);
  EXPECT_EQ(modified.reasons[0].text,
            "Return to participation (right) since 2026-11-07: modified training");

  const auto available = Readiness(complaints, stages, sport);
  EXPECT_EQ(available.availability, Availability::kAvailable);
  ASSERT_EQ(available.reasons.size(), 1u);  // still listed while the complaint is open
  EXPECT_EQ(available.reasons[0].stage, ReturnToPlayStage::kSport);
  EXPECT_THAT(available.reasons[0].text, HasSubstr("full training and selection"));

  // Another complaint's stage does not count for this one.
  stages = {Reached(ReturnToPlayStage::kSport, participation, 99)};
  EXPECT_EQ(Readiness(complaints, stages, sport).availability, Availability::kUnavailable);
}

TEST(ReturnToPlayReadiness, AFlagRestrictsUntilItsComplaintReachesReturnToSport) {
  Complaint gradual = Acute();
  gradual.onset_kind = OnsetKind::kGradual;
  Flag persistent;
  persistent.kind = FlagKind::kPersistent;
  persistent.player_id = kPlayer;
  persistent.complaint_ids = {kComplaint};
  persistent.began_at = kOnset + absl::Hours(24 * 42);
  const absl::Time at = kOnset + absl::Hours(24 * 50);
  const std::vector<Flag> flags = {persistent};
  std::vector<StageReached> stages = {Reached(ReturnToPlayStage::kParticipation, kOnset + absl::Hours(24 * 30))};
  EXPECT_EQ(Readiness({gradual}, stages, at, flags).availability, Availability::kModified);
  stages.push_back(Reached(ReturnToPlayStage::kSport, kOnset + absl::Hours(24 * 45)));
  const auto r = Readiness({gradual}, stages, at, flags);
  EXPECT_EQ(r.availability, Availability::kAvailable);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[1].code, ReadinessReasonCode::kActiveFlag);  // listed, not restricting
}

TEST(ReturnToPlayReadiness, AnOverrideStillWins) {
  const std::vector<Complaint> complaints = {Acute()};
  const absl::Time sport = kOnset + absl::Hours(24 * 15);
  const std::vector<StageReached> stages = {
      Reached(ReturnToPlayStage::kParticipation, kOnset + absl::Hours(24 * 6)),
      Reached(ReturnToPlayStage::kSport, sport)};
  ReadinessOverride o;
  o.id = 5;
  o.player_id = kPlayer;
  o.availability = Availability::kUnavailable;
  o.starts_at = sport;
  o.expires_at = sport + absl::Hours(48);
  const auto r = Readiness(complaints, stages, sport + absl::Hours(1), {}, {o});
  EXPECT_EQ(r.availability, Availability::kUnavailable);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0].code, ReadinessReasonCode::kOverride);
  EXPECT_EQ(r.reasons[1].code, ReadinessReasonCode::kReturnToPlay);
}

TEST(ReturnToPlayReadiness, AStageReachedLaterIsAnnouncedAsTheNextChange) {
  const std::vector<Complaint> complaints = {Acute()};
  const absl::Time participation = kOnset + absl::Hours(24 * 6);
  const std::vector<StageReached> stages = {Reached(ReturnToPlayStage::kParticipation, participation)};
  const FlagThresholds th;
  const auto next = NextReadinessChange(complaints, {}, stages, kOnset + absl::Hours(24), th);
  ASSERT_TRUE(next.has_value());
  EXPECT_LE(*next, participation);
  const auto without = NextReadinessChange(complaints, {}, {}, kOnset + absl::Hours(24), th);
  EXPECT_TRUE(!without || *without > participation);  // the stage is what announces it
}

// ---- severity (IOC 2020) ----

TEST(Severity, BoundariesToTheMinute) {
  const absl::Time onset = At(2026, 11, 1, 15, 30);
  auto classify = [&](absl::Duration loss) {
    return ClassifySeverity(TimeLossDays(onset, onset + loss));
  };
  const absl::Duration day = absl::Hours(24);
  EXPECT_EQ(TimeLossDays(onset, onset), 0);
  EXPECT_EQ(classify(absl::ZeroDuration()), SeverityClass::kMinimalToMild);
  EXPECT_EQ(TimeLossDays(onset, onset + 7 * day + absl::Hours(23) + absl::Minutes(59)), 7);
  EXPECT_EQ(classify(7 * day + absl::Hours(23) + absl::Minutes(59)), SeverityClass::kMinimalToMild);
  EXPECT_EQ(classify(8 * day), SeverityClass::kModerate);
  EXPECT_EQ(classify(28 * day + absl::Hours(23) + absl::Minutes(59)), SeverityClass::kModerate);
  EXPECT_EQ(classify(29 * day), SeverityClass::kSevere);
  EXPECT_EQ(TimeLossDays(onset, onset - absl::Minutes(1)), 0);
  EXPECT_EQ(SeverityText(SeverityClass::kMinimalToMild), "minimal-to-mild");
  EXPECT_EQ(SeverityText(SeverityClass::kSevere), "severe");
}

}  // namespace
}  // namespace touchline::domain
