// Objective assessments: asymmetry, change from baseline, and the boundaries of the two findings.
#include "server/domain/assessment_rules.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::domain {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr Id kPlayer = 7;

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

AssessmentSide Force(double newtons) {
  AssessmentSide s;
  s.force_newtons = newtons;
  return s;
}

Assessment Strength(Id id, AssessmentKind kind, absl::Time at, std::optional<double> left,
                    std::optional<double> right, bool baseline = false, int knee = 0) {
  Assessment a;
  a.id = id;
  a.player_id = kPlayer;
  a.kind = kind;
  a.assessed_at = at;
  a.baseline = baseline;
  a.knee_flexion_degrees = knee;
  if (left) a.left = Force(*left);
  if (right) a.right = Force(*right);
  return a;
}

Assessment Nordic(Id id, absl::Time at, std::optional<double> left, std::optional<double> right,
                  bool baseline = false) {
  return Strength(id, AssessmentKind::kNordic, at, left, right, baseline);
}

const absl::Time kDay1 = At(2026, 7, 1, 9);
const absl::Time kDay2 = At(2026, 11, 1, 9);

// --- between-side asymmetry ------------------------------------------------------------------

TEST(AssessmentAsymmetryTest, ImbalanceIsStrongerMinusWeakerOverStronger) {
  const auto analysis = AnalyseAssessment(Nordic(1, kDay2, 400, 340), nullptr, {});
  ASSERT_EQ(analysis.asymmetries.size(), 1u);
  const SideComparison& c = analysis.asymmetries[0];
  EXPECT_EQ(c.measure, "force");
  EXPECT_EQ(c.unit, "N");
  EXPECT_DOUBLE_EQ(c.difference, 60);
  EXPECT_THAT(c.asymmetry_percent, DoubleNear(15.0, 1e-9));
  EXPECT_EQ(c.lower_side, Side::kRight);
}

TEST(AssessmentAsymmetryTest, OneLegOnlyHasNoAsymmetry) {
  EXPECT_THAT(AnalyseAssessment(Nordic(1, kDay2, 400, std::nullopt), nullptr, {}).asymmetries,
              IsEmpty());
}

TEST(AssessmentAsymmetryTest, EqualLegsHaveNoLowerSide) {
  const auto analysis = AnalyseAssessment(Nordic(1, kDay2, 300, 300), nullptr, {});
  ASSERT_EQ(analysis.asymmetries.size(), 1u);
  EXPECT_EQ(analysis.asymmetries[0].asymmetry_percent, 0);
  EXPECT_FALSE(analysis.asymmetries[0].lower_side.has_value());
}

TEST(AssessmentAsymmetryTest, AnglesOfBothNeuralMeasuresAreCompared) {
  Assessment a;
  a.kind = AssessmentKind::kStraightLegRaise;
  a.left = AssessmentSide{.angle_degrees = 80, .sensitised_angle_degrees = 70};
  a.right = AssessmentSide{.angle_degrees = 60, .sensitised_angle_degrees = 45};
  const auto analysis = AnalyseAssessment(a, nullptr, {});
  ASSERT_EQ(analysis.asymmetries.size(), 2u);
  EXPECT_EQ(analysis.asymmetries[0].measure, "angle");
  EXPECT_DOUBLE_EQ(analysis.asymmetries[0].asymmetry_percent, 25);
  EXPECT_EQ(analysis.asymmetries[1].measure, "sensitised_angle");
  EXPECT_EQ(analysis.asymmetries[1].lower_side, Side::kRight);
}

// --- strength deficit: between-side eccentric imbalance (Bourne et al. 2015) -------------------

TEST(StrengthDeficitTest, EccentricImbalanceJustBelowFifteenPercentIsNoDeficit) {
  // 400 vs 340.04 N: 14.99 %.
  const auto analysis = AnalyseAssessment(Nordic(1, kDay2, 400, 340.04), nullptr, {});
  EXPECT_FALSE(analysis.strength_deficit);
  EXPECT_THAT(analysis.findings, IsEmpty());
}

TEST(StrengthDeficitTest, EccentricImbalanceOfExactlyFifteenPercentIsADeficit) {
  // 200 vs 170 N computes to 14.999999999999998 %: at the threshold all the same.
  for (const auto& [stronger, weaker] : {std::pair{400.0, 340.0}, std::pair{200.0, 170.0}}) {
    const auto analysis = AnalyseAssessment(Nordic(1, kDay2, weaker, stronger), nullptr, {});
    EXPECT_TRUE(analysis.strength_deficit) << stronger << " vs " << weaker;
    ASSERT_EQ(analysis.findings.size(), 1u);
    EXPECT_THAT(analysis.findings[0], HasSubstr("eccentric imbalance 15.0%"));
    EXPECT_THAT(analysis.findings[0], HasSubstr("left weaker"));
  }
}

TEST(StrengthDeficitTest, ImbalanceThresholdIsConfigurable) {
  AssessmentThresholds th;
  th.eccentric_imbalance_percent = 20;
  EXPECT_FALSE(AnalyseAssessment(Nordic(1, kDay2, 400, 330), nullptr, th).strength_deficit);
  EXPECT_TRUE(AnalyseAssessment(Nordic(1, kDay2, 400, 320), nullptr, th).strength_deficit);
}

TEST(StrengthDeficitTest, IsometricImbalanceAloneIsNoDeficit) {
  // The imbalance rule is Bourne's, for eccentric force; an isometric imbalance is shown only.
  const auto analysis = AnalyseAssessment(
      Strength(1, AssessmentKind::kIsometricStrength, kDay2, 400, 300, false, 90), nullptr, {});
  ASSERT_EQ(analysis.asymmetries.size(), 1u);
  EXPECT_DOUBLE_EQ(analysis.asymmetries[0].asymmetry_percent, 25);
  EXPECT_FALSE(analysis.strength_deficit);
}

// --- strength deficit: a drop from the player's own baseline ---------------------------------

TEST(StrengthDeficitTest, DropFromBaselineBoundary) {
  const Assessment baseline = Nordic(1, kDay1, 400, 400, /*baseline=*/true);
  // 9.99 % below: no deficit; exactly 10 %: deficit; the change is reported either way.
  auto analysis = AnalyseAssessment(Nordic(2, kDay2, 400, 360.04), &baseline, {});
  EXPECT_FALSE(analysis.strength_deficit);
  EXPECT_EQ(analysis.baseline_id, 1);
  ASSERT_EQ(analysis.changes.size(), 2u);
  EXPECT_EQ(analysis.changes[1].side, Side::kRight);
  EXPECT_THAT(analysis.changes[1].change_percent, DoubleNear(-9.99, 1e-9));

  analysis = AnalyseAssessment(Nordic(2, kDay2, 400, 360), &baseline, {});
  EXPECT_TRUE(analysis.strength_deficit);
  ASSERT_EQ(analysis.findings.size(), 1u);
  EXPECT_THAT(analysis.findings[0], HasSubstr("right Nordic force 360 N is 10.0% below"));
}

TEST(StrengthDeficitTest, GainsAndSmallDropsAreNoDeficit) {
  const Assessment baseline = Nordic(1, kDay1, 300, 320, true);
  const auto analysis = AnalyseAssessment(Nordic(2, kDay2, 360, 330), &baseline, {});
  EXPECT_FALSE(analysis.strength_deficit);
  EXPECT_DOUBLE_EQ(analysis.changes[0].change, 60);
  EXPECT_DOUBLE_EQ(analysis.changes[0].change_percent, 20);
}

TEST(StrengthDeficitTest, IsometricDropFromBaselineIsADeficit) {
  const Assessment baseline =
      Strength(1, AssessmentKind::kIsometricStrength, kDay1, 350, 350, true, 90);
  const auto analysis = AnalyseAssessment(
      Strength(2, AssessmentKind::kIsometricStrength, kDay2, 300, 350, false, 90), &baseline, {});
  EXPECT_TRUE(analysis.strength_deficit);
  EXPECT_THAT(analysis.findings[0], HasSubstr("left isometric strength force 300 N"));
}

TEST(StrengthDeficitTest, DropThresholdIsConfigurable) {
  AssessmentThresholds th;
  th.baseline_drop_percent = 20;
  th.eccentric_imbalance_percent = 50;  // the imbalance alone would find these
  const Assessment baseline = Nordic(1, kDay1, 400, 400, true);
  EXPECT_FALSE(AnalyseAssessment(Nordic(2, kDay2, 400, 330), &baseline, th).strength_deficit);
  EXPECT_TRUE(AnalyseAssessment(Nordic(2, kDay2, 400, 320), &baseline, th).strength_deficit);
}

// --- which baseline ----------------------------------------------------------------------------

TEST(FindBaselineTest, LatestCurrentBaselineOfTheKindAtOrBefore) {
  std::vector<Assessment> history = {
      Nordic(1, At(2026, 1, 10), 300, 300, true),
      Nordic(2, At(2026, 7, 1), 350, 350, true),
      Nordic(3, At(2026, 9, 1), 200, 200, false),         // not a baseline
      Nordic(4, At(2026, 12, 1), 380, 380, true),         // after
      Strength(5, AssessmentKind::kIsometricStrength, At(2026, 8, 1), 300, 300, true, 90),
  };
  const Assessment now = Nordic(9, At(2026, 11, 1), 320, 320);
  const Assessment* b = FindBaseline(now, history);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->id, 2);
  // A corrected baseline no longer counts; the one it replaced would not either.
  history[1].superseded_by = 6;
  b = FindBaseline(now, history);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->id, 1);
  // Same instant counts (at or before); itself never.
  const Assessment* self = FindBaseline(history[0], history);
  EXPECT_EQ(self, nullptr);
  EXPECT_EQ(FindBaseline(Nordic(8, At(2026, 1, 10), 1, 1), history)->id, 1);
}

TEST(FindBaselineTest, IsometricComparesLikeWithLike) {
  const std::vector<Assessment> history = {
      Strength(1, AssessmentKind::kIsometricStrength, kDay1, 300, 300, true, 90),
      Strength(2, AssessmentKind::kIsometricStrength, kDay1, 250, 250, true, 30),
  };
  EXPECT_EQ(FindBaseline(Strength(3, AssessmentKind::kIsometricStrength, kDay2, 1, 1, false, 30),
                         history)->id,
            2);
  EXPECT_EQ(FindBaseline(Strength(3, AssessmentKind::kIsometricStrength, kDay2, 1, 1, false, 45),
                         history),
            nullptr);
}

// --- neural tension -----------------------------------------------------------------------------

Assessment Neural(AssessmentKind kind, AssessmentSide left, AssessmentSide right) {
  Assessment a;
  a.kind = kind;
  a.assessed_at = kDay2;
  a.left = left;
  a.right = right;
  return a;
}

TEST(NeuralTensionTest, SlumpNeedsReproducedSymptomsThatTheSensitiserChanges) {
  const AssessmentSide clear{.angle_degrees = 80};
  // Symptoms reproduced but unchanged by the sensitiser: not the nerve.
  AssessmentSide reproduced{.angle_degrees = 60, .symptoms_reproduced = true};
  EXPECT_FALSE(AnalyseAssessment(Neural(AssessmentKind::kSlump, clear, reproduced), nullptr, {})
                   .neural_tension());
  // The sensitiser changed something but no symptom was reproduced: a normal response.
  AssessmentSide changed_only{.angle_degrees = 60, .sensitiser_changes_symptoms = true};
  EXPECT_FALSE(AnalyseAssessment(Neural(AssessmentKind::kSlump, clear, changed_only), nullptr, {})
                   .neural_tension());
  reproduced.sensitiser_changes_symptoms = true;
  const auto analysis =
      AnalyseAssessment(Neural(AssessmentKind::kSlump, clear, reproduced), nullptr, {});
  EXPECT_TRUE(analysis.neural_tension());
  EXPECT_THAT(analysis.neural_tension_sides, ElementsAre(Side::kRight));
  EXPECT_THAT(analysis.findings, ElementsAre(HasSubstr("positive slump on the right")));
}

TEST(NeuralTensionTest, StraightLegRaiseCountsOnlyWhenTheSensitisedRaiseReproducesSymptoms) {
  const AssessmentSide plain_reproduced{.angle_degrees = 55, .symptoms_reproduced = true};
  EXPECT_FALSE(AnalyseAssessment(Neural(AssessmentKind::kStraightLegRaise, plain_reproduced, {}),
                                 nullptr, {})
                   .neural_tension());
  const AssessmentSide sensitised{.angle_degrees = 70,
                                  .sensitised_angle_degrees = 50,
                                  .sensitised_symptoms_reproduced = true};
  const auto analysis = AnalyseAssessment(
      Neural(AssessmentKind::kStraightLegRaise, sensitised, sensitised), nullptr, {});
  EXPECT_THAT(analysis.neural_tension_sides, ElementsAre(Side::kLeft, Side::kRight));
  EXPECT_FALSE(analysis.strength_deficit);
}

TEST(NeuralTensionTest, OtherKindsNeverShowNeuralTension) {
  AssessmentSide s{.symptoms_reproduced = true,
                   .sensitised_symptoms_reproduced = true,
                   .sensitiser_changes_symptoms = true};
  s.hip_flexion_degrees = 70;
  EXPECT_FALSE(
      AnalyseAssessment(Neural(AssessmentKind::kAsklingHTest, s, s), nullptr, {}).neural_tension());
}

// --- the other tests: numbers only -------------------------------------------------------------

TEST(AssessmentChangeTest, SpineAndAsklingChangesAreReported) {
  Assessment before;
  before.id = 1;
  before.kind = AssessmentKind::kSpinalMobility;
  before.baseline = true;
  before.lumbar_flexion_cm = 6;
  before.left = AssessmentSide{.thoracic_rotation_degrees = 50};
  before.right = AssessmentSide{.thoracic_rotation_degrees = 50};
  Assessment now = before;
  now.id = 2;
  now.baseline = false;
  now.lumbar_flexion_cm = 4.5;
  now.right->thoracic_rotation_degrees = 40;
  const auto analysis = AnalyseAssessment(now, &before, {});
  ASSERT_EQ(analysis.asymmetries.size(), 1u);
  EXPECT_EQ(analysis.asymmetries[0].lower_side, Side::kRight);
  ASSERT_EQ(analysis.changes.size(), 3u);
  EXPECT_EQ(analysis.changes[2].measure, "lumbar_flexion");
  EXPECT_FALSE(analysis.changes[2].side.has_value());
  EXPECT_DOUBLE_EQ(analysis.changes[2].change_percent, -25);
  EXPECT_FALSE(analysis.strength_deficit);

  Assessment h;
  h.kind = AssessmentKind::kAsklingHTest;
  h.left = AssessmentSide{.hip_flexion_degrees = 90, .apprehension_mm = 0};
  h.right = AssessmentSide{.hip_flexion_degrees = 72, .apprehension_mm = 35};
  const auto h_analysis = AnalyseAssessment(h, nullptr, {});
  ASSERT_EQ(h_analysis.asymmetries.size(), 1u);  // range compared; apprehension is not a strength
  EXPECT_EQ(h_analysis.asymmetries[0].measure, "hip_flexion");
  EXPECT_DOUBLE_EQ(h_analysis.asymmetries[0].asymmetry_percent, 20);
}

}  // namespace
}  // namespace touchline::domain
