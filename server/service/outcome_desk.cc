#include "server/service/outcome_desk.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/field_checks.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/domain/outcome_rules.h"
#include "server/service/anti_spasm_work.h"
#include "server/service/proto_mapping.h"
#include "server/storage/record_store.h"

namespace touchline::service {
namespace {

// Five seasons: enough to see recurrences and compare protocol versions, bounded work per call.
constexpr int kMaxPeriodDays = 1830;

void CheckPeriod(common::FieldViolations& v, const v1::GetProtocolOutcomesRequest& r) {
  bool ok = true;
  if (!r.has_start_time()) {
    v.Add("start_time", "is required");
    ok = false;
  } else if (!common::IsValidTimestamp(r.start_time())) {
    v.Add("start_time", "is not a valid timestamp");
    ok = false;
  }
  if (!r.has_end_time()) {
    v.Add("end_time", "is required");
    ok = false;
  } else if (!common::IsValidTimestamp(r.end_time())) {
    v.Add("end_time", "is not a valid timestamp");
    ok = false;
  }
  if (!ok) return;
  const absl::Duration span = FromProto(r.end_time()) - FromProto(r.start_time());
  if (span <= absl::ZeroDuration()) {
    v.Add("end_time", "must be after start_time");
  } else if (span > absl::Hours(24 * kMaxPeriodDays)) {
    v.Add("end_time", absl::StrCat("must be at most ", kMaxPeriodDays, " days after start_time"));
  }
}

void Fill(const domain::ProtocolOutcome& in, bool analyst, v1::ProtocolOutcome* out) {
  out->set_plugin_name(in.protocol.plugin_name);
  out->set_plugin_version(in.protocol.plugin_version);
  out->set_anti_spasm_start(static_cast<v1::AntiSpasmStart>(in.start));
  out->set_complaint_count(in.complaints);
  if (analyst && in.complaints > 0 && in.complaints < kAnalystMinCellSize) {
    out->set_suppressed(true);
    return;
  }
  out->set_resolved_count(in.resolved);
  out->set_unresolved_count(in.unresolved);
  out->set_recurrence_count(in.recurred_within_12_months);
  out->set_follow_up_incomplete_count(in.follow_up_incomplete);
  if (in.median_days_lost) out->set_median_days_lost(*in.median_days_lost);
  if (!analyst) {
    for (domain::Id id : in.complaint_ids) out->add_complaint_ids(id);
  }
}

}  // namespace

absl::StatusOr<v1::GetProtocolOutcomesResponse> OutcomeDesk::GetProtocolOutcomes(
    const common::Caller& caller, const v1::GetProtocolOutcomesRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "squad_id", request.squad_id());
  CheckPeriod(v, request);
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time from = FromProto(request.start_time());
  const absl::Time to = FromProto(request.end_time());
  const absl::Time as_of = clock_.Now();
  const bool analyst = caller.role == common::Role::kAnalyst;

  std::vector<domain::ProtocolOutcome> outcomes;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(storage::FindSquad(conn, request.squad_id()).status());
    std::vector<domain::Id> ids;
    domain::Id after = 0;
    for (;;) {  // every player of the squad, archived included (their records still count)
      auto page = storage::ListPlayers(conn, request.squad_id(), /*include_archived=*/true, after,
                                       1000);
      if (page.empty()) break;
      after = page.back().id;
      for (const auto& p : page) ids.push_back(p.id);
    }
    if (ids.empty()) return absl::OkStatus();
    // Every complaint of these players: recurrences may begin after the period.
    const auto complaints = storage::ListComplaintsOfPlayers(conn, ids);
    // Prescriptions for complaints of the period are for sessions after their onset.
    const auto treatments = LoadComplaintTreatments(conn, ids, from);
    outcomes = domain::ComputeProtocolOutcomes(complaints, treatments, from, to, as_of,
                                               options_.thresholds);
    return absl::OkStatus();
  }));

  v1::GetProtocolOutcomesResponse response;
  response.set_squad_id(request.squad_id());
  *response.mutable_start_time() = request.start_time();
  *response.mutable_end_time() = request.end_time();
  ToProto(as_of, response.mutable_as_of_time());
  response.set_min_cell_size(analyst ? kAnalystMinCellSize : 0);
  for (const auto& o : outcomes) Fill(o, analyst, response.add_outcomes());
  return response;
}

}  // namespace touchline::service
