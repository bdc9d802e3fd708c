#include "server/service/assessment_desk.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/domain/assessment_rules.h"
#include "server/domain/screening_rules.h"
#include "server/service/instant_check.h"
#include "server/service/proto_mapping.h"
#include "server/service/squad_snapshot.h"
#include "server/service/write_once.h"
#include "server/storage/assessment_store.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

using domain::AssessmentKind;
using domain::AssessmentSide;

// Plausible ranges (a typo, not a physiology, is what they catch).
constexpr double kMaxAngle = 180;     // degrees
constexpr double kMaxNewtons = 3000;  // a NordBord records a few hundred per leg
constexpr int kMaxKneeFlexion = 150;  // degrees
constexpr int kMaxApprehension = 100; // mm on a 100 mm visual analogue scale
constexpr double kMaxLumbarCm = 20;   // modified Schober increase

// ---- request -> domain, with checks ----

void CheckRange(common::FieldViolations& v, const std::string& field, double value, double max) {
  if (!std::isfinite(value) || value < 0 || value > max) {
    v.Add(field, absl::StrCat("must be between 0 and ", max));
  }
}

template <typename T>
std::optional<T> Opt(bool has, T value) {
  return has ? std::optional<T>(value) : std::nullopt;
}

std::optional<AssessmentSide> NeuralSide(common::FieldViolations& v, const std::string& field,
                                         bool has, const v1::NeuralTensionSide& in) {
  if (!has) return std::nullopt;
  AssessmentSide s;
  s.angle_degrees = Opt(in.has_angle_degrees(), in.angle_degrees());
  s.sensitised_angle_degrees = Opt(in.has_sensitised_angle_degrees(), in.sensitised_angle_degrees());
  if (s.angle_degrees) CheckRange(v, field + ".angle_degrees", *s.angle_degrees, kMaxAngle);
  if (s.sensitised_angle_degrees) {
    CheckRange(v, field + ".sensitised_angle_degrees", *s.sensitised_angle_degrees, kMaxAngle);
  }
  s.symptoms_reproduced = in.symptoms_reproduced();
  s.sensitised_symptoms_reproduced = in.sensitised_symptoms_reproduced();
  s.sensitiser_changes_symptoms = in.sensitiser_changes_symptoms();
  return s;
}

std::optional<AssessmentSide> Force(common::FieldViolations& v, const std::string& field, bool has,
                                    double newtons) {
  if (!has) return std::nullopt;
  CheckRange(v, field, newtons, kMaxNewtons);
  AssessmentSide s;
  s.force_newtons = newtons;
  return s;
}

std::optional<AssessmentSide> AsklingSide(common::FieldViolations& v, const std::string& field,
                                          bool has, const v1::AsklingHSide& in) {
  if (!has) return std::nullopt;
  AssessmentSide s;
  s.hip_flexion_degrees = Opt(in.has_hip_flexion_degrees(), in.hip_flexion_degrees());
  s.apprehension_mm = Opt(in.has_apprehension_mm(), static_cast<int>(in.apprehension_mm()));
  if (s.hip_flexion_degrees) {
    CheckRange(v, field + ".hip_flexion_degrees", *s.hip_flexion_degrees, kMaxAngle);
  }
  if (s.apprehension_mm && (*s.apprehension_mm < 0 || *s.apprehension_mm > kMaxApprehension)) {
    v.Add(field + ".apprehension_mm", "must be between 0 and 100");
  }
  if (!s.hip_flexion_degrees && !s.apprehension_mm) {
    v.Add(field, "give hip_flexion_degrees, apprehension_mm or both");
  }
  return s;
}

std::optional<domain::MuscleTone> Tone(common::FieldViolations& v, const std::string& field,
                                       v1::MuscleTone tone) {
  if (!v1::MuscleTone_IsValid(tone)) v.Add(field, "must be a MUSCLE_TONE_* value");
  if (tone == v1::MUSCLE_TONE_UNSPECIFIED || !v1::MuscleTone_IsValid(tone)) return std::nullopt;
  return static_cast<domain::MuscleTone>(tone);
}

// The test of `in` as a domain assessment (kind, legs, test fields); the other fields are the
// caller's. `prefix` names the message in field violations ("assessment").
domain::Assessment TestFromProto(common::FieldViolations& v, const std::string& prefix,
                                 const v1::Assessment& in) {
  domain::Assessment a;
  const std::string f = prefix + ".";
  auto neural = [&](AssessmentKind kind, const char* name, const v1::NeuralTensionTest& t) {
    a.kind = kind;
    const std::string field = f + name;
    a.left = NeuralSide(v, field + ".left", t.has_left(), t.left());
    a.right = NeuralSide(v, field + ".right", t.has_right(), t.right());
    if (!a.left && !a.right) v.Add(field, "test at least one leg (left, right)");
  };
  auto strength = [&](AssessmentKind kind, const char* name, const v1::StrengthTest& t) {
    a.kind = kind;
    const std::string field = f + name;
    a.left = Force(v, field + ".left_newtons", t.has_left_newtons(), t.left_newtons());
    a.right = Force(v, field + ".right_newtons", t.has_right_newtons(), t.right_newtons());
    if (!a.left && !a.right) v.Add(field, "give left_newtons, right_newtons or both");
    a.knee_flexion_degrees = t.knee_flexion_degrees();
    if (kind == AssessmentKind::kIsometricStrength &&
        (a.knee_flexion_degrees <= 0 || a.knee_flexion_degrees > kMaxKneeFlexion)) {
      v.Add(field + ".knee_flexion_degrees",
            "is required for an isometric test: the knee angle of the position, 1 to 150");
    }
    if (kind == AssessmentKind::kNordic && a.knee_flexion_degrees != 0) {
      v.Add(field + ".knee_flexion_degrees", "is for isometric tests only; leave it 0");
    }
  };
  switch (in.test_case()) {
    case v1::Assessment::kSlump:
      neural(AssessmentKind::kSlump, "slump", in.slump());
      break;
    case v1::Assessment::kStraightLegRaise:
      neural(AssessmentKind::kStraightLegRaise, "straight_leg_raise", in.straight_leg_raise());
      break;
    case v1::Assessment::kNordic:
      strength(AssessmentKind::kNordic, "nordic", in.nordic());
      break;
    case v1::Assessment::kIsometricStrength:
      strength(AssessmentKind::kIsometricStrength, "isometric_strength", in.isometric_strength());
      break;
    case v1::Assessment::kAsklingHTest: {
      a.kind = AssessmentKind::kAsklingHTest;
      const auto& t = in.askling_h_test();
      a.left = AsklingSide(v, f + "askling_h_test.left", t.has_left(), t.left());
      a.right = AsklingSide(v, f + "askling_h_test.right", t.has_right(), t.right());
      if (!a.left && !a.right) v.Add(f + "askling_h_test", "test at least one leg (left, right)");
      break;
    }
    case v1::Assessment::kPelvicScreen: {
      a.kind = AssessmentKind::kPelvicScreen;
      const auto& t = in.pelvic_screen();
      if (t.rotation() == v1::PELVIC_ROTATION_UNSPECIFIED ||
          !v1::PelvicRotation_IsValid(t.rotation())) {
        v.Add(f + "pelvic_screen.rotation",
              "must be PELVIC_ROTATION_NONE, PELVIC_ROTATION_LEFT or PELVIC_ROTATION_RIGHT");
      } else {
        a.pelvic_rotation = static_cast<domain::PelvicRotation>(t.rotation());
      }
      if (auto tone = Tone(v, f + "pelvic_screen.left_piriformis_tone", t.left_piriformis_tone())) {
        a.left = AssessmentSide{.piriformis_tone = tone};
      }
      if (auto tone =
              Tone(v, f + "pelvic_screen.right_piriformis_tone", t.right_piriformis_tone())) {
        a.right = AssessmentSide{.piriformis_tone = tone};
      }
      break;
    }
    case v1::Assessment::kSpinalMobility: {
      a.kind = AssessmentKind::kSpinalMobility;
      const auto& t = in.spinal_mobility();
      const std::string field = f + "spinal_mobility";
      if (t.has_lumbar_flexion_cm()) {
        CheckRange(v, field + ".lumbar_flexion_cm", t.lumbar_flexion_cm(), kMaxLumbarCm);
        a.lumbar_flexion_cm = t.lumbar_flexion_cm();
      }
      if (t.has_left_thoracic_rotation_degrees()) {
        CheckRange(v, field + ".left_thoracic_rotation_degrees", t.left_thoracic_rotation_degrees(),
                   kMaxAngle);
        a.left = AssessmentSide{.thoracic_rotation_degrees = t.left_thoracic_rotation_degrees()};
      }
      if (t.has_right_thoracic_rotation_degrees()) {
        CheckRange(v, field + ".right_thoracic_rotation_degrees",
                   t.right_thoracic_rotation_degrees(), kMaxAngle);
        a.right = AssessmentSide{.thoracic_rotation_degrees = t.right_thoracic_rotation_degrees()};
      }
      if (!a.lumbar_flexion_cm && !a.left && !a.right) {
        v.Add(field, "give lumbar_flexion_cm or a thoracic rotation");
      }
      break;
    }
    case v1::Assessment::TEST_NOT_SET:
      v.Add(f + "test",
            "is required: one of slump, straight_leg_raise, nordic, isometric_strength, "
            "askling_h_test, pelvic_screen, spinal_mobility");
      break;
  }
  return a;
}

// The fields every assessment carries besides its test.
void CheckCommon(common::FieldViolations& v, const v1::Assessment& in, absl::Time now,
                 const ServiceOptions& o) {
  if (!in.has_assess_time()) {
    v.Add("assessment.assess_time", "is required (when the test was done)");
  } else {
    CheckInstant(v, "assessment.assess_time", in.assess_time(), now, o);
  }
  if (in.complaint_id() < 0) v.Add("assessment.complaint_id", "must not be negative");
  common::CheckOptionalText(v, "assessment.note", in.note(), o.max_text_length);
}

// ---- domain -> response ----

v1::NeuralTensionSide* NeuralOut(v1::NeuralTensionSide* out, const AssessmentSide& s) {
  if (s.angle_degrees) out->set_angle_degrees(*s.angle_degrees);
  if (s.sensitised_angle_degrees) out->set_sensitised_angle_degrees(*s.sensitised_angle_degrees);
  out->set_symptoms_reproduced(s.symptoms_reproduced);
  out->set_sensitised_symptoms_reproduced(s.sensitised_symptoms_reproduced);
  out->set_sensitiser_changes_symptoms(s.sensitiser_changes_symptoms);
  return out;
}

v1::Side SideOut(const std::optional<domain::Side>& side) {
  return side ? static_cast<v1::Side>(*side) : v1::SIDE_UNSPECIFIED;
}

void AssessmentToProto(const domain::Assessment& a, v1::Assessment* out) {
  out->set_id(a.id);
  out->set_player_id(a.player_id);
  ToProto(a.assessed_at, out->mutable_assess_time());
  out->set_kind(static_cast<v1::AssessmentKind>(a.kind));
  out->set_baseline(a.baseline);
  out->set_complaint_id(a.complaint_id);
  auto neural = [&](v1::NeuralTensionTest* t) {
    if (a.left) NeuralOut(t->mutable_left(), *a.left);
    if (a.right) NeuralOut(t->mutable_right(), *a.right);
  };
  auto strength = [&](v1::StrengthTest* t) {
    if (a.left && a.left->force_newtons) t->set_left_newtons(*a.left->force_newtons);
    if (a.right && a.right->force_newtons) t->set_right_newtons(*a.right->force_newtons);
    t->set_knee_flexion_degrees(a.knee_flexion_degrees);
  };
  auto askling = [](v1::AsklingHSide* out, const AssessmentSide& s) {
    if (s.hip_flexion_degrees) out->set_hip_flexion_degrees(*s.hip_flexion_degrees);
    if (s.apprehension_mm) out->set_apprehension_mm(*s.apprehension_mm);
  };
  switch (a.kind) {
    case AssessmentKind::kSlump:
      neural(out->mutable_slump());
      break;
    case AssessmentKind::kStraightLegRaise:
      neural(out->mutable_straight_leg_raise());
      break;
    case AssessmentKind::kNordic:
      strength(out->mutable_nordic());
      break;
    case AssessmentKind::kIsometricStrength:
      strength(out->mutable_isometric_strength());
      break;
    case AssessmentKind::kAsklingHTest: {
      auto* t = out->mutable_askling_h_test();
      if (a.left) askling(t->mutable_left(), *a.left);
      if (a.right) askling(t->mutable_right(), *a.right);
      break;
    }
    case AssessmentKind::kPelvicScreen: {
      auto* t = out->mutable_pelvic_screen();
      if (a.pelvic_rotation) t->set_rotation(static_cast<v1::PelvicRotation>(*a.pelvic_rotation));
      if (a.left && a.left->piriformis_tone) {
        t->set_left_piriformis_tone(static_cast<v1::MuscleTone>(*a.left->piriformis_tone));
      }
      if (a.right && a.right->piriformis_tone) {
        t->set_right_piriformis_tone(static_cast<v1::MuscleTone>(*a.right->piriformis_tone));
      }
      break;
    }
    case AssessmentKind::kSpinalMobility: {
      auto* t = out->mutable_spinal_mobility();
      if (a.lumbar_flexion_cm) t->set_lumbar_flexion_cm(*a.lumbar_flexion_cm);
      if (a.left && a.left->thoracic_rotation_degrees) {
        t->set_left_thoracic_rotation_degrees(*a.left->thoracic_rotation_degrees);
      }
      if (a.right && a.right->thoracic_rotation_degrees) {
        t->set_right_thoracic_rotation_degrees(*a.right->thoracic_rotation_degrees);
      }
      break;
    }
  }
  out->set_note(a.note);
  out->set_amends_id(a.amends_id);
  out->set_amend_reason(a.amend_reason);
  out->set_superseded_by_id(a.superseded_by);
  ToProto(a.recorded_at, out->mutable_record_time());
  out->set_recorded_by(a.recorded_by);
}

void AnalysisToProto(const domain::AssessmentAnalysis& in, v1::AssessmentAnalysis* out) {
  for (const auto& c : in.asymmetries) {
    auto* o = out->add_asymmetries();
    o->set_measure(c.measure);
    o->set_unit(c.unit);
    o->set_left(c.left);
    o->set_right(c.right);
    o->set_difference(c.difference);
    o->set_asymmetry_percent(c.asymmetry_percent);
    o->set_lower_side(SideOut(c.lower_side));
  }
  out->set_baseline_id(in.baseline_id);
  for (const auto& c : in.changes) {
    auto* o = out->add_changes();
    o->set_measure(c.measure);
    o->set_unit(c.unit);
    o->set_side(SideOut(c.side));
    o->set_baseline(c.baseline);
    o->set_value(c.value);
    o->set_change(c.change);
    o->set_change_percent(c.change_percent);
  }
  out->set_neural_tension(in.neural_tension());
  for (domain::Side s : in.neural_tension_sides) out->add_neural_tension_sides(SideOut(s));
  out->set_strength_deficit(in.strength_deficit);
  for (const auto& f : in.findings) out->add_findings(f);
}

// The assessment as the API shows it, analysed against `baselines` (the player's current ones).
void Present(const domain::Assessment& a, const std::vector<domain::Assessment>& baselines,
             const domain::AssessmentThresholds& thresholds, v1::Assessment* out) {
  AssessmentToProto(a, out);
  const domain::Assessment* baseline = domain::FindBaseline(a, baselines);
  AnalysisToProto(domain::AnalyseAssessment(a, baseline, thresholds), out->mutable_analysis());
}

// Checks the player (not archived) and the complaint (the same player's) an assessment names.
absl::Status CheckOwner(storage::Transaction& conn, const domain::Assessment& a) {
  TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, a.player_id));
  if (player.archived_at) {
    return absl::FailedPreconditionError(
        absl::StrCat("player ", player.id, " is archived; no assessments are recorded"));
  }
  if (a.complaint_id != 0) {
    auto complaint = storage::FindComplaint(conn, a.complaint_id);
    if (!complaint.ok() || complaint->player_id != a.player_id) {
      return common::InvalidField("assessment.complaint_id",
                                  absl::StrCat("complaint ", a.complaint_id,
                                               " is not one of player ", a.player_id, "'s"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::CreateAssessmentResponse> AssessmentDesk::CreateAssessment(
    const common::Caller& caller, const v1::CreateAssessmentRequest& request) {
  const v1::Assessment& in = request.assessment();
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "assessment.player_id", in.player_id());
  CheckCommon(v, in, now, options_);
  domain::Assessment a = TestFromProto(v, "assessment", in);
  TL_RETURN_IF_ERROR(v.ToStatus());
  a.player_id = in.player_id();
  a.assessed_at = FromProto(in.assess_time());
  a.baseline = in.baseline();
  a.complaint_id = in.complaint_id();
  a.note = in.note();
  a.recorded_at = now;
  a.recorded_by = caller.user;

  v1::CreateAssessmentResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(CheckOwner(conn, a));
    TL_ASSIGN_OR_RETURN(domain::Assessment stored, storage::InsertAssessment(conn, a));
    Present(stored, storage::ListBaselinesOfPlayers(conn, {stored.player_id}),
            options_.assessment_thresholds, response.mutable_assessment());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::AmendAssessmentResponse> AssessmentDesk::AmendAssessment(
    const common::Caller& caller, const v1::AmendAssessmentRequest& request) {
  const v1::Assessment& in = request.assessment();
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "assessment_id", request.assessment_id());
  if (in.player_id() < 0) v.Add("assessment.player_id", "must not be negative");
  CheckCommon(v, in, now, options_);
  domain::Assessment a = TestFromProto(v, "assessment", in);
  common::CheckRequiredText(v, "reason", request.reason(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  a.assessed_at = FromProto(in.assess_time());
  a.baseline = in.baseline();
  a.complaint_id = in.complaint_id();
  a.note = in.note();
  a.amends_id = request.assessment_id();
  a.amend_reason = request.reason();
  a.recorded_at = now;
  a.recorded_by = caller.user;

  v1::AmendAssessmentResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Assessment old,
                        storage::FindAssessment(conn, request.assessment_id()));
    if (!old.current()) {
      return absl::FailedPreconditionError(
          absl::StrCat("assessment ", old.id, " was already corrected by assessment ",
                       old.superseded_by, "; amend that one"));
    }
    if (in.player_id() != 0 && in.player_id() != old.player_id) {
      return common::InvalidField("assessment.player_id",
                                  absl::StrCat("assessment ", old.id, " is player ", old.player_id,
                                               "'s; a correction cannot move it to another player"));
    }
    if (a.kind != old.kind) {
      return common::InvalidField(
          "assessment.test",
          absl::StrCat("assessment ", old.id, " is a ", domain::AssessmentKindText(old.kind),
                       "; a correction keeps the kind (record a new assessment instead)"));
    }
    a.player_id = old.player_id;
    TL_RETURN_IF_ERROR(CheckOwner(conn, a));
    TL_ASSIGN_OR_RETURN(domain::Assessment stored, storage::InsertAssessment(conn, a));
    Present(stored, storage::ListBaselinesOfPlayers(conn, {stored.player_id}),
            options_.assessment_thresholds, response.mutable_assessment());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::GetAssessmentResponse> AssessmentDesk::GetAssessment(
    const common::Caller&, const v1::GetAssessmentRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetAssessmentResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Assessment a, storage::FindAssessment(conn, request.id()));
    Present(a, storage::ListBaselinesOfPlayers(conn, {a.player_id}),
            options_.assessment_thresholds, response.mutable_assessment());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListAssessmentsResponse> AssessmentDesk::ListAssessments(
    const common::Caller&, const v1::ListAssessmentsRequest& request) {
  common::FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("player_id", "set exactly one of player_id and squad_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  common::CheckFilterSize(v, "kinds", request.kinds_size());
  storage::AssessmentFilter filter;
  filter.player_id = request.player_id();
  filter.squad_id = request.squad_id();
  filter.include_superseded = request.include_superseded();
  for (int i = 0; i < request.kinds_size(); ++i) {
    const auto kind = request.kinds(i);
    if (kind == v1::ASSESSMENT_KIND_UNSPECIFIED || !v1::AssessmentKind_IsValid(kind)) {
      v.Add(absl::StrCat("kinds[", i, "]"), "must be an ASSESSMENT_KIND_* value");
    } else {
      filter.kinds.push_back(static_cast<AssessmentKind>(kind));
    }
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  v1::ListAssessmentsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    if (filter.player_id) TL_RETURN_IF_ERROR(storage::FindPlayer(conn, filter.player_id).status());
    if (filter.squad_id) TL_RETURN_IF_ERROR(storage::FindSquad(conn, filter.squad_id).status());
    auto page = storage::ListAssessments(conn, filter, cursor, page_size + 1);
    const bool more = static_cast<int>(page.size()) > page_size;
    if (more) page.pop_back();
    std::set<domain::Id> players;
    for (const auto& a : page) players.insert(a.player_id);
    const auto baselines =
        storage::ListBaselinesOfPlayers(conn, std::vector<domain::Id>(players.begin(), players.end()));
    for (const auto& a : page) {
      Present(a, baselines, options_.assessment_thresholds, response.add_assessments());
    }
    if (more) {
      response.set_next_page_token(common::EncodePageToken(
          {absl::ToUnixMicros(page.back().assessed_at), page.back().id}));
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListScreeningTasksResponse> AssessmentDesk::ListScreeningTasks(
    const common::Caller&, const v1::ListScreeningTasksRequest& request) {
  common::FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("squad_id", "set exactly one of squad_id and player_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  if (request.has_as_of() && !common::IsValidTimestamp(request.as_of())) {
    v.Add("as_of", "is not a valid timestamp");
  }
  if (request.has_start_time() && !common::IsValidTimestamp(request.start_time())) {
    v.Add("start_time", "is not a valid timestamp");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  // The token's key is the evaluation instant, its id the offset of the next task.
  absl::Time as_of = request.has_as_of() ? FromProto(request.as_of()) : clock_.Now();
  if (!request.page_token().empty()) as_of = absl::FromUnixMicros(cursor.key);
  const std::optional<absl::Time> start =
      request.has_start_time() ? std::optional<absl::Time>(FromProto(request.start_time()))
                               : std::nullopt;

  std::vector<domain::ScreeningTask> tasks;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(auto players,
                        PlayersInScope(conn, request.squad_id(), request.player_id()));
    std::vector<domain::Id> ids;
    for (const auto& p : players) ids.push_back(p.id);
    const absl::Time end = as_of + absl::Microseconds(1);
    std::map<domain::Id, std::vector<domain::Assessment>> screens;
    for (auto& a : storage::ListPelvicScreensOfPlayers(conn, ids, absl::InfinitePast(), end)) {
      screens[a.player_id].push_back(std::move(a));
    }
    // Without start_time only open tasks are asked for: a player's contact before their latest
    // screen is closed, so reading from the earliest of the players' latest screens is enough (a
    // player never screened: from their first contact).
    absl::Time from = start.value_or(absl::InfiniteFuture());
    if (!start) {
      for (domain::Id id : ids) {
        auto it = screens.find(id);
        from = std::min(from, it == screens.end() ? absl::InfinitePast()
                                                  : it->second.back().assessed_at);
      }
    }
    std::map<domain::Id, std::vector<domain::ContactEvent>> events;
    for (auto& e : storage::ListContactEventsOfPlayers(conn, ids, from, end, /*awkward_only=*/true)) {
      events[e.player_id].push_back(std::move(e));
    }
    std::map<domain::Id, std::vector<domain::Complaint>> tears;  // complaints that open a task
    for (auto& c : storage::ListComplaintsOfPlayers(conn, ids)) {
      if (domain::OpensScreeningTask(c) && c.onset_at >= from) tears[c.player_id].push_back(std::move(c));
    }
    for (domain::Id id : ids) {
      for (auto& t : domain::ScreeningTasks(events[id], tears[id], screens[id], as_of,
                                            options_.screening)) {
        if (start ? t.opened_at < *start : t.state == domain::ScreeningState::kClosed) continue;
        if (request.overdue_only() && t.state != domain::ScreeningState::kOverdue) continue;
        tasks.push_back(std::move(t));
      }
    }
    return absl::OkStatus();
  }));
  std::sort(tasks.begin(), tasks.end(), [](const domain::ScreeningTask& a, const domain::ScreeningTask& b) {
    return std::tie(a.due_at, a.player_id, a.contact_event_id, a.complaint_id) <
           std::tie(b.due_at, b.player_id, b.contact_event_id, b.complaint_id);
  });

  v1::ListScreeningTasksResponse response;
  ToProto(as_of, response.mutable_as_of());
  const common::ComputedPage page = common::PageOfComputed(cursor, tasks.size(), page_size, as_of);
  for (size_t i = page.begin; i < page.end; ++i) {
    const domain::ScreeningTask& t = tasks[i];
    v1::ScreeningTask* out = response.add_tasks();
    out->set_contact_event_id(t.contact_event_id);
    out->set_complaint_id(t.complaint_id);
    out->set_player_id(t.player_id);
    if (t.contact_event_id != 0) {
      out->set_contact_kind(static_cast<v1::ContactKind>(t.contact_kind));
      out->set_session_label(t.session_label);
    }
    ToProto(t.opened_at, out->mutable_open_time());
    ToProto(t.due_at, out->mutable_due_time());
    out->set_state(static_cast<v1::ScreeningTaskState>(t.state));
    out->set_closed_by_assessment_id(t.closed_by);
    if (t.closed_at) ToProto(*t.closed_at, out->mutable_close_time());
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

}  // namespace touchline::service
