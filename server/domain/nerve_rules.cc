#include "server/domain/nerve_rules.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/assessment_rules.h"

namespace touchline::domain {
namespace {

const char* SideWord(Side s) {
  switch (s) {
    case Side::kLeft: return "left";
    case Side::kRight: return "right";
    case Side::kBoth: return "both";
  }
  return "?";
}

std::string Day(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); }

bool OnComplaintsLeg(Side finding, Side complaint) {
  return complaint == Side::kBoth || finding == complaint;
}

// The latest current assessment of `kind` of the complaint's player assessed in [from, at].
const Assessment* Latest(std::span<const Assessment> assessments, Id player_id, AssessmentKind kind,
                         absl::Time from, absl::Time at) {
  const Assessment* best = nullptr;
  for (const Assessment& a : assessments) {
    if (a.player_id != player_id || a.kind != kind || !a.current()) continue;
    if (a.assessed_at < from || a.assessed_at > at) continue;
    if (best == nullptr || a.assessed_at > best->assessed_at ||
        (a.assessed_at == best->assessed_at && a.id > best->id)) {
      best = &a;
    }
  }
  return best;
}

std::optional<NerveReasonDetail> NeuralTension(const Complaint& c,
                                               std::span<const Assessment> assessments,
                                               absl::Time at) {
  std::vector<std::string> parts;
  Id assessment_id = 0;
  if (c.findings.sciatic_nerve_tension) parts.push_back("sciatic nerve tension on examination");
  for (AssessmentKind kind : {AssessmentKind::kSlump, AssessmentKind::kStraightLegRaise}) {
    const Assessment* a = Latest(assessments, c.player_id, kind, c.onset_at, at);
    if (a == nullptr) continue;
    // Neural tension does not depend on a baseline or the strength thresholds.
    const AssessmentAnalysis analysis = AnalyseAssessment(*a, nullptr, AssessmentThresholds{});
    for (Side side : analysis.neural_tension_sides) {
      if (!OnComplaintsLeg(side, c.side)) continue;
      parts.push_back(absl::StrCat("positive ",
                                   kind == AssessmentKind::kSlump ? "slump"
                                                                  : "sensitised straight-leg raise",
                                   " (", SideWord(side), ") on ", Day(a->assessed_at),
                                   ", assessment ", a->id));
      if (assessment_id == 0) assessment_id = a->id;
    }
  }
  if (parts.empty()) return std::nullopt;
  return NerveReasonDetail{NerveReason::kNeuralTension, absl::StrJoin(parts, ", "), assessment_id};
}

std::optional<NerveReasonDetail> TightnessAndSpasm(const Complaint& c, absl::Time at) {
  if (c.symptoms.tightness && c.symptoms.spasm) {
    return NerveReasonDetail{NerveReason::kTightnessAndSpasm,
                             "tightness and spasm at onset", 0};
  }
  for (const CheckIn& ci : c.check_ins) {
    if (ci.checked_at > at) continue;
    if (ci.symptoms.tightness && ci.symptoms.spasm) {
      return NerveReasonDetail{NerveReason::kTightnessAndSpasm,
                               absl::StrCat("tightness and spasm at the check-in of ",
                                            Day(ci.checked_at)),
                               0};
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<AssessmentKind> NeuralTensionTestKinds() {
  return {AssessmentKind::kSlump, AssessmentKind::kStraightLegRaise};
}

std::string NerveInvolvement::Summary() const {
  std::vector<std::string> parts;
  for (const NerveReasonDetail& r : reasons) parts.push_back(r.detail);
  return absl::StrJoin(parts, "; ");
}

NerveInvolvement ClassifyNerveInvolvement(const Complaint& complaint,
                                          std::span<const Assessment> assessments, absl::Time at) {
  NerveInvolvement out;
  if (auto r = NeuralTension(complaint, assessments, at)) out.reasons.push_back(std::move(*r));
  if (complaint.history.lumbar_disc_herniation) {
    out.reasons.push_back(
        {NerveReason::kDiscHerniationHistory, "history of lumbar disc herniation", 0});
  }
  if (auto r = TightnessAndSpasm(complaint, at)) out.reasons.push_back(std::move(*r));
  return out;
}

bool IsStaticHamstringStretch(ExerciseCategory category, std::string_view exercise) {
  if (category == ExerciseCategory::kStaticHamstringStretch) return true;
  if (category != ExerciseCategory::kUnspecified) return false;
  // A plugin built for ABI 1.0 cannot say what its exercise is: judge by the name, erring on the
  // side of withholding. Nerve glides (sliders, tensioners, flossing) mention neither word.
  const std::string name = absl::AsciiStrToLower(std::string(exercise));
  return absl::StrContains(name, "hamstring") && absl::StrContains(name, "stretch");
}

std::string WhyUnsafeForComplaint(ExerciseCategory category, std::string_view exercise,
                                  const NerveInvolvement& involvement) {
  if (!involvement.involved() || !IsStaticHamstringStretch(category, exercise)) return "";
  return absl::StrCat(
      "a static hamstring stretch is not prescribed for a nerve-involved complaint (",
      involvement.Summary(),
      "): the hamstrings are guarding an irritated sciatic nerve, and stretching them tensions it");
}

}  // namespace touchline::domain
