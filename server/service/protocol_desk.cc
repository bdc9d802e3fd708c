#include "server/service/protocol_desk.h"

#include <algorithm>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/domain/flag_rules.h"
#include "server/domain/nerve_rules.h"
#include "server/service/plugin_request_builder.h"
#include "server/service/prescription_safety.h"
#include "server/service/proto_mapping.h"
#include "server/service/protocol_summary.h"
#include "server/service/squad_snapshot.h"
#include "server/service/write_once.h"
#include "server/storage/assessment_store.h"
#include "server/storage/protocol_store.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

namespace pv1 = touchline::plugin::v1;

// Sessions may be planned ahead, but not absurdly far (a typo like 2062 for 2026).
constexpr absl::Duration kMaxSessionAhead = absl::Hours(24 * 366);

pv1::Prescription ParsePrescription(const storage::StoredPrescription& s) {
  pv1::Prescription p;
  if (!p.ParseFromString(s.body)) {
    // Never expected (we wrote it); show what the columns know rather than nothing.
    p.set_protocol(s.protocol);
    p.set_exercise(s.exercise);
    p.set_timing(static_cast<pv1::Timing>(s.timing));
    p.set_complaint_id(s.complaint_id);
    p.set_plugin_name(s.plugin_name);
    p.set_plugin_version(s.plugin_version);
  }
  return p;
}

// The stored lists as the planner's result, for SummarizeProtocols.
pv1::AssignResult AsResult(const storage::ProtocolAssignment& a) {
  pv1::AssignResult r;
  r.set_player_id(a.player_id);
  for (const auto& s : a.prescriptions) {
    *(s.timing == storage::kTimingPre ? r.add_pre() : r.add_post()) = ParsePrescription(s);
  }
  return r;
}

void ToProto(const storage::AdherenceRecord& in, v1::AdherenceRecord* out) {
  out->set_id(in.id);
  out->set_prescription_id(in.prescription_id);
  out->set_assignment_id(in.assignment_id);
  out->set_adherence(static_cast<pv1::Adherence>(in.adherence));
  out->set_pain(in.pain);
  out->set_note(in.note);
  out->set_recorded_by(in.recorded_by);
  service::ToProto(in.recorded_at, out->mutable_record_time());
}

void ToProto(const storage::ProtocolAssignment& in, const std::string& player_name,
             v1::ProtocolAssignment* out) {
  out->set_id(in.id);
  out->set_player_id(in.player_id);
  out->set_player_name(player_name);
  out->set_session_label(in.session_label);
  out->set_session_kind(static_cast<v1::SessionKind>(in.session_kind));
  service::ToProto(in.session_at, out->mutable_session_time());
  service::ToProto(in.assigned_at, out->mutable_assign_time());
  out->set_assigned_by(in.assigned_by);
  pv1::AssignResult result;
  for (const auto& s : in.prescriptions) {
    v1::AssignedPrescription* p = s.timing == storage::kTimingPre ? out->add_pre() : out->add_post();
    p->set_id(s.id);
    *p->mutable_prescription() = ParsePrescription(s);
    *(s.timing == storage::kTimingPre ? result.add_pre() : result.add_post()) = p->prescription();
    for (const auto& d : s.adherence) ToProto(d, p->add_adherence_records());
  }
  pv1::AssignResult not_assigned;
  if (!in.failures.empty() && not_assigned.ParseFromString(in.failures)) {
    *out->mutable_failures() = not_assigned.failures();
    *out->mutable_withheld() = not_assigned.withheld();
  }
  out->set_summary(SummarizeProtocols(result));
}

// The stored form of one player's composed result.
storage::ProtocolAssignment ToStored(const pv1::AssignResult& result, domain::Id player_id,
                                     const v1::AssignProtocolsRequest& request, absl::Time session_at,
                                     absl::Time now, const common::Caller& caller) {
  storage::ProtocolAssignment a;
  a.player_id = player_id;
  a.session_label = request.session_label();
  a.session_kind = request.session_kind();
  a.session_at = session_at;
  a.assigned_at = now;
  a.assigned_by = caller.user;
  // What was not assigned (lost answers, withheld prescriptions) is kept with the assignment.
  if (result.failures_size() > 0 || result.withheld_size() > 0) {
    pv1::AssignResult not_assigned;
    *not_assigned.mutable_failures() = result.failures();
    *not_assigned.mutable_withheld() = result.withheld();
    a.failures = not_assigned.SerializeAsString();
  }
  auto add = [&](const pv1::Prescription& p) {
    storage::StoredPrescription s;
    s.timing = p.timing();
    s.protocol = p.protocol();
    s.exercise = p.exercise();
    s.complaint_id = p.complaint_id();
    s.plugin_name = p.plugin_name();
    s.plugin_version = p.plugin_version();
    s.body = p.SerializeAsString();
    a.prescriptions.push_back(std::move(s));
  };
  for (const auto& p : result.pre()) add(p);
  for (const auto& p : result.post()) add(p);
  return a;
}

// What the plugins are told about an earlier assignment: one entry per prescription, with the
// latest adherence report on it.
void AppendPast(const storage::ProtocolAssignment& a, std::vector<pv1::PastAssignment>* out) {
  for (const auto& s : a.prescriptions) {
    pv1::PastAssignment pa;
    *pa.mutable_prescription() = ParsePrescription(s);
    pa.mutable_session()->set_label(a.session_label);
    service::ToProto(a.session_at, pa.mutable_session()->mutable_start_time());
    service::ToProto(a.assigned_at, pa.mutable_assign_time());
    if (!s.adherence.empty()) {
      const storage::AdherenceRecord& last = s.adherence.back();
      pa.set_adherence(static_cast<pv1::Adherence>(last.adherence));
      pa.set_pain_during(last.pain > 0);
      pa.set_pain(last.pain);
    }
    out->push_back(std::move(pa));
  }
}

absl::Status RefuseArchived(const domain::Player& player, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("player ", player.id, " is archived; ", what));
}

}  // namespace

absl::StatusOr<v1::AssignProtocolsResponse> ProtocolDesk::AssignProtocols(
    const common::Caller& caller, const v1::AssignProtocolsRequest& request, absl::Time client_deadline,
    const std::function<bool()>& cancelled) {
  const absl::Time call_start = absl::Now();  // real time, for the deadlines
  // Why the answer can no longer be given (checked before the plugins, before the write, and
  // inside the write just before it commits): a caller who gave up must not find assignments
  // stored, and would duplicate them by retrying. A deadline that passed is also a cancellation
  // to gRPC: it is reported as what it is.
  auto too_late = [&]() -> absl::Status {
    if (absl::Now() >= client_deadline) {
      return absl::DeadlineExceededError(
          "the call's deadline passed before the protocols were stored; nothing was stored");
    }
    if (cancelled && cancelled()) {
      return absl::CancelledError(
          "the call was cancelled before the protocols were stored; nothing was stored");
    }
    return absl::OkStatus();
  };
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("player_id", "set exactly one of player_id and squad_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  common::CheckOptionalText(v, "session_label", request.session_label(), options_.max_name_length);
  if (!v1::SessionKind_IsValid(request.session_kind())) {
    v.Add("session_kind", "must be a SESSION_KIND_* value");
  }
  if (request.has_session_time()) {
    if (!common::IsValidTimestamp(request.session_time())) {
      v.Add("session_time", "is not a valid timestamp");
    } else if (FromProto(request.session_time()) < options_.earliest_instant) {
      v.Add("session_time", "is implausibly early");
    } else if (FromProto(request.session_time()) > now + kMaxSessionAhead) {
      v.Add("session_time", "is more than a year ahead");
    }
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time at = request.has_session_time() ? FromProto(request.session_time()) : now;

  // 0. A retry of a request already answered gets its first result, without asking the plugins
  //    again (the write below checks once more, in its transaction).
  {
    v1::AssignProtocolsResponse first;
    TL_ASSIGN_OR_RETURN(const bool answered, FindFirstResult(db_, caller, request, first));
    if (answered) return first;
  }

  // 1. Read every player's context in one read transaction.
  std::vector<domain::Player> players;
  std::vector<pv1::AssignRequest> requests;
  // Per request: the complaints and nerve tests the answer is checked against (step 2).
  std::vector<std::vector<domain::Complaint>> complaints_of;
  std::vector<std::vector<domain::Assessment>> nerve_tests_of;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(auto in_scope,
                        PlayersInScope(conn, request.squad_id(), request.player_id()));
    if (request.player_id() != 0 && in_scope.front().archived_at) {
      return RefuseArchived(in_scope.front(), "no protocols are assigned");
    }
    std::sort(in_scope.begin(), in_scope.end(), [](const auto& a, const auto& b) {
      return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    players = in_scope;
    std::vector<domain::Id> ids;
    for (const auto& p : players) ids.push_back(p.id);
    const SquadSnapshot snapshot =
        LoadSnapshot(conn, std::move(in_scope), at, options_.thresholds,
                     SnapshotOptions{.all_complaint_history = true});
    std::unordered_map<domain::Id, std::vector<domain::ContactEvent>> events;
    for (auto& e : storage::ListContactEventsOfPlayers(conn, ids, at - kProtocolContactLookback,
                                                       at + absl::Microseconds(1), false)) {
      events[e.player_id].push_back(std::move(e));
    }
    std::unordered_map<domain::Id, std::vector<pv1::PastAssignment>> past;
    for (const auto& a : storage::ListAssignmentsOfPlayers(
             conn, ids, at - kProtocolHistoryLookback, at + absl::Microseconds(1))) {
      AppendPast(a, &past[a.player_id]);
    }
    // The assessments the request reads: nerve tension tests and pelvic screens.
    std::vector<domain::AssessmentKind> kinds = domain::NeuralTensionTestKinds();
    kinds.push_back(domain::AssessmentKind::kPelvicScreen);
    std::unordered_map<domain::Id, std::vector<domain::Assessment>> nerve_tests;
    for (auto& a : storage::ListCurrentAssessmentsOfPlayers(conn, ids, kinds, absl::InfinitePast(),
                                                            at + absl::Microseconds(1))) {
      nerve_tests[a.player_id].push_back(std::move(a));
    }
    pv1::Session session;
    session.set_label(request.session_label());
    ToProto(at, session.mutable_start_time());
    for (const auto& record : snapshot.players) {
      const auto flags = domain::EvaluateFlags(record.player.id, record.complaints,
                                               record.awkward_events, at, options_.thresholds);
      const std::vector<domain::Assessment>& tests = nerve_tests[record.player.id];
      requests.push_back(BuildAssignRequest(
          record.player, record.complaints, tests, flags, events[record.player.id], session,
          past[record.player.id], at, kProtocolContactLookback));
      complaints_of.push_back(record.complaints);
      nerve_tests_of.push_back(tests);
    }
    return absl::OkStatus();
  }));

  // 2. Ask the plugins, with no transaction open, until the time limit less the margin to store
  //    and answer. With no time left for them, storing assignments nobody was asked for would
  //    only hide the failure.
  const absl::Time limit = std::min(client_deadline, call_start + planner_.assign_budget());
  const absl::Time plan_deadline =
      limit - std::min(kProtocolAnswerMargin, (limit - call_start) / 5);
  TL_RETURN_IF_ERROR(too_late());
  if (absl::Now() >= plan_deadline) {
    return absl::DeadlineExceededError(
        "no time was left to ask the protocol plugins before the call's deadline; nothing was "
        "stored");
  }
  std::vector<pv1::AssignResult> results = planner_.AssignMany(requests, plan_deadline, cancelled);
  for (size_t i = 0; i < results.size(); ++i) {
    WithholdUnsafePrescriptions(complaints_of[i], nerve_tests_of[i], at, results[i]);
  }
  TL_RETURN_IF_ERROR(too_late());

  // 3. Store every assignment in one write transaction.
  v1::AssignProtocolsResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    if (request.player_id() != 0) {  // archived while the plugins were thinking?
      TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, request.player_id()));
      if (player.archived_at) return RefuseArchived(player, "no protocols are assigned");
    }
    for (size_t i = 0; i < players.size(); ++i) {
      TL_ASSIGN_OR_RETURN(auto stored,
                          storage::InsertAssignment(conn, ToStored(results[i], players[i].id,
                                                                   request, at, now, caller)));
      v1::ProtocolAssignment* out = response.add_assignments();
      ToProto(stored, players[i].name, out);
      if (out->pre_size() == 0 && out->post_size() == 0) {
        response.set_without_protocol_count(response.without_protocol_count() + 1);
      }
      response.set_failure_count(response.failure_count() + out->failures_size());
      response.set_withheld_count(response.withheld_count() + out->withheld_size());
    }
    // The write may have waited for the writer: last check before COMMIT (an error rolls back).
    return too_late();
  }));
  return response;
}

absl::StatusOr<v1::ListAssignmentsResponse> ProtocolDesk::ListAssignments(
    const common::Caller&, const v1::ListAssignmentsRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "player_id", request.player_id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  v1::ListAssignmentsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, request.player_id()));
    auto assignments =
        storage::ListAssignments(conn, request.player_id(), cursor.id, page_size + 1);
    const bool more = static_cast<int>(assignments.size()) > page_size;
    if (more) assignments.pop_back();
    for (const auto& a : assignments) ToProto(a, player.name, response.add_assignments());
    if (more) response.set_next_page_token(common::EncodePageToken({0, assignments.back().id}));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::RecordAdherenceResponse> ProtocolDesk::RecordAdherence(
    const common::Caller& caller, const v1::RecordAdherenceRequest& request) {
  common::FieldViolations v;
  if (request.assignment_id() == 0 && request.prescription_id() == 0) {
    v.Add("assignment_id", "set assignment_id, prescription_id or both");
  }
  if (request.assignment_id() < 0) v.Add("assignment_id", "must not be negative");
  if (request.prescription_id() < 0) v.Add("prescription_id", "must not be negative");
  if (request.adherence() == pv1::ADHERENCE_UNSPECIFIED ||
      !pv1::Adherence_IsValid(request.adherence())) {
    v.Add("adherence", "must be ADHERENCE_DONE, ADHERENCE_PARTLY or ADHERENCE_NOT_DONE");
  }
  if (request.pain() < 0 || request.pain() > 10) v.Add("pain", "must be between 0 and 10");
  common::CheckOptionalText(v, "note", request.note(), options_.max_text_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time now = clock_.Now();

  v1::RecordAdherenceResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    domain::Id assignment_id = request.assignment_id();
    if (request.prescription_id() != 0) {
      TL_ASSIGN_OR_RETURN(auto p, storage::FindPrescription(conn, request.prescription_id()));
      if (assignment_id != 0 && p.assignment_id != assignment_id) {
        return common::InvalidField("prescription_id",
                            absl::StrCat("prescription ", p.id, " belongs to assignment ",
                                         p.assignment_id, ", not ", assignment_id));
      }
      assignment_id = p.assignment_id;
    }
    TL_ASSIGN_OR_RETURN(auto assignment, storage::FindAssignment(conn, assignment_id));
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, assignment.player_id));
    if (player.archived_at) return RefuseArchived(player, "no adherence is recorded");
    if (assignment.prescriptions.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("assignment ", assignment.id, " prescribed nothing to adhere to"));
    }
    for (const auto& p : assignment.prescriptions) {
      if (request.prescription_id() != 0 && p.id != request.prescription_id()) continue;
      storage::AdherenceRecord d;
      d.prescription_id = p.id;
      d.assignment_id = assignment.id;
      d.adherence = request.adherence();
      d.pain = request.pain();
      d.note = request.note();
      d.recorded_at = now;
      d.recorded_by = caller.user;
      TL_ASSIGN_OR_RETURN(auto stored, storage::AppendAdherence(conn, d));
      ToProto(stored, response.add_adherence_records());
    }
    TL_ASSIGN_OR_RETURN(auto updated, storage::FindAssignment(conn, assignment.id));
    ToProto(updated, player.name, response.mutable_assignment());
    return absl::OkStatus();
  }));
  if (adherence_observer_ != nullptr) {
    adherence_observer_->PlayerRecordChanged(response.assignment().player_id());
  }
  return response;
}

absl::StatusOr<v1::ListPluginsResponse> ProtocolDesk::ListPlugins(const common::Caller&,
                                                                  const v1::ListPluginsRequest&) {
  const pv1::PluginListing listing = planner_.Listing();
  v1::ListPluginsResponse response;
  *response.mutable_loaded() = listing.loaded();
  *response.mutable_refused() = listing.refused();
  response.set_host_abi_major(listing.host_abi_major());
  response.set_host_abi_minor(listing.host_abi_minor());
  return response;
}

std::map<domain::Id, SessionProtocols> LoadSessionProtocols(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time session_at) {
  return ChooseSessionProtocols(LoadAssignmentsNear(conn, player_ids, session_at, session_at),
                                session_at);
}

std::vector<storage::ProtocolAssignment> LoadAssignmentsNear(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from,
    absl::Time to) {
  return storage::ListAssignmentsOfPlayers(conn, player_ids, from - kProtocolSessionWindow,
                                           to + kProtocolSessionWindow + absl::Microseconds(1));
}

std::map<domain::Id, domain::Id> ChooseSessionAssignments(
    std::span<const storage::AssignmentTime> assignments, absl::Time session_at) {
  std::map<domain::Id, const storage::AssignmentTime*> best;
  for (const auto& a : assignments) {
    const absl::Duration da = absl::AbsDuration(a.session_at - session_at);
    if (da > kProtocolSessionWindow) continue;
    const storage::AssignmentTime*& b = best[a.player_id];
    if (b == nullptr) {
      b = &a;
      continue;
    }
    const absl::Duration db = absl::AbsDuration(b->session_at - session_at);
    if (da < db || (da == db && a.id > b->id)) b = &a;
  }
  std::map<domain::Id, domain::Id> out;
  for (const auto& [player_id, a] : best) out[player_id] = a->id;
  return out;
}

namespace {
SessionProtocols Summarise(const storage::ProtocolAssignment& a) {
  const pv1::AssignResult result = AsResult(a);
  return SessionProtocols{a.id, SummarizeProtocols(result), SummarizeProtocolsForCoach(result)};
}
}  // namespace

std::map<domain::Id, SessionProtocols> ChooseSessionProtocols(
    const std::vector<storage::ProtocolAssignment>& assignments, absl::Time session_at) {
  std::vector<storage::AssignmentTime> times;
  std::map<domain::Id, const storage::ProtocolAssignment*> by_id;
  for (const auto& a : assignments) {
    times.push_back({a.id, a.player_id, a.session_at});
    by_id[a.id] = &a;
  }
  std::map<domain::Id, SessionProtocols> out;
  for (const auto& [player_id, id] : ChooseSessionAssignments(times, session_at)) {
    out[player_id] = Summarise(*by_id.at(id));
  }
  return out;
}

std::vector<storage::AssignmentTime> LoadAssignmentTimesNear(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from,
    absl::Time to) {
  return storage::ListAssignmentTimesOfPlayers(conn, player_ids, from - kProtocolSessionWindow,
                                               to + kProtocolSessionWindow + absl::Microseconds(1));
}

std::map<domain::Id, SessionProtocols> LoadChosenProtocols(
    storage::Transaction& conn, std::span<const storage::AssignmentTime> times, absl::Time session_at) {
  std::vector<domain::Id> ids;
  for (const auto& [player_id, id] : ChooseSessionAssignments(times, session_at)) ids.push_back(id);
  std::map<domain::Id, SessionProtocols> out;
  for (const auto& a : storage::ListAssignmentsByIds(conn, ids)) out[a.player_id] = Summarise(a);
  return out;
}

}  // namespace touchline::service
