#include "server/service/return_to_play_desk.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/field_checks.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/domain/return_to_play_rules.h"
#include "server/domain/wording.h"
#include "server/service/proto_mapping.h"
#include "server/service/write_once.h"
#include "server/storage/assessment_store.h"
#include "server/storage/record_store.h"
#include "server/storage/return_to_play_store.h"

namespace touchline::service {
namespace {

using domain::CriterionCheck;
using domain::ReturnToPlayStage;

constexpr int kMaxCriteriaPerRequest = 64;
constexpr double kMaxThreshold = 100;  // percent or mm (a 100 mm visual analogue scale)

constexpr ReturnToPlayStage kStages[] = {ReturnToPlayStage::kParticipation,
                                         ReturnToPlayStage::kSport,
                                         ReturnToPlayStage::kPerformance};

// ---- request -> domain, with checks ----

std::optional<ReturnToPlayStage> StageFrom(common::FieldViolations& v, const std::string& field,
                                           v1::ReturnToPlayStage stage) {
  if (stage == v1::RETURN_TO_PLAY_STAGE_UNSPECIFIED || !v1::ReturnToPlayStage_IsValid(stage)) {
    v.Add(field, "must be RETURN_TO_PLAY_STAGE_PARTICIPATION, _SPORT or _PERFORMANCE");
    return std::nullopt;
  }
  return static_cast<ReturnToPlayStage>(stage);
}

domain::ReturnCriterion CriterionFrom(common::FieldViolations& v, const std::string& prefix,
                                      const v1::CriterionSpec& in, const ServiceOptions& o) {
  domain::ReturnCriterion c;
  const std::string f = prefix + ".";
  if (auto stage = StageFrom(v, f + "stage", in.stage())) c.stage = *stage;
  common::CheckRequiredText(v, f + "description", in.description(), o.max_text_length);
  c.description = in.description();
  if (!v1::CriterionCheck_IsValid(in.check())) {
    v.Add(f + "check", "must be a CRITERION_CHECK_* value");
    return c;
  }
  c.check = static_cast<CriterionCheck>(in.check());
  if (c.check == CriterionCheck::kNone) {
    if (in.has_threshold()) v.Add(f + "threshold", "is for a typed check only; leave it unset");
    return c;
  }
  c.threshold = c.check == CriterionCheck::kEccentricAsymmetry ? domain::kDefaultAsymmetryPercent
                                                               : domain::kDefaultApprehensionMm;
  if (in.has_threshold()) {
    if (!std::isfinite(in.threshold()) || in.threshold() < 0 || in.threshold() > kMaxThreshold) {
      v.Add(f + "threshold", "must be between 0 and 100");
    }
    c.threshold = in.threshold();
  }
  return c;
}

struct StageDate {
  ReturnToPlayStage stage = ReturnToPlayStage::kParticipation;
  absl::Time at;
};

StageDate StageDateFrom(common::FieldViolations& v, const std::string& prefix,
                        const v1::StageDateSpec& in) {
  StageDate d;
  if (auto stage = StageFrom(v, prefix + ".stage", in.stage())) d.stage = *stage;
  if (!in.has_planned_time() || !common::IsValidTimestamp(in.planned_time())) {
    v.Add(prefix + ".planned_time", "is required: a valid timestamp");
  } else {
    d.at = FromProto(in.planned_time());
  }
  return d;
}

// ---- domain -> response ----

v1::ReturnToPlayStage StageOut(ReturnToPlayStage s) { return static_cast<v1::ReturnToPlayStage>(s); }

void MarkToProto(const domain::CriterionMark& m, v1::CriterionMark* out) {
  out->set_id(m.id);
  out->set_criterion_id(m.criterion_id);
  out->set_met(m.met);
  out->set_evidence(m.evidence);
  out->set_assessment_id(m.assessment_id);
  out->set_finding(m.finding);
  ToProto(m.recorded_at, out->mutable_record_time());
  out->set_recorded_by(m.recorded_by);
}

void CriterionToProto(const domain::ReturnToPlayPlan& plan, const domain::ReturnCriterion& c,
                      v1::ReturnCriterion* out) {
  out->set_id(c.id);
  out->set_stage(StageOut(c.stage));
  out->set_description(c.description);
  out->set_check(static_cast<v1::CriterionCheck>(c.check));
  out->set_threshold(c.threshold);
  out->set_withdrawn(c.withdrawn);
  out->set_amends_id(c.amends_id);
  out->set_amend_reason(c.amend_reason);
  out->set_superseded_by_id(c.superseded_by);
  if (const domain::CriterionMark* mark = domain::LatestMark(plan, c.id)) {
    out->set_met(mark->met);
    MarkToProto(*mark, out->mutable_latest_mark());
  }
  ToProto(c.recorded_at, out->mutable_record_time());
  out->set_recorded_by(c.recorded_by);
}

void StageReachedToProto(const domain::StageReached& r, v1::StageReached* out) {
  out->set_id(r.id);
  out->set_stage(StageOut(r.stage));
  ToProto(r.reached_at, out->mutable_reach_time());
  out->set_note(r.note);
  ToProto(r.recorded_at, out->mutable_record_time());
  out->set_recorded_by(r.recorded_by);
}

void PlanToProto(const domain::ReturnToPlayPlan& plan, v1::ReturnToPlayPlan* out) {
  out->set_id(plan.id);
  out->set_complaint_id(plan.complaint_id);
  out->set_player_id(plan.player_id);
  out->set_note(plan.note);
  for (const domain::StageReached& r : plan.reached) {
    if (StageOut(r.stage) > out->current_stage()) out->set_current_stage(StageOut(r.stage));
  }
  for (ReturnToPlayStage stage : kStages) {
    v1::StagePlan* s = out->add_stages();
    s->set_stage(StageOut(stage));
    if (auto planned = domain::PlannedDate(plan, stage)) ToProto(*planned, s->mutable_planned_time());
    for (const domain::ReturnCriterion* c : domain::CurrentCriteria(plan, stage)) {
      CriterionToProto(plan, *c, s->add_criteria());
    }
    for (const domain::ReturnCriterion* c : domain::UnmetCriteria(plan, stage)) {
      s->add_unmet_criterion_ids(c->id);
    }
    for (const domain::StageReached& r : plan.reached) {
      if (r.stage == stage) StageReachedToProto(r, s->mutable_reached());
    }
  }
  for (const domain::PlannedStageDate& d : plan.planned_dates) {
    v1::PlannedStageDate* o = out->add_planned_date_history();
    o->set_id(d.id);
    o->set_stage(StageOut(d.stage));
    ToProto(d.planned_at, o->mutable_planned_time());
    o->set_reason(d.reason);
    ToProto(d.recorded_at, o->mutable_record_time());
    o->set_recorded_by(d.recorded_by);
  }
  for (const domain::ReturnCriterion& c : plan.criteria) {
    CriterionToProto(plan, c, out->add_criterion_history());
  }
  for (const domain::CriterionMark& m : plan.marks) MarkToProto(m, out->add_mark_history());
  ToProto(plan.created_at, out->mutable_create_time());
  out->set_created_by(plan.created_by);
}

// ---- checks against the records ----

// The plan's complaint, open: a resolved complaint's plan is closed (reopen it first).
absl::StatusOr<domain::Complaint> OpenComplaintOf(storage::Transaction& conn, domain::Id complaint_id) {
  TL_ASSIGN_OR_RETURN(domain::Complaint complaint, storage::FindComplaint(conn, complaint_id));
  if (complaint.resolved_at) {
    return absl::FailedPreconditionError(absl::StrCat(
        "complaint ", complaint.id, " is resolved (return to full participation on ",
        domain::DateText(*complaint.resolved_at),
        "); its return-to-play plan is closed (reopen the complaint to change it)"));
  }
  return complaint;
}

absl::Status CheckStageOpen(const domain::ReturnToPlayPlan& plan, ReturnToPlayStage stage,
                            const char* what) {
  for (const domain::StageReached& r : plan.reached) {
    if (r.stage == stage) {
      return absl::FailedPreconditionError(absl::StrCat(
          domain::StageText(stage), " was already reached on ", domain::DateText(r.reached_at),
          "; ", what, " of a reached stage cannot change"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPlannedDate(const domain::Complaint& complaint, const StageDate& d,
                              const std::string& field) {
  if (d.at < complaint.onset_at) {
    return common::InvalidField(field, absl::StrCat("must not be before the complaint's onset (",
                                                    domain::DateTimeText(complaint.onset_at), ")"));
  }
  return absl::OkStatus();
}

domain::PlannedStageDate PlannedRow(const StageDate& d, const std::string& reason,
                                    const common::Caller& caller, absl::Time now) {
  domain::PlannedStageDate row;
  row.stage = d.stage;
  row.planned_at = d.at;
  row.reason = reason;
  row.recorded_at = now;
  row.recorded_by = caller.user;
  return row;
}

// Finds the plan holding a criterion, and the criterion in it.
struct CriterionInPlan {
  domain::ReturnToPlayPlan plan;
  const domain::ReturnCriterion* criterion = nullptr;
};
absl::StatusOr<CriterionInPlan> FindCriterion(storage::Transaction& conn, domain::Id criterion_id) {
  TL_ASSIGN_OR_RETURN(domain::Id plan_id, storage::PlanIdOfCriterion(conn, criterion_id));
  CriterionInPlan out;
  TL_ASSIGN_OR_RETURN(out.plan, storage::FindPlan(conn, plan_id));
  for (const domain::ReturnCriterion& c : out.plan.criteria) {
    if (c.id == criterion_id) out.criterion = &c;
  }
  if (out.criterion == nullptr) {
    return absl::NotFoundError(absl::StrCat("criterion ", criterion_id, " not found"));
  }
  if (!out.criterion->current()) {
    return absl::FailedPreconditionError(
        out.criterion->superseded_by != 0
            ? absl::StrCat("criterion ", criterion_id, " was corrected by criterion ",
                           out.criterion->superseded_by, "; use that one")
            : absl::StrCat("criterion ", criterion_id, " is withdrawn"));
  }
  return out;
}

template <typename Response>
absl::Status Respond(storage::Transaction& conn, domain::Id plan_id, Response& response) {
  TL_ASSIGN_OR_RETURN(domain::ReturnToPlayPlan plan, storage::FindPlan(conn, plan_id));
  PlanToProto(plan, response.mutable_plan());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::CreateReturnToPlayPlanResponse> ReturnToPlayDesk::CreateReturnToPlayPlan(
    const common::Caller& caller, const v1::CreateReturnToPlayPlanRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "complaint_id", request.complaint_id());
  common::CheckOptionalText(v, "note", request.note(), options_.max_text_length);
  std::vector<StageDate> dates;
  std::set<ReturnToPlayStage> dated;
  for (int i = 0; i < request.planned_dates_size(); ++i) {
    const std::string field = absl::StrCat("planned_dates[", i, "]");
    dates.push_back(StageDateFrom(v, field, request.planned_dates(i)));
    if (request.planned_dates(i).stage() != v1::RETURN_TO_PLAY_STAGE_UNSPECIFIED &&
        !dated.insert(dates.back().stage).second) {
      v.Add(field + ".stage", "is given twice; one planned date per stage");
    }
  }
  if (request.criteria_size() > kMaxCriteriaPerRequest) {
    v.Add("criteria", absl::StrCat("at most ", kMaxCriteriaPerRequest, " criteria"));
  }
  std::vector<domain::ReturnCriterion> criteria;
  for (int i = 0; i < request.criteria_size() && i < kMaxCriteriaPerRequest; ++i) {
    criteria.push_back(
        CriterionFrom(v, absl::StrCat("criteria[", i, "]"), request.criteria(i), options_));
  }
  TL_RETURN_IF_ERROR(v.ToStatus());

  v1::CreateReturnToPlayPlanResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint, OpenComplaintOf(conn, request.complaint_id()));
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, complaint.player_id));
    if (player.archived_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("player ", player.id, " is archived; no plan is made"));
    }
    for (size_t i = 0; i < dates.size(); ++i) {
      TL_RETURN_IF_ERROR(
          CheckPlannedDate(complaint, dates[i], absl::StrCat("planned_dates[", i, "].planned_time")));
    }
    domain::ReturnToPlayPlan plan;
    plan.complaint_id = complaint.id;
    plan.player_id = complaint.player_id;
    plan.note = request.note();
    plan.created_at = now;
    plan.created_by = caller.user;
    TL_ASSIGN_OR_RETURN(domain::ReturnToPlayPlan stored, storage::InsertPlan(conn, plan));
    for (const StageDate& d : dates) {
      TL_RETURN_IF_ERROR(
          storage::InsertPlannedDate(conn, stored.id, PlannedRow(d, "", caller, now)).status());
    }
    for (domain::ReturnCriterion c : criteria) {
      c.recorded_at = now;
      c.recorded_by = caller.user;
      TL_RETURN_IF_ERROR(storage::InsertCriterion(conn, stored.id, c).status());
    }
    return Respond(conn, stored.id, response);
  }));
  return response;
}

absl::StatusOr<v1::GetReturnToPlayPlanResponse> ReturnToPlayDesk::GetReturnToPlayPlan(
    const common::Caller&, const v1::GetReturnToPlayPlanRequest& request) {
  common::FieldViolations v;
  if ((request.plan_id() == 0) == (request.complaint_id() == 0)) {
    v.Add("plan_id", "set exactly one of plan_id and complaint_id");
  }
  if (request.plan_id() < 0) v.Add("plan_id", "must not be negative");
  if (request.complaint_id() < 0) v.Add("complaint_id", "must not be negative");
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetReturnToPlayPlanResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::ReturnToPlayPlan plan,
                        request.plan_id() != 0
                            ? storage::FindPlan(conn, request.plan_id())
                            : storage::FindPlanOfComplaint(conn, request.complaint_id()));
    PlanToProto(plan, response.mutable_plan());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::SetPlannedDateResponse> ReturnToPlayDesk::SetPlannedDate(
    const common::Caller& caller, const v1::SetPlannedDateRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "plan_id", request.plan_id());
  const StageDate d = StageDateFrom(v, "planned_date", request.planned_date());
  common::CheckOptionalText(v, "reason", request.reason(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::SetPlannedDateResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::ReturnToPlayPlan plan, storage::FindPlan(conn, request.plan_id()));
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint, OpenComplaintOf(conn, plan.complaint_id));
    TL_RETURN_IF_ERROR(CheckStageOpen(plan, d.stage, "the planned date"));
    TL_RETURN_IF_ERROR(CheckPlannedDate(complaint, d, "planned_date.planned_time"));
    TL_RETURN_IF_ERROR(
        storage::InsertPlannedDate(conn, plan.id, PlannedRow(d, request.reason(), caller, now))
            .status());
    return Respond(conn, plan.id, response);
  }));
  return response;
}

absl::StatusOr<v1::AddCriterionResponse> ReturnToPlayDesk::AddCriterion(
    const common::Caller& caller, const v1::AddCriterionRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "plan_id", request.plan_id());
  domain::ReturnCriterion c = CriterionFrom(v, "criterion", request.criterion(), options_);
  TL_RETURN_IF_ERROR(v.ToStatus());
  c.recorded_at = now;
  c.recorded_by = caller.user;
  v1::AddCriterionResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::ReturnToPlayPlan plan, storage::FindPlan(conn, request.plan_id()));
    TL_RETURN_IF_ERROR(OpenComplaintOf(conn, plan.complaint_id).status());
    TL_RETURN_IF_ERROR(CheckStageOpen(plan, c.stage, "the criteria"));
    TL_RETURN_IF_ERROR(storage::InsertCriterion(conn, plan.id, c).status());
    return Respond(conn, plan.id, response);
  }));
  return response;
}

absl::StatusOr<v1::AmendCriterionResponse> ReturnToPlayDesk::AmendCriterion(
    const common::Caller& caller, const v1::AmendCriterionRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "criterion_id", request.criterion_id());
  common::CheckRequiredText(v, "reason", request.reason(), options_.max_text_length);
  domain::ReturnCriterion c;
  if (!request.withdraw()) c = CriterionFrom(v, "criterion", request.criterion(), options_);
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::AmendCriterionResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(CriterionInPlan found, FindCriterion(conn, request.criterion_id()));
    const domain::ReturnCriterion& old = *found.criterion;
    TL_RETURN_IF_ERROR(OpenComplaintOf(conn, found.plan.complaint_id).status());
    TL_RETURN_IF_ERROR(CheckStageOpen(found.plan, old.stage, "the criteria"));
    if (request.withdraw()) {
      c = old;
      c.withdrawn = true;
    } else if (c.stage != old.stage) {
      return common::InvalidField(
          "criterion.stage", absl::StrCat("criterion ", old.id, " gates ",
                                          domain::StageText(old.stage),
                                          "; a correction keeps the stage (add a new criterion)"));
    }
    c.amends_id = old.id;
    c.amend_reason = request.reason();
    c.recorded_at = now;
    c.recorded_by = caller.user;
    TL_RETURN_IF_ERROR(storage::InsertCriterion(conn, found.plan.id, c).status());
    return Respond(conn, found.plan.id, response);
  }));
  return response;
}

absl::StatusOr<v1::MarkCriterionResponse> ReturnToPlayDesk::MarkCriterion(
    const common::Caller& caller, const v1::MarkCriterionRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "criterion_id", request.criterion_id());
  common::CheckRequiredText(v, "evidence", request.evidence(), options_.max_text_length);
  if (request.assessment_id() < 0) v.Add("assessment_id", "must not be negative");
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::MarkCriterionResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(CriterionInPlan found, FindCriterion(conn, request.criterion_id()));
    const domain::ReturnCriterion& criterion = *found.criterion;
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint,
                        OpenComplaintOf(conn, found.plan.complaint_id));
    TL_RETURN_IF_ERROR(CheckStageOpen(found.plan, criterion.stage, "the marks"));
    domain::CriterionMark mark;
    mark.criterion_id = criterion.id;
    mark.met = request.met();
    mark.evidence = request.evidence();
    mark.assessment_id = request.assessment_id();
    mark.recorded_at = now;
    mark.recorded_by = caller.user;
    if (!request.met()) {
      const domain::CriterionMark* latest = domain::LatestMark(found.plan, criterion.id);
      if (latest == nullptr || !latest->met) {
        return absl::FailedPreconditionError(
            absl::StrCat("criterion ", criterion.id, " is not marked met; nothing to retract"));
      }
    }
    if (request.met() && criterion.check != CriterionCheck::kNone && request.assessment_id() == 0) {
      return common::InvalidField(
          "assessment_id", absl::StrCat("criterion ", criterion.id,
                                        " is checked by the server: name the assessment it rests on"));
    }
    if (request.assessment_id() != 0) {
      auto assessment = storage::FindAssessment(conn, request.assessment_id());
      if (!assessment.ok() || assessment->player_id != complaint.player_id) {
        return common::InvalidField("assessment_id",
                                    absl::StrCat("assessment ", request.assessment_id(),
                                                 " is not one of player ", complaint.player_id,
                                                 "'s"));
      }
      if (!assessment->current()) {
        return absl::FailedPreconditionError(
            absl::StrCat("assessment ", assessment->id, " was corrected by assessment ",
                         assessment->superseded_by, "; cite that one"));
      }
      if (assessment->assessed_at < complaint.onset_at) {
        return absl::FailedPreconditionError(absl::StrCat(
            "assessment ", assessment->id, " was done before the complaint's onset (",
            domain::DateTimeText(complaint.onset_at), "); it cannot show recovery"));
      }
      if (criterion.check != CriterionCheck::kNone) {
        const domain::CriterionEvaluation e =
            domain::EvaluateCriterion(criterion, complaint, *assessment);
        mark.finding = e.finding;
        if (request.met() && !e.passed) {
          return absl::FailedPreconditionError(absl::StrCat(
              "criterion ", criterion.id, " is not met by assessment ", assessment->id, ": ",
              e.finding));
        }
      }
    }
    TL_RETURN_IF_ERROR(storage::InsertMark(conn, mark).status());
    return Respond(conn, found.plan.id, response);
  }));
  return response;
}

absl::StatusOr<v1::ReachStageResponse> ReturnToPlayDesk::ReachStage(
    const common::Caller& caller, const v1::ReachStageRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "plan_id", request.plan_id());
  const std::optional<ReturnToPlayStage> stage = StageFrom(v, "stage", request.stage());
  absl::Time at = now;
  if (request.has_reach_time()) {
    if (!common::IsValidTimestamp(request.reach_time())) {
      v.Add("reach_time", "is not a valid timestamp");
    } else {
      at = FromProto(request.reach_time());
      if (at > now) v.Add("reach_time", "must not be in the future: record a stage when it is reached");
    }
  }
  common::CheckOptionalText(v, "note", request.note(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::ReachStageResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::ReturnToPlayPlan plan, storage::FindPlan(conn, request.plan_id()));
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint, OpenComplaintOf(conn, plan.complaint_id));
    if (auto refusal = domain::CheckStageReach(plan, complaint, *stage, at)) {
      switch (refusal->kind) {
        case domain::StageRefusal::Kind::kAlreadyReached:
          return absl::AlreadyExistsError(refusal->message);
        case domain::StageRefusal::Kind::kTooEarly:
          return common::InvalidField("reach_time", refusal->message);
        case domain::StageRefusal::Kind::kOutOfOrder:
        case domain::StageRefusal::Kind::kUnmetCriteria:
          return absl::FailedPreconditionError(refusal->message);
      }
    }
    domain::StageReached reached;
    reached.complaint_id = complaint.id;
    reached.stage = *stage;
    reached.reached_at = at;
    reached.note = request.note();
    reached.recorded_at = now;
    reached.recorded_by = caller.user;
    TL_RETURN_IF_ERROR(storage::InsertStageReached(conn, plan.id, reached).status());
    return Respond(conn, plan.id, response);
  }));
  return response;
}

}  // namespace touchline::service
