// Return to play per complaint (issue 19 item 5, domain.md section 6): the stages of Ardern et
// al. 2016 (return to participation, to sport, to performance), the criteria the physio sets for
// each, which of them the server can check against a recorded assessment, when a stage may be
// recorded as reached, and the IOC 2020 severity class of a resolved complaint.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/model.h"

namespace touchline::domain {

// "return to participation", "return to sport", "return to performance".
std::string StageText(ReturnToPlayStage stage);

// The stage a complaint has reached at `t`: the highest of `reached` (any complaints') of this
// complaint reached at or before t; nullopt before the first.
std::optional<ReturnToPlayStage> StageAt(std::span<const StageReached> reached, Id complaint_id,
                                         absl::Time t);

// The latest mark of a criterion (marks are a log: a retraction is a later mark), or nullptr.
const CriterionMark* LatestMark(const ReturnToPlayPlan& plan, Id criterion_id);

// The plan's current criteria (not corrected, not withdrawn) of `stage`, by id.
std::vector<const ReturnCriterion*> CurrentCriteria(const ReturnToPlayPlan& plan,
                                                    ReturnToPlayStage stage);

// The current criteria of `stage` whose latest mark is not "met", by id.
std::vector<const ReturnCriterion*> UnmetCriteria(const ReturnToPlayPlan& plan,
                                                  ReturnToPlayStage stage);

// The latest planned date of a stage, if one was set.
std::optional<absl::Time> PlannedDate(const ReturnToPlayPlan& plan, ReturnToPlayStage stage);

// Why a stage may not be recorded as reached at `at` (nullopt: it may). Stages are reached in
// order, each once, not before the complaint's onset nor before the previous stage, and only with
// every current criterion of the stage met.
struct StageRefusal {
  enum class Kind { kAlreadyReached, kOutOfOrder, kUnmetCriteria, kTooEarly };
  Kind kind = Kind::kOutOfOrder;
  std::string message;
  std::vector<Id> unmet_criterion_ids;
};
std::optional<StageRefusal> CheckStageReach(const ReturnToPlayPlan& plan, const Complaint& complaint,
                                            ReturnToPlayStage stage, absl::Time at);

// A typed criterion checked against an assessment of the same player. `passed` false with a
// reason when the assessment is of the wrong kind, lacks the legs or values the check needs, or
// falls short; `finding` says what was measured either way.
struct CriterionEvaluation {
  bool passed = false;
  std::string finding;
};
// Default thresholds of the typed checks, when the physio gives none: an eccentric asymmetry of
// at most 10% (the benchmark most commonly adopted for knee-flexor deficits, see
// AssessmentThresholds::baseline_drop_percent) and no apprehension at all in the H-test (Askling
// et al. 2010: any remaining insecurity means not ready).
inline constexpr double kDefaultAsymmetryPercent = 10.0;
inline constexpr double kDefaultApprehensionMm = 0.0;
CriterionEvaluation EvaluateCriterion(const ReturnCriterion& criterion, const Complaint& complaint,
                                      const Assessment& assessment);

// Whole days of time loss from onset to return to full participation (floor; never negative).
int TimeLossDays(absl::Time onset, absl::Time returned);
// IOC 2020: 0-7 days minimal-to-mild, 8-28 moderate, more than 28 severe.
SeverityClass ClassifySeverity(int time_loss_days);
// "minimal-to-mild", "moderate", "severe".
std::string SeverityText(SeverityClass severity);

}  // namespace touchline::domain
