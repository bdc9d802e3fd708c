// Objective assessments: asymmetry, change from baseline, neural tension, strength deficit.
#include "server/domain/assessment_rules.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "absl/strings/str_format.h"

namespace touchline::domain {
namespace {

// Percentages are compared with this much slack, so a value the arithmetic puts a rounding error
// below its threshold (30 N of 200 N is 14.999999999999998 %) still counts as at the threshold.
constexpr double kPercentSlack = 1e-9;

bool AtLeast(double value, double threshold) { return value >= threshold - kPercentSlack; }

// A per-leg measure of an assessment kind, higher meaning more strength or range.
struct Measure {
  const char* name;
  const char* unit;
  std::function<std::optional<double>(const AssessmentSide&)> get;
  bool compare_sides;  // asymmetry is meaningful (more is better on both legs)
};

std::vector<Measure> MeasuresOf(AssessmentKind kind) {
  switch (kind) {
    case AssessmentKind::kSlump:
    case AssessmentKind::kStraightLegRaise:
      return {{"angle", "deg", [](const AssessmentSide& s) { return s.angle_degrees; }, true},
              {"sensitised_angle", "deg",
               [](const AssessmentSide& s) { return s.sensitised_angle_degrees; }, true}};
    case AssessmentKind::kNordic:
    case AssessmentKind::kIsometricStrength:
      return {{"force", "N", [](const AssessmentSide& s) { return s.force_newtons; }, true}};
    case AssessmentKind::kAsklingHTest:
      return {{"hip_flexion", "deg", [](const AssessmentSide& s) { return s.hip_flexion_degrees; },
               true},
              {"apprehension", "mm",
               [](const AssessmentSide& s) -> std::optional<double> {
                 if (!s.apprehension_mm) return std::nullopt;
                 return static_cast<double>(*s.apprehension_mm);
               },
               false}};
    case AssessmentKind::kSpinalMobility:
      return {{"thoracic_rotation", "deg",
               [](const AssessmentSide& s) { return s.thoracic_rotation_degrees; }, true}};
    case AssessmentKind::kPelvicScreen:
      break;
  }
  return {};
}

std::optional<double> Get(const std::optional<AssessmentSide>& side, const Measure& m) {
  if (!side) return std::nullopt;
  return m.get(*side);
}

const char* SideWord(Side side) {
  switch (side) {
    case Side::kLeft:
      return "left";
    case Side::kRight:
      return "right";
    case Side::kBoth:
      return "both";
  }
  return "?";
}

bool IsStrength(AssessmentKind kind) {
  return kind == AssessmentKind::kNordic || kind == AssessmentKind::kIsometricStrength;
}

}  // namespace

bool PositiveSlump(const AssessmentSide& side) {
  return (side.symptoms_reproduced || side.sensitised_symptoms_reproduced) &&
         side.sensitiser_changes_symptoms;
}

bool PositiveSensitisedStraightLegRaise(const AssessmentSide& side) {
  return side.sensitised_symptoms_reproduced;
}

std::string AssessmentKindText(AssessmentKind kind) {
  switch (kind) {
    case AssessmentKind::kSlump:
      return "slump";
    case AssessmentKind::kStraightLegRaise:
      return "straight-leg raise";
    case AssessmentKind::kNordic:
      return "Nordic";
    case AssessmentKind::kIsometricStrength:
      return "isometric strength";
    case AssessmentKind::kAsklingHTest:
      return "Askling H-test";
    case AssessmentKind::kPelvicScreen:
      return "pelvic screen";
    case AssessmentKind::kSpinalMobility:
      return "spinal mobility";
  }
  return "assessment";
}

const Assessment* FindBaseline(const Assessment& assessment, std::span<const Assessment> history) {
  const Assessment* best = nullptr;
  for (const Assessment& a : history) {
    if (!a.baseline || !a.current() || a.id == assessment.id || a.kind != assessment.kind) continue;
    if (a.player_id != assessment.player_id || a.assessed_at > assessment.assessed_at) continue;
    if (a.kind == AssessmentKind::kIsometricStrength &&
        a.knee_flexion_degrees != assessment.knee_flexion_degrees) {
      continue;
    }
    if (best == nullptr || std::tie(a.assessed_at, a.id) > std::tie(best->assessed_at, best->id)) {
      best = &a;
    }
  }
  return best;
}

AssessmentAnalysis AnalyseAssessment(const Assessment& a, const Assessment* baseline,
                                     const AssessmentThresholds& th) {
  AssessmentAnalysis out;
  const std::vector<Measure> measures = MeasuresOf(a.kind);

  // Between the legs.
  for (const Measure& m : measures) {
    if (!m.compare_sides) continue;
    const auto l = Get(a.left, m);
    const auto r = Get(a.right, m);
    if (!l || !r) continue;
    SideComparison c;
    c.measure = m.name;
    c.unit = m.unit;
    c.left = *l;
    c.right = *r;
    const double larger = std::max(*l, *r);
    c.difference = std::abs(*l - *r);
    c.asymmetry_percent = larger > 0 ? c.difference / larger * 100.0 : 0.0;
    if (*l < *r) c.lower_side = Side::kLeft;
    if (*r < *l) c.lower_side = Side::kRight;
    out.asymmetries.push_back(std::move(c));
  }

  // From the baseline.
  if (baseline != nullptr) {
    out.baseline_id = baseline->id;
    auto change = [&](const char* measure, const char* unit, std::optional<Side> side,
                      double before, double now) {
      BaselineChange c;
      c.measure = measure;
      c.unit = unit;
      c.side = side;
      c.baseline = before;
      c.value = now;
      c.change = now - before;
      c.change_percent = before != 0 ? c.change / before * 100.0 : 0.0;
      out.changes.push_back(std::move(c));
    };
    for (const Measure& m : measures) {
      for (Side side : {Side::kLeft, Side::kRight}) {
        const auto& mine = side == Side::kLeft ? a.left : a.right;
        const auto& theirs = side == Side::kLeft ? baseline->left : baseline->right;
        const auto now = Get(mine, m);
        const auto before = Get(theirs, m);
        if (now && before) change(m.name, m.unit, side, *before, *now);
      }
    }
    if (a.lumbar_flexion_cm && baseline->lumbar_flexion_cm) {
      change("lumbar_flexion", "cm", std::nullopt, *baseline->lumbar_flexion_cm,
             *a.lumbar_flexion_cm);
    }
  }

  // Neural tension.
  for (Side side : {Side::kLeft, Side::kRight}) {
    const auto& s = side == Side::kLeft ? a.left : a.right;
    if (!s) continue;
    if (a.kind == AssessmentKind::kSlump && PositiveSlump(*s)) {
      out.neural_tension_sides.push_back(side);
      out.findings.push_back(absl::StrFormat(
          "Neural tension: positive slump on the %s (symptoms reproduced and changed by the "
          "sensitiser)",
          SideWord(side)));
    }
    if (a.kind == AssessmentKind::kStraightLegRaise && PositiveSensitisedStraightLegRaise(*s)) {
      out.neural_tension_sides.push_back(side);
      out.findings.push_back(absl::StrFormat(
          "Neural tension: the sensitised straight-leg raise reproduced the symptoms on the %s",
          SideWord(side)));
    }
  }

  // Strength deficit.
  if (a.kind == AssessmentKind::kNordic) {
    for (const SideComparison& c : out.asymmetries) {
      if (c.measure != "force" || !AtLeast(c.asymmetry_percent, th.eccentric_imbalance_percent)) {
        continue;
      }
      out.strength_deficit = true;
      out.findings.push_back(absl::StrFormat(
          "Strength deficit: eccentric imbalance %.1f%% (at or above %g%%), %s weaker (%.0f N vs "
          "%.0f N)",
          c.asymmetry_percent, th.eccentric_imbalance_percent, SideWord(*c.lower_side),
          std::min(c.left, c.right), std::max(c.left, c.right)));
    }
  }
  if (IsStrength(a.kind)) {
    for (const BaselineChange& c : out.changes) {
      if (c.measure != "force" || c.baseline <= 0 ||
          !AtLeast(-c.change_percent, th.baseline_drop_percent)) {
        continue;
      }
      out.strength_deficit = true;
      out.findings.push_back(absl::StrFormat(
          "Strength deficit: %s %s force %.0f N is %.1f%% below the baseline's %.0f N (at or above "
          "%g%%)",
          SideWord(*c.side), AssessmentKindText(a.kind), c.value, -c.change_percent, c.baseline,
          th.baseline_drop_percent));
    }
  }
  return out;
}

}  // namespace touchline::domain
