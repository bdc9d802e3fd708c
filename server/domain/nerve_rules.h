// Nerve involvement (issue 19 item 4, domain.md section 1): when the sciatic nerve, not only the
// muscle, is behind a hamstring complaint, and what must then not be prescribed. The article:
// tight hamstrings with spasm guard an irritated sciatic nerve; stretching them tensions the nerve
// and makes it worse, so a nerve-involved complaint is never answered with static stretching.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/model.h"

namespace touchline::domain {

// Values match touchline.plugin.v1.NerveReason.
enum class NerveReason { kNeuralTension = 1, kDiscHerniationHistory = 2, kTightnessAndSpasm = 3 };

struct NerveReasonDetail {
  NerveReason reason = NerveReason::kNeuralTension;
  std::string detail;       // readable, e.g. "positive slump (left) on 2026-03-02"
  Id assessment_id = 0;     // the assessment it rests on; 0 when none
};

struct NerveInvolvement {
  std::vector<NerveReasonDetail> reasons;  // in NerveReason order, at most one of each
  bool involved() const { return !reasons.empty(); }
  // "neural tension finding (...); history of lumbar disc herniation": for reasons and logs.
  std::string Summary() const;
};

// The assessment kinds the classification reads (load only these).
std::vector<AssessmentKind> NeuralTensionTestKinds();

// Classifies `complaint` at instant `at`. Reasons:
//  - neural tension: sciatic nerve tension found on examination, or the latest current slump or
//    the latest current straight-leg raise of the player assessed in [onset, at] (each kind on its
//    own; a later negative test clears an earlier positive one) is positive on the complaint's leg
//    (either leg for a complaint of both). Positive as domain::AnalyseAssessment finds it.
//  - history of lumbar disc herniation.
//  - tightness together with spasm, at onset or at any check-in up to `at`.
// `assessments`: the player's assessments, any order (other players', and superseded ones, are
// ignored).
NerveInvolvement ClassifyNerveInvolvement(const Complaint& complaint,
                                          std::span<const Assessment> assessments, absl::Time at);

// Values match touchline.plugin.v1.ExerciseCategory.
enum class ExerciseCategory {
  kUnspecified = 0,
  kAntiSpasm = 1,
  kNeuralMobilisation = 2,
  kStability = 3,
  kStrength = 4,
  kStaticHamstringStretch = 5,
  kDynamicMobility = 6,
  kRunning = 7,
  kOther = 8,
};

// A static hamstring stretch: declared as one, or, for a prescription with no category (a plugin
// built before ABI 1.1 could not declare one), an exercise whose name speaks of stretching the
// hamstring ("hamstring stretch", "Stretch: hamstrings"). A glide, slider or tensioner is not.
bool IsStaticHamstringStretch(ExerciseCategory category, std::string_view exercise);

// Why an exercise must not be prescribed for a complaint with this classification, or "" when it
// may be: a static hamstring stretch is withheld for a nerve-involved complaint.
std::string WhyUnsafeForComplaint(ExerciseCategory category, std::string_view exercise,
                                  const NerveInvolvement& involvement);

}  // namespace touchline::domain
