// The squad medical record as plain C++ values. No gRPC, protobuf or SQLite here: the rules, the
// storage and the service layer all speak these types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace touchline::domain {

using Id = int64_t;

enum class PositionGroup { kForward = 1, kBack = 2 };

struct Squad {
  Id id = 0;
  std::string name;
  absl::Time created_at;
  absl::Time updated_at;
};

struct Player {
  Id id = 0;
  Id squad_id = 0;
  std::string name;
  PositionGroup position_group = PositionGroup::kForward;
  std::string position_name;
  std::string external_id;                 // empty when not set
  std::optional<absl::Time> archived_at;   // set once the player has left
  absl::Time created_at;
  absl::Time updated_at;
};

// Values match touchline.v1.ContactKind so conversion is a cast after validation.
enum class ContactKind {
  kTackleMade = 1,
  kTackleReceived = 2,
  kCollision = 3,
  kRuck = 4,
  kMaul = 5,
  kScrum = 6,
  kLineoutLift = 7,
  kLineoutLanding = 8,
  kFall = 9,
  kCarry = 10,
  kOffFieldLifting = 11,
};

enum class ContactSource { kManual = 1, kVideo = 2, kWearable = 3 };

struct ContactEvent {
  Id id = 0;
  Id player_id = 0;
  ContactKind kind = ContactKind::kTackleMade;
  absl::Time occurred_at;
  std::string session_label;
  bool awkward = false;  // awkward or high-impact
  ContactSource source = ContactSource::kManual;
  std::string note;
  std::string idempotency_key;
  absl::Time recorded_at;
  std::string recorded_by;
};

// Values match the touchline.v1 enums of the same names.
enum class Side { kLeft = 1, kRight = 2, kBoth = 3 };
enum class OnsetKind { kGradual = 1, kAcute = 2 };
enum class Mechanism { kSprinting = 1, kKicking = 2, kContact = 3, kLifting = 4, kUnknown = 5 };

struct Symptoms {
  bool ache = false;
  bool tightness = false;
  bool spasm = false;
  int pain = 0;  // 0-10
  bool sleep_disturbance = false;
  bool inflexibility = false;
  bool weakness_against_quadriceps = false;
  bool operator==(const Symptoms&) const = default;
};

struct History {
  bool lumbar_disc_herniation = false;
  std::string notes;
  bool operator==(const History&) const = default;
};

struct Findings {
  bool pelvic_rotation = false;
  bool piriformis_spasm = false;
  bool lumbar_stiffness = false;
  bool thoracic_stiffness = false;
  bool sciatic_nerve_tension = false;
  std::string notes;
  bool operator==(const Findings&) const = default;
};

// British Athletics Muscle Injury Classification (Pollock et al. 2014, Br J Sports Med 48:1347):
// grade 0-4 by extent on MRI; for grades 1-4 the site letter is a (myofascial), b
// (musculotendinous) or c (intratendinous). Grade 0 (MRI negative) has only a and b: 0a a focal
// neuromuscular injury, 0b generalised muscle soreness. Values match touchline.v1.BamicSite.
enum class BamicSite { kA = 1, kB = 2, kC = 3 };
struct BamicGrade {
  int grade = 0;  // 0-4
  BamicSite site = BamicSite::kA;
  bool operator==(const BamicGrade&) const = default;
};

struct CheckIn {
  Id id = 0;
  Id complaint_id = 0;
  absl::Time checked_at;
  Symptoms symptoms;
  std::string note;
  std::string recorded_by;
};

// One hamstring complaint episode, from onset to return to full participation.
struct Complaint {
  Id id = 0;
  Id player_id = 0;
  Side side = Side::kLeft;
  absl::Time onset_at;
  OnsetKind onset_kind = OnsetKind::kGradual;
  Mechanism mechanism = Mechanism::kUnknown;
  Symptoms symptoms;  // at onset
  std::string osiics_code;
  std::optional<BamicGrade> bamic;  // acute complaints only (same_site_rules.h BamicProblem)
  History history;
  Findings findings;
  std::vector<CheckIn> check_ins;         // oldest first
  std::optional<absl::Time> resolved_at;  // return to full participation
  absl::Time created_at;
  std::string created_by;
  absl::Time updated_at;
  std::string updated_by;

  // Open at instant t: begun by t and not yet returned to full participation at t.
  bool OpenAt(absl::Time t) const { return onset_at <= t && (!resolved_at || *resolved_at > t); }
};

enum class AmendmentAction { kCreate = 1, kUpdate = 2, kCheckIn = 3, kResolve = 4, kReopen = 5 };

struct FieldChange {
  std::string field;
  std::string old_value;
  std::string new_value;
};

// An append-only entry in a complaint's history.
struct Amendment {
  Id id = 0;
  Id complaint_id = 0;
  AmendmentAction action = AmendmentAction::kCreate;
  std::string amended_by;
  absl::Time amended_at;
  std::vector<FieldChange> changes;
  std::string reason;
};

enum class Availability { kAvailable = 1, kModified = 2, kUnavailable = 3 };

struct ReadinessOverride {
  Id id = 0;
  Id player_id = 0;
  Availability availability = Availability::kModified;
  std::string reason;
  absl::Time starts_at;
  absl::Time expires_at;  // exclusive
  std::string set_by;
  absl::Time created_at;
  std::optional<absl::Time> cleared_at;
  std::string cleared_by;

  bool InForceAt(absl::Time t) const {
    return starts_at <= t && t < expires_at && (!cleared_at || *cleared_at > t);
  }
};

// ---- objective assessments (issue 19) ----

// Values match touchline.v1.AssessmentKind.
enum class AssessmentKind {
  kSlump = 1,
  kStraightLegRaise = 2,
  kNordic = 3,
  kIsometricStrength = 4,
  kAsklingHTest = 5,
  kPelvicScreen = 6,
  kSpinalMobility = 7,
};

// Values match touchline.v1.PelvicRotation and touchline.v1.MuscleTone.
enum class PelvicRotation { kNone = 1, kLeft = 2, kRight = 3 };
enum class MuscleTone { kNormal = 1, kRaised = 2, kSpasm = 3 };

// One leg's results. Which fields a test uses depends on its kind; the others stay unset.
struct AssessmentSide {
  // Slump / straight-leg raise: range without and with the sensitiser (degrees, more is freer),
  // and whether the player's posterior-thigh symptoms were reproduced or changed.
  std::optional<double> angle_degrees;
  std::optional<double> sensitised_angle_degrees;
  bool symptoms_reproduced = false;
  bool sensitised_symptoms_reproduced = false;
  bool sensitiser_changes_symptoms = false;
  // Nordic / isometric: knee-flexor force, newtons.
  std::optional<double> force_newtons;
  // Askling H-test: hip flexion reached (degrees) and felt insecurity (0-100 mm).
  std::optional<double> hip_flexion_degrees;
  std::optional<int> apprehension_mm;
  // Pelvic screen: piriformis tone.
  std::optional<MuscleTone> piriformis_tone;
  // Spinal mobility: seated thoracic rotation towards this side, degrees.
  std::optional<double> thoracic_rotation_degrees;
  bool operator==(const AssessmentSide&) const = default;
};

// One objective assessment. Append-only: a correction is a new Assessment with amends_id set.
struct Assessment {
  Id id = 0;
  Id player_id = 0;
  AssessmentKind kind = AssessmentKind::kSlump;
  absl::Time assessed_at;
  bool baseline = false;  // a reference (e.g. pre-season) later tests of the kind are compared with
  Id complaint_id = 0;    // 0: not tied to a complaint
  std::optional<AssessmentSide> left;
  std::optional<AssessmentSide> right;
  int knee_flexion_degrees = 0;                   // isometric: the test position
  std::optional<PelvicRotation> pelvic_rotation;  // pelvic screen
  std::optional<double> lumbar_flexion_cm;        // spinal mobility (modified Schober)
  std::string note;
  Id amends_id = 0;  // the assessment this one corrects; 0 for an original
  std::string amend_reason;
  absl::Time recorded_at;
  std::string recorded_by;
  Id superseded_by = 0;  // filled when read: the assessment correcting this one; 0 while current

  bool current() const { return superseded_by == 0; }
};

// ---- return to play (issue 19 item 5) ----

// The return-to-sport continuum of Ardern et al. 2016 (Bern consensus), in order. Values match
// touchline.v1.ReturnToPlayStage.
enum class ReturnToPlayStage {
  kParticipation = 1,  // return to participation: modified training
  kSport = 2,          // return to sport: full training and selection
  kPerformance = 3,    // return to performance: at or above the pre-injury level
};

// What the server can check of a criterion against a recorded assessment. Values match
// touchline.v1.CriterionCheck.
enum class CriterionCheck {
  kNone = 0,                  // free text: the physio's word and evidence
  kEccentricAsymmetry = 1,    // a Nordic test: between-leg asymmetry at most `threshold` percent
  kHTestApprehension = 2,     // an Askling H-test: apprehension at most `threshold` mm on the
                              // complaint's leg(s) (0: negative)
};

// One return-to-play plan per complaint. Its parts are append-only rows: planned dates (the latest
// row of a stage is its plan), criteria (a correction or withdrawal is a new row amending the old),
// marks (the latest mark of a criterion is its state) and the stages reached.
struct PlannedStageDate {
  Id id = 0;
  ReturnToPlayStage stage = ReturnToPlayStage::kParticipation;
  absl::Time planned_at;
  std::string reason;  // why it was set or moved
  absl::Time recorded_at;
  std::string recorded_by;
};

struct ReturnCriterion {
  Id id = 0;
  ReturnToPlayStage stage = ReturnToPlayStage::kParticipation;
  std::string description;  // e.g. "pain-free sprint at 100%"
  CriterionCheck check = CriterionCheck::kNone;
  double threshold = 0;     // percent or mm, by check
  bool withdrawn = false;   // a correction that drops the criterion
  Id amends_id = 0;         // the criterion this row corrects; 0 for an original
  std::string amend_reason;
  absl::Time recorded_at;
  std::string recorded_by;
  Id superseded_by = 0;     // filled when read

  bool current() const { return superseded_by == 0 && !withdrawn; }
};

struct CriterionMark {
  Id id = 0;
  Id criterion_id = 0;
  bool met = false;          // false: a retraction of an earlier mark
  std::string evidence;
  Id assessment_id = 0;      // the assessment the mark rests on; 0 for none
  std::string finding;       // a typed criterion: what the server measured in that assessment
  absl::Time recorded_at;
  std::string recorded_by;
};

struct StageReached {
  Id id = 0;
  Id complaint_id = 0;
  ReturnToPlayStage stage = ReturnToPlayStage::kParticipation;
  absl::Time reached_at;
  std::string note;
  absl::Time recorded_at;
  std::string recorded_by;
};

struct ReturnToPlayPlan {
  Id id = 0;
  Id complaint_id = 0;
  Id player_id = 0;
  std::string note;
  absl::Time created_at;
  std::string created_by;
  std::vector<PlannedStageDate> planned_dates;  // every row, by id
  std::vector<ReturnCriterion> criteria;        // every row, by id
  std::vector<CriterionMark> marks;             // every row, by id
  std::vector<StageReached> reached;            // by stage
};

// Severity by days of time loss (IOC 2020 consensus, domain.md section 6). Values match
// touchline.v1.SeverityClass.
enum class SeverityClass { kMinimalToMild = 1, kModerate = 2, kSevere = 3 };

}  // namespace touchline::domain
