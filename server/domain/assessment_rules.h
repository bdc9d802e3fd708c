// Objective assessments (issue 19 item 1, domain.md section 6): between-side asymmetry, the change
// from the player's own baseline, and the two derived findings, neural tension and strength
// deficit.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/domain/model.h"

namespace touchline::domain {

struct AssessmentThresholds {
  // Between-limb imbalance in eccentric knee-flexor (Nordic) force, (stronger - weaker) /
  // stronger, at or above which a strength deficit is found. Bourne et al. 2015, Am J Sports Med
  // 43(11):2663-70 (https://pubmed.ncbi.nlm.nih.gov/26337245/): in 178 rugby union players an
  // imbalance of 15% or more raised the risk of hamstring strain injury 2.4-fold (20% or more:
  // 3.4-fold); lower absolute strength was not a risk factor in rugby union.
  double eccentric_imbalance_percent = 15.0;
  // A leg's Nordic or isometric force this far or further below the player's baseline is a
  // strength deficit. No study gives a risk threshold for a drop from one's own baseline; 10% is
  // the benchmark most commonly adopted for knee-flexor strength deficits (between limbs:
  // Eur J Sport Sci 2020, doi:10.1080/17461391.2020.1743766, "the most commonly adopted benchmark
  // value of 10%"; at return to sport the injured limb's deficit was 9.6%, Sanfilippo et al. 2013,
  // Med Sci Sports Exerc, PMC3580023), and the return-to-play Delphi consensus asks for "full
  // hamstring muscle strength as compared with the uninjured side and/or to preinjury benchmark
  // values" (van der Horst et al. 2017, Br J Sports Med). Configurable.
  double baseline_drop_percent = 10.0;
};

struct SideComparison {
  std::string measure;  // "angle", "sensitised_angle", "force", "hip_flexion", "thoracic_rotation"
  std::string unit;     // "deg", "N"
  double left = 0;
  double right = 0;
  double difference = 0;          // larger - smaller
  double asymmetry_percent = 0;   // (larger - smaller) / larger x 100; 0 when both are 0
  std::optional<Side> lower_side;  // unset when equal
};

struct BaselineChange {
  std::string measure;  // as SideComparison, or "lumbar_flexion", "apprehension"
  std::string unit;     // "deg", "N", "cm", "mm"
  std::optional<Side> side;  // unset for the spine
  double baseline = 0;
  double value = 0;
  double change = 0;          // value - baseline
  double change_percent = 0;  // change / baseline x 100; 0 when the baseline is 0
};

struct AssessmentAnalysis {
  std::vector<SideComparison> asymmetries;
  Id baseline_id = 0;  // 0: no baseline to compare with
  std::vector<BaselineChange> changes;
  std::vector<Side> neural_tension_sides;  // left before right
  bool strength_deficit = false;
  std::vector<std::string> findings;  // readable, one per finding

  bool neural_tension() const { return !neural_tension_sides.empty(); }
};

// A slump is positive on a leg when the player's symptoms were reproduced (with or without the
// sensitiser) and the sensitiser changed them: structural differentiation is what points at the
// nerve rather than the muscle, since adding a sensitiser changes the range even in people without
// symptoms (Herrington et al. 2008, Manual Therapy 13(4):289-94). A straight-leg raise counts when
// the sensitised raise (ankle dorsiflexion) reproduced the symptoms (issue 19).
bool PositiveSlump(const AssessmentSide& side);
bool PositiveSensitisedStraightLegRaise(const AssessmentSide& side);

// The baseline `assessment` is compared with: among `history` (the player's assessments, any
// order; superseded ones are ignored), the latest current baseline of the same kind (isometric: at
// the same knee angle) assessed at or before it, other than itself (ties: the higher id). nullptr
// when there is none.
const Assessment* FindBaseline(const Assessment& assessment, std::span<const Assessment> history);

// Asymmetry between the legs, change from `baseline` (may be null) and the derived findings.
AssessmentAnalysis AnalyseAssessment(const Assessment& assessment, const Assessment* baseline,
                                     const AssessmentThresholds& thresholds);

// "slump", "straight-leg raise", ... for readable text.
std::string AssessmentKindText(AssessmentKind kind);

}  // namespace touchline::domain
