// Return to play: stages (Ardern et al. 2016), criteria, the order of stages, severity (IOC 2020).
#include "server/domain/return_to_play_rules.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/domain/wording.h"

namespace touchline::domain {
namespace {

// As in assessment_rules.cc: a percentage the arithmetic puts a rounding error above its
// threshold still counts as at it.
constexpr double kPercentSlack = 1e-9;

const char* LegWord(Side side) { return side == Side::kLeft ? "left" : "right"; }

}  // namespace

std::string StageText(ReturnToPlayStage stage) {
  switch (stage) {
    case ReturnToPlayStage::kParticipation:
      return "return to participation";
    case ReturnToPlayStage::kSport:
      return "return to sport";
    case ReturnToPlayStage::kPerformance:
      return "return to performance";
  }
  return "unknown stage";
}

std::optional<ReturnToPlayStage> StageAt(std::span<const StageReached> reached, Id complaint_id,
                                         absl::Time t) {
  std::optional<ReturnToPlayStage> out;
  for (const StageReached& r : reached) {
    if (r.complaint_id != complaint_id || r.reached_at > t) continue;
    if (!out || r.stage > *out) out = r.stage;
  }
  return out;
}

const CriterionMark* LatestMark(const ReturnToPlayPlan& plan, Id criterion_id) {
  const CriterionMark* latest = nullptr;
  for (const CriterionMark& m : plan.marks) {
    if (m.criterion_id == criterion_id && (latest == nullptr || m.id > latest->id)) latest = &m;
  }
  return latest;
}

std::vector<const ReturnCriterion*> CurrentCriteria(const ReturnToPlayPlan& plan,
                                                    ReturnToPlayStage stage) {
  std::vector<const ReturnCriterion*> out;
  for (const ReturnCriterion& c : plan.criteria) {
    if (c.stage == stage && c.current()) out.push_back(&c);
  }
  std::sort(out.begin(), out.end(),
            [](const ReturnCriterion* a, const ReturnCriterion* b) { return a->id < b->id; });
  return out;
}

std::vector<const ReturnCriterion*> UnmetCriteria(const ReturnToPlayPlan& plan,
                                                  ReturnToPlayStage stage) {
  std::vector<const ReturnCriterion*> out;
  for (const ReturnCriterion* c : CurrentCriteria(plan, stage)) {
    const CriterionMark* mark = LatestMark(plan, c->id);
    if (mark == nullptr || !mark->met) out.push_back(c);
  }
  return out;
}

std::optional<absl::Time> PlannedDate(const ReturnToPlayPlan& plan, ReturnToPlayStage stage) {
  const PlannedStageDate* latest = nullptr;
  for (const PlannedStageDate& d : plan.planned_dates) {
    if (d.stage == stage && (latest == nullptr || d.id > latest->id)) latest = &d;
  }
  if (latest == nullptr) return std::nullopt;
  return latest->planned_at;
}

std::optional<StageRefusal> CheckStageReach(const ReturnToPlayPlan& plan, const Complaint& complaint,
                                            ReturnToPlayStage stage, absl::Time at) {
  const StageReached* previous = nullptr;
  for (const StageReached& r : plan.reached) {
    if (r.stage == stage) {
      return StageRefusal{StageRefusal::Kind::kAlreadyReached,
                          absl::StrCat(StageText(stage), " was already reached on ",
                                       DateText(r.reached_at)),
                          {}};
    }
    if (r.stage > stage) {
      return StageRefusal{StageRefusal::Kind::kOutOfOrder,
                          absl::StrCat("the plan is already at ", StageText(r.stage),
                                       ", a later stage than ", StageText(stage)),
                          {}};
    }
    if (static_cast<int>(r.stage) == static_cast<int>(stage) - 1) previous = &r;
  }
  if (stage != ReturnToPlayStage::kParticipation && previous == nullptr) {
    const auto before = static_cast<ReturnToPlayStage>(static_cast<int>(stage) - 1);
    return StageRefusal{StageRefusal::Kind::kOutOfOrder,
                        absl::StrCat(StageText(stage), " comes after ", StageText(before),
                                     ", which is not reached yet (stages are not skipped)"),
                        {}};
  }
  if (at < complaint.onset_at) {
    return StageRefusal{StageRefusal::Kind::kTooEarly,
                        absl::StrCat("a stage cannot be reached before the complaint's onset (",
                                     DateTimeText(complaint.onset_at), ")"),
                        {}};
  }
  if (previous != nullptr && at < previous->reached_at) {
    return StageRefusal{StageRefusal::Kind::kTooEarly,
                        absl::StrCat(StageText(stage), " cannot be reached before ",
                                     StageText(previous->stage), " (",
                                     DateTimeText(previous->reached_at), ")"),
                        {}};
  }
  const auto unmet = UnmetCriteria(plan, stage);
  if (!unmet.empty()) {
    StageRefusal refusal{StageRefusal::Kind::kUnmetCriteria, "", {}};
    std::vector<std::string> names;
    for (const ReturnCriterion* c : unmet) {
      refusal.unmet_criterion_ids.push_back(c->id);
      names.push_back(absl::StrCat(c->id, " \"", c->description, "\""));
    }
    refusal.message = absl::StrCat(StageText(stage), " has criteria not met: ",
                                   absl::StrJoin(names, ", "));
    return refusal;
  }
  return std::nullopt;
}

CriterionEvaluation EvaluateCriterion(const ReturnCriterion& criterion, const Complaint& complaint,
                                      const Assessment& assessment) {
  CriterionEvaluation out;
  switch (criterion.check) {
    case CriterionCheck::kNone:
      out.finding = "a free-text criterion: the physio's evidence decides";
      return out;
    case CriterionCheck::kEccentricAsymmetry: {
      if (assessment.kind != AssessmentKind::kNordic) {
        out.finding = absl::StrCat("assessment ", assessment.id,
                                   " is not a Nordic (eccentric strength) test");
        return out;
      }
      if (!assessment.left || !assessment.left->force_newtons || !assessment.right ||
          !assessment.right->force_newtons) {
        out.finding = absl::StrCat("assessment ", assessment.id, " does not test both legs");
        return out;
      }
      const double l = *assessment.left->force_newtons;
      const double r = *assessment.right->force_newtons;
      const double larger = std::max(l, r);
      const double asymmetry = larger > 0 ? std::abs(l - r) / larger * 100.0 : 0.0;
      out.passed = asymmetry <= criterion.threshold + kPercentSlack;
      out.finding = absl::StrFormat("eccentric asymmetry %.1f%% (left %.0f N, right %.0f N; %s %g%%)",
                                    asymmetry, l, r, out.passed ? "within" : "above",
                                    criterion.threshold);
      return out;
    }
    case CriterionCheck::kHTestApprehension: {
      if (assessment.kind != AssessmentKind::kAsklingHTest) {
        out.finding = absl::StrCat("assessment ", assessment.id, " is not an Askling H-test");
        return out;
      }
      std::vector<Side> legs;
      if (complaint.side == Side::kLeft || complaint.side == Side::kBoth) legs.push_back(Side::kLeft);
      if (complaint.side == Side::kRight || complaint.side == Side::kBoth) legs.push_back(Side::kRight);
      std::vector<std::string> parts;
      bool passed = true;
      for (Side leg : legs) {
        const auto& s = leg == Side::kLeft ? assessment.left : assessment.right;
        if (!s || !s->apprehension_mm) {
          out.finding = absl::StrCat("assessment ", assessment.id, " records no apprehension on the ",
                                     LegWord(leg), " leg (the complaint's side)");
          return out;
        }
        passed = passed && *s->apprehension_mm <= criterion.threshold;
        parts.push_back(absl::StrCat(LegWord(leg), " ", *s->apprehension_mm, " mm"));
      }
      out.passed = passed;
      out.finding = absl::StrFormat("H-test apprehension %s (%s %g mm)", absl::StrJoin(parts, ", "),
                                    passed ? "at most" : "above", criterion.threshold);
      return out;
    }
  }
  return out;
}

int TimeLossDays(absl::Time onset, absl::Time returned) {
  if (returned <= onset) return 0;
  return static_cast<int>((returned - onset) / kDay);  // truncation: floor for a positive span
}

SeverityClass ClassifySeverity(int time_loss_days) {
  if (time_loss_days <= 7) return SeverityClass::kMinimalToMild;
  if (time_loss_days <= 28) return SeverityClass::kModerate;
  return SeverityClass::kSevere;
}

std::string SeverityText(SeverityClass severity) {
  switch (severity) {
    case SeverityClass::kMinimalToMild:
      return "minimal-to-mild";
    case SeverityClass::kModerate:
      return "moderate";
    case SeverityClass::kSevere:
      return "severe";
  }
  return "unknown";
}

}  // namespace touchline::domain
