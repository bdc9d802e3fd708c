#include "server/service/complaint_records.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/domain/flag_rules.h"
#include "server/domain/same_site_rules.h"
#include "server/service/instant_check.h"
#include "server/domain/nerve_rules.h"
#include "server/service/plugin_request_builder.h"
#include "server/service/proto_mapping.h"
#include "server/service/write_once.h"
#include "server/storage/assessment_store.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

const std::set<std::string>& UpdatableComplaintFields() {
  static const auto* fields = new std::set<std::string>{
      "side", "onset_time", "onset_kind", "mechanism", "symptoms", "osiics_code", "bamic",
      "history", "findings"};
  return *fields;
}

bool IsValidOsiics(const std::string& code) {
  if (code.size() < 2 || code.size() > 6) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

void CheckSymptoms(common::FieldViolations& v, const std::string& field, const v1::Symptoms& s) {
  if (s.pain() < 0 || s.pain() > 10) v.Add(field + ".pain", "must be between 0 and 10");
}

// Validates the complaint fields named in `paths` (field names prefixed with "complaint.").
void CheckComplaintFields(common::FieldViolations& v, const v1::Complaint& c,
                          const std::set<std::string>& paths, absl::Time now,
                          const ServiceOptions& o) {
  if (paths.count("side") && (c.side() == v1::SIDE_UNSPECIFIED || !v1::Side_IsValid(c.side()))) {
    v.Add("complaint.side", "must be SIDE_LEFT, SIDE_RIGHT or SIDE_BOTH");
  }
  if (paths.count("onset_time")) {
    if (!c.has_onset_time()) {
      v.Add("complaint.onset_time", "is required");
    } else {
      CheckInstant(v, "complaint.onset_time", c.onset_time(), now, o);
    }
  }
  if (paths.count("onset_kind") &&
      (c.onset_kind() == v1::ONSET_KIND_UNSPECIFIED || !v1::OnsetKind_IsValid(c.onset_kind()))) {
    v.Add("complaint.onset_kind", "must be ONSET_KIND_GRADUAL or ONSET_KIND_ACUTE");
  }
  if (paths.count("mechanism") && !v1::Mechanism_IsValid(c.mechanism())) {
    v.Add("complaint.mechanism", "must be a MECHANISM_* value");
  }
  if (paths.count("symptoms")) CheckSymptoms(v, "complaint.symptoms", c.symptoms());
  if (paths.count("osiics_code") && !c.osiics_code().empty() && !IsValidOsiics(c.osiics_code())) {
    v.Add("complaint.osiics_code", "must be 2-6 upper-case letters or digits, e.g. TM1");
  }
  if (paths.count("bamic") && c.has_bamic()) {
    // The onset kind is checked against the stored complaint once the amendment is applied
    // (CheckBamicOnComplaint); here only what the grade itself must be.
    const domain::BamicGrade g{c.bamic().grade(), static_cast<domain::BamicSite>(c.bamic().site())};
    if (g.grade < 0 || g.grade > 4) v.Add("complaint.bamic.grade", "must be 0-4");
    if (!v1::BamicSite_IsValid(c.bamic().site()) || c.bamic().site() == v1::BAMIC_SITE_UNSPECIFIED) {
      v.Add("complaint.bamic.site", "must be BAMIC_SITE_A, BAMIC_SITE_B or BAMIC_SITE_C");
    } else if (g.grade == 0 && g.site == domain::BamicSite::kC) {
      v.Add("complaint.bamic.site", "grade 0 (MRI negative) has sites a and b only (Pollock 2014)");
    }
  }
  if (paths.count("history")) {
    common::CheckOptionalText(v, "complaint.history.notes", c.history().notes(), o.max_text_length);
  }
  if (paths.count("findings")) {
    common::CheckOptionalText(v, "complaint.findings.notes", c.findings().notes(), o.max_text_length);
  }
}

std::optional<domain::BamicGrade> BamicFrom(const v1::Complaint& c) {
  if (!c.has_bamic()) return std::nullopt;
  return domain::BamicGrade{c.bamic().grade(), static_cast<domain::BamicSite>(c.bamic().site())};
}

// A BAMIC grade only on an acute complaint: INVALID_ARGUMENT naming complaint.bamic otherwise.
absl::Status CheckBamicOnComplaint(const domain::Complaint& c) {
  if (!c.bamic) return absl::OkStatus();
  const std::string problem = domain::BamicProblem(c.onset_kind, *c.bamic);
  if (problem.empty()) return absl::OkStatus();
  return common::InvalidField("complaint.bamic", problem);
}

domain::Mechanism MechanismFrom(v1::Mechanism m) {
  return m == v1::MECHANISM_UNSPECIFIED ? domain::Mechanism::kUnknown
                                        : static_cast<domain::Mechanism>(m);
}

std::string Bool(bool b) { return b ? "true" : "false"; }

void Diff(std::vector<domain::FieldChange>& out, const std::string& field, const std::string& old_v,
          const std::string& new_v) {
  if (old_v != new_v) out.push_back({field, old_v, new_v});
}

void DiffSymptoms(std::vector<domain::FieldChange>& out, const std::string& prefix,
                  const domain::Symptoms& a, const domain::Symptoms& b) {
  Diff(out, prefix + ".ache", Bool(a.ache), Bool(b.ache));
  Diff(out, prefix + ".tightness", Bool(a.tightness), Bool(b.tightness));
  Diff(out, prefix + ".spasm", Bool(a.spasm), Bool(b.spasm));
  Diff(out, prefix + ".pain", absl::StrCat(a.pain), absl::StrCat(b.pain));
  Diff(out, prefix + ".sleep_disturbance", Bool(a.sleep_disturbance), Bool(b.sleep_disturbance));
  Diff(out, prefix + ".inflexibility", Bool(a.inflexibility), Bool(b.inflexibility));
  Diff(out, prefix + ".weakness_against_quadriceps", Bool(a.weakness_against_quadriceps),
       Bool(b.weakness_against_quadriceps));
}

// Every field of `b` that differs from `a`, as text.
std::vector<domain::FieldChange> DiffComplaints(const domain::Complaint& a,
                                                const domain::Complaint& b) {
  std::vector<domain::FieldChange> out;
  Diff(out, "side", SideName(a.side), SideName(b.side));
  Diff(out, "onset_time", FormatInstant(a.onset_at), FormatInstant(b.onset_at));
  Diff(out, "onset_kind", OnsetKindName(a.onset_kind), OnsetKindName(b.onset_kind));
  Diff(out, "mechanism", MechanismName(a.mechanism), MechanismName(b.mechanism));
  DiffSymptoms(out, "symptoms", a.symptoms, b.symptoms);
  Diff(out, "osiics_code", a.osiics_code, b.osiics_code);
  Diff(out, "bamic", a.bamic ? domain::BamicText(*a.bamic) : "",
       b.bamic ? domain::BamicText(*b.bamic) : "");
  Diff(out, "history.lumbar_disc_herniation", Bool(a.history.lumbar_disc_herniation),
       Bool(b.history.lumbar_disc_herniation));
  Diff(out, "history.notes", a.history.notes, b.history.notes);
  const auto& fa = a.findings;
  const auto& fb = b.findings;
  Diff(out, "findings.pelvic_rotation", Bool(fa.pelvic_rotation), Bool(fb.pelvic_rotation));
  Diff(out, "findings.piriformis_spasm", Bool(fa.piriformis_spasm), Bool(fb.piriformis_spasm));
  Diff(out, "findings.lumbar_stiffness", Bool(fa.lumbar_stiffness), Bool(fb.lumbar_stiffness));
  Diff(out, "findings.thoracic_stiffness", Bool(fa.thoracic_stiffness),
       Bool(fb.thoracic_stiffness));
  Diff(out, "findings.sciatic_nerve_tension", Bool(fa.sciatic_nerve_tension),
       Bool(fb.sciatic_nerve_tension));
  Diff(out, "findings.notes", fa.notes, fb.notes);
  return out;
}

// The complaint as the API shows it, with its computed pelvic-origin marker.
// `player_complaints`: the player's complaints when the caller has them (a page of a list), else
// read here.
void Present(storage::Transaction& conn, const domain::Complaint& c,
             const domain::FlagThresholds& thresholds, v1::Complaint* out,
             const std::vector<domain::Complaint>* player_complaints = nullptr) {
  ToProto(c, out);
  const auto events = storage::ListContactEventsOfPlayers(
      conn, {c.player_id}, c.onset_at - thresholds.pelvic_origin_window,
      c.onset_at + absl::Microseconds(1), true);
  const auto cited = domain::PelvicOriginEvents(c, events, thresholds);
  out->set_suspected_pelvic_origin(!cited.empty());
  for (auto id : cited) out->add_pelvic_origin_event_ids(id);
  // IOC 2020 subsequent complaint: recurrence, exacerbation or subsequent related (same side,
  // another tissue), against the player's other complaints as recorded now.
  std::vector<domain::Complaint> read;
  if (player_complaints == nullptr) {
    read = storage::ListComplaintsOfPlayers(conn, {c.player_id});
    player_complaints = &read;
  }
  const domain::SubsequentClassification sub = domain::ClassifySubsequent(c, *player_complaints);
  switch (sub.kind) {
    case domain::SubsequentKind::kNew:
      out->set_subsequent_kind(v1::SUBSEQUENT_KIND_NEW);
      break;
    case domain::SubsequentKind::kRecurrence:
      out->set_subsequent_kind(v1::SUBSEQUENT_KIND_RECURRENCE);
      break;
    case domain::SubsequentKind::kExacerbation:
      out->set_subsequent_kind(v1::SUBSEQUENT_KIND_EXACERBATION);
      break;
    case domain::SubsequentKind::kRelated:
      out->set_subsequent_kind(v1::SUBSEQUENT_KIND_RELATED);
      break;
  }
  out->set_subsequent_to_complaint_id(sub.index_complaint_id);
  out->set_subsequent_reason(sub.reason);
  // Nerve involvement from everything recorded while it was open (all of it, while it still is).
  const absl::Time until = c.resolved_at.value_or(absl::InfiniteFuture());
  const auto nerve_tests = storage::ListCurrentAssessmentsOfPlayers(
      conn, {c.player_id}, domain::NeuralTensionTestKinds(), c.onset_at,
      until == absl::InfiniteFuture() ? until : until + absl::Microseconds(1));
  ToProto(domain::ClassifyNerveInvolvement(c, nerve_tests, until),
          out->mutable_nerve_involvement());
}

// The complaint and its player, refusing changes to an archived player's record.
absl::StatusOr<domain::Complaint> FindWritableComplaint(storage::Transaction& conn, domain::Id id) {
  TL_ASSIGN_OR_RETURN(domain::Complaint complaint, storage::FindComplaint(conn, id));
  TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, complaint.player_id));
  if (player.archived_at) {
    return absl::FailedPreconditionError(absl::StrCat(
        "player ", player.id, " is archived; complaint ", id, " can no longer be changed"));
  }
  return complaint;
}

absl::Status Amend(storage::Transaction& conn, domain::Complaint& complaint, const common::Caller& caller,
                   absl::Time now, domain::AmendmentAction action,
                   std::vector<domain::FieldChange> changes, const std::string& reason) {
  complaint.updated_at = now;
  complaint.updated_by = caller.user;
  TL_RETURN_IF_ERROR(storage::UpdateComplaint(conn, complaint));
  domain::Amendment amendment;
  amendment.complaint_id = complaint.id;
  amendment.action = action;
  amendment.amended_by = caller.user;
  amendment.amended_at = now;
  amendment.changes = std::move(changes);
  amendment.reason = reason;
  return storage::AppendAmendment(conn, amendment).status();
}

}  // namespace

void PresentComplaint(storage::Transaction& conn, const domain::Complaint& complaint,
                      const domain::FlagThresholds& thresholds, v1::Complaint* out) {
  Present(conn, complaint, thresholds, out);
}

absl::StatusOr<v1::CreateComplaintResponse> ComplaintRecords::CreateComplaint(
    const common::Caller& caller, const v1::CreateComplaintRequest& request) {
  const v1::Complaint& c = request.complaint();
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "complaint.player_id", c.player_id());
  CheckComplaintFields(v, c, UpdatableComplaintFields(), now, options_);
  // A past injury entered today comes with its resolution: it never was a current complaint, so
  // it raises no flag that would be cleared again a moment later.
  if (c.has_resolve_time() &&
      CheckInstant(v, "complaint.resolve_time", c.resolve_time(), now, options_) &&
      c.has_onset_time() && FromProto(c.resolve_time()) < FromProto(c.onset_time())) {
    v.Add("complaint.resolve_time", "must not be before the onset");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());

  domain::Complaint complaint;
  complaint.player_id = c.player_id();
  complaint.side = static_cast<domain::Side>(c.side());
  complaint.onset_at = FromProto(c.onset_time());
  complaint.onset_kind = static_cast<domain::OnsetKind>(c.onset_kind());
  complaint.mechanism = MechanismFrom(c.mechanism());
  complaint.symptoms = FromProto(c.symptoms());
  complaint.osiics_code = c.osiics_code();
  complaint.bamic = BamicFrom(c);
  complaint.history = FromProto(c.history());
  complaint.findings = FromProto(c.findings());
  TL_RETURN_IF_ERROR(CheckBamicOnComplaint(complaint));
  if (c.has_resolve_time()) complaint.resolved_at = FromProto(c.resolve_time());
  complaint.created_at = complaint.updated_at = now;
  complaint.created_by = complaint.updated_by = caller.user;

  v1::CreateComplaintResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, c.player_id()));
    if (player.archived_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("player ", player.id, " is archived; no new complaints"));
    }
    TL_ASSIGN_OR_RETURN(domain::Complaint stored, storage::InsertComplaint(conn, complaint));
    domain::Amendment created;
    created.complaint_id = stored.id;
    created.action = domain::AmendmentAction::kCreate;
    created.amended_by = caller.user;
    created.amended_at = now;
    created.changes = DiffComplaints(domain::Complaint{}, stored);
    if (stored.resolved_at) {
      created.changes.push_back({"resolve_time", "", FormatInstant(*stored.resolved_at)});
    }
    TL_RETURN_IF_ERROR(storage::AppendAmendment(conn, created).status());
    Present(conn, stored, options_.thresholds, response.mutable_complaint());
    return absl::OkStatus();
  }));
  Changed(response.complaint().player_id());
  return response;
}

absl::StatusOr<v1::GetComplaintResponse> ComplaintRecords::GetComplaint(
    const common::Caller&, const v1::GetComplaintRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetComplaintResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Complaint c, storage::FindComplaint(conn, request.id()));
    Present(conn, c, options_.thresholds, response.mutable_complaint());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListComplaintsResponse> ComplaintRecords::ListComplaints(
    const common::Caller&, const v1::ListComplaintsRequest& request) {
  common::FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("player_id", "set exactly one of player_id and squad_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  storage::ComplaintFilter filter{request.player_id(), request.squad_id(), request.open_only()};
  v1::ListComplaintsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    if (filter.player_id) TL_RETURN_IF_ERROR(storage::FindPlayer(conn, filter.player_id).status());
    if (filter.squad_id) TL_RETURN_IF_ERROR(storage::FindSquad(conn, filter.squad_id).status());
    auto complaints = storage::ListComplaints(conn, filter, cursor, page_size + 1);
    const bool more = static_cast<int>(complaints.size()) > page_size;
    if (more) complaints.pop_back();
    // Every complaint of the page's players in one read, for the subsequent classification.
    std::vector<domain::Id> players;
    for (const auto& c : complaints) players.push_back(c.player_id);
    std::sort(players.begin(), players.end());
    players.erase(std::unique(players.begin(), players.end()), players.end());
    std::map<domain::Id, std::vector<domain::Complaint>> by_player;
    if (!players.empty()) {
      for (auto& c : storage::ListComplaintsOfPlayers(conn, players)) {
        by_player[c.player_id].push_back(std::move(c));
      }
    }
    for (const auto& c : complaints) {
      Present(conn, c, options_.thresholds, response.add_complaints(), &by_player[c.player_id]);
    }
    if (more) {
      response.set_next_page_token(common::EncodePageToken(
          {absl::ToUnixMicros(complaints.back().onset_at), complaints.back().id}));
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::UpdateComplaintResponse> ComplaintRecords::UpdateComplaint(
    const common::Caller& caller, const v1::UpdateComplaintRequest& request) {
  const v1::Complaint& c = request.complaint();
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "complaint.id", c.id());
  if (request.update_mask().paths_size() == 0) {
    v.Add("update_mask", "is required: name the fields to amend");
  }
  std::set<std::string> paths;
  for (const auto& p : request.update_mask().paths()) {
    if (!UpdatableComplaintFields().count(p)) {
      v.Add("update_mask", absl::StrCat("cannot amend '", p, "'; amendable: ",
                                        absl::StrJoin(UpdatableComplaintFields(), ", ")));
    }
    paths.insert(p);
  }
  common::CheckOptionalText(v, "reason", request.reason(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  CheckComplaintFields(v, c, paths, now, options_);
  TL_RETURN_IF_ERROR(v.ToStatus());

  v1::UpdateComplaintResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint, FindWritableComplaint(conn, c.id()));
    const domain::Complaint before = complaint;
    if (paths.count("side")) complaint.side = static_cast<domain::Side>(c.side());
    if (paths.count("onset_time")) complaint.onset_at = FromProto(c.onset_time());
    if (paths.count("onset_kind")) {
      complaint.onset_kind = static_cast<domain::OnsetKind>(c.onset_kind());
    }
    if (paths.count("mechanism")) complaint.mechanism = MechanismFrom(c.mechanism());
    if (paths.count("symptoms")) complaint.symptoms = FromProto(c.symptoms());
    if (paths.count("osiics_code")) complaint.osiics_code = c.osiics_code();
    if (paths.count("bamic")) complaint.bamic = BamicFrom(c);
    // Also when only onset_kind changes: a graded complaint cannot become gradual.
    TL_RETURN_IF_ERROR(CheckBamicOnComplaint(complaint));
    if (paths.count("history")) complaint.history = FromProto(c.history());
    if (paths.count("findings")) complaint.findings = FromProto(c.findings());
    if (complaint.resolved_at && complaint.onset_at > *complaint.resolved_at) {
      return common::InvalidField("complaint.onset_time", "must not be after the resolution");
    }
    if (!complaint.check_ins.empty() && complaint.onset_at > complaint.check_ins.front().checked_at) {
      return common::InvalidField("complaint.onset_time", "must not be after the first check-in");
    }
    auto changes = DiffComplaints(before, complaint);
    if (!changes.empty()) {
      TL_RETURN_IF_ERROR(Amend(conn, complaint, caller, now, domain::AmendmentAction::kUpdate,
                               std::move(changes), request.reason()));
    }
    Present(conn, complaint, options_.thresholds, response.mutable_complaint());
    return absl::OkStatus();
  }));
  Changed(response.complaint().player_id());
  return response;
}

absl::StatusOr<v1::CreateCheckInResponse> ComplaintRecords::CreateCheckIn(
    const common::Caller& caller, const v1::CreateCheckInRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "complaint_id", request.complaint_id());
  if (!request.check_in().has_check_time()) {
    v.Add("check_in.check_time", "is required");
  } else {
    CheckInstant(v, "check_in.check_time", request.check_in().check_time(), now, options_);
  }
  CheckSymptoms(v, "check_in.symptoms", request.check_in().symptoms());
  common::CheckOptionalText(v, "check_in.note", request.check_in().note(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());

  domain::CheckIn check_in;
  check_in.complaint_id = request.complaint_id();
  check_in.checked_at = FromProto(request.check_in().check_time());
  check_in.symptoms = FromProto(request.check_in().symptoms());
  check_in.note = request.check_in().note();
  check_in.recorded_by = caller.user;

  v1::CreateCheckInResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint,
                        FindWritableComplaint(conn, request.complaint_id()));
    if (check_in.checked_at < complaint.onset_at) {
      return common::InvalidField("check_in.check_time", "must not be before the complaint's onset");
    }
    if (complaint.resolved_at && check_in.checked_at > *complaint.resolved_at) {
      return absl::FailedPreconditionError(absl::StrCat(
          "complaint ", complaint.id, " was resolved at ", FormatInstant(*complaint.resolved_at),
          "; reopen it to record later check-ins"));
    }
    TL_ASSIGN_OR_RETURN(domain::CheckIn stored, storage::InsertCheckIn(conn, check_in));
    std::vector<domain::FieldChange> changes;
    DiffSymptoms(changes, absl::StrCat("check_ins[", stored.id, "].symptoms"), domain::Symptoms{},
                 stored.symptoms);
    changes.push_back({absl::StrCat("check_ins[", stored.id, "].check_time"), "",
                       FormatInstant(stored.checked_at)});
    TL_RETURN_IF_ERROR(Amend(conn, complaint, caller, now, domain::AmendmentAction::kCheckIn,
                             std::move(changes), ""));
    TL_ASSIGN_OR_RETURN(domain::Complaint updated, storage::FindComplaint(conn, complaint.id));
    Present(conn, updated, options_.thresholds, response.mutable_complaint());
    return absl::OkStatus();
  }));
  Changed(response.complaint().player_id());
  return response;
}

absl::StatusOr<v1::ResolveComplaintResponse> ComplaintRecords::ResolveComplaint(
    const common::Caller& caller, const v1::ResolveComplaintRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "complaint_id", request.complaint_id());
  if (!request.has_resolve_time()) {
    v.Add("resolve_time", "is required (the return to full participation)");
  } else {
    CheckInstant(v, "resolve_time", request.resolve_time(), now, options_);
  }
  common::CheckOptionalText(v, "reason", request.reason(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time resolved_at = FromProto(request.resolve_time());

  v1::ResolveComplaintResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint,
                        FindWritableComplaint(conn, request.complaint_id()));
    if (complaint.resolved_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("complaint ", complaint.id, " is already resolved (",
                       FormatInstant(*complaint.resolved_at), ")"));
    }
    if (resolved_at < complaint.onset_at) {
      return common::InvalidField("resolve_time", absl::StrCat("must not be before the onset (",
                                                       FormatInstant(complaint.onset_at), ")"));
    }
    if (!complaint.check_ins.empty() && resolved_at < complaint.check_ins.back().checked_at) {
      return common::InvalidField("resolve_time", "must not be before the last check-in");
    }
    complaint.resolved_at = resolved_at;
    TL_RETURN_IF_ERROR(Amend(conn, complaint, caller, now, domain::AmendmentAction::kResolve,
                             {{"resolve_time", "", FormatInstant(resolved_at)}},
                             request.reason()));
    Present(conn, complaint, options_.thresholds, response.mutable_complaint());
    return absl::OkStatus();
  }));
  Changed(response.complaint().player_id());
  return response;
}

absl::StatusOr<v1::ReopenComplaintResponse> ComplaintRecords::ReopenComplaint(
    const common::Caller& caller, const v1::ReopenComplaintRequest& request) {
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "complaint_id", request.complaint_id());
  common::CheckRequiredText(v, "reason", request.reason(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::ReopenComplaintResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint,
                        FindWritableComplaint(conn, request.complaint_id()));
    if (!complaint.resolved_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("complaint ", complaint.id, " is open; only a resolved one can reopen"));
    }
    const std::string was = FormatInstant(*complaint.resolved_at);
    complaint.resolved_at.reset();
    TL_RETURN_IF_ERROR(Amend(conn, complaint, caller, now, domain::AmendmentAction::kReopen,
                             {{"resolve_time", was, ""}}, request.reason()));
    Present(conn, complaint, options_.thresholds, response.mutable_complaint());
    return absl::OkStatus();
  }));
  Changed(response.complaint().player_id());
  return response;
}

absl::StatusOr<v1::ListAmendmentsResponse> ComplaintRecords::ListAmendments(
    const common::Caller&, const v1::ListAmendmentsRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "complaint_id", request.complaint_id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  v1::ListAmendmentsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Complaint complaint,
                        storage::FindComplaint(conn, request.complaint_id()));
    response.set_player_id(complaint.player_id);  // names the player in the call's audit record
    auto amendments =
        storage::ListAmendments(conn, request.complaint_id(), cursor.id, page_size + 1);
    const bool more = static_cast<int>(amendments.size()) > page_size;
    if (more) amendments.pop_back();
    for (const auto& a : amendments) ToProto(a, response.add_amendments());
    if (more) response.set_next_page_token(common::EncodePageToken({0, amendments.back().id}));
    return absl::OkStatus();
  }));
  return response;
}

}  // namespace touchline::service
