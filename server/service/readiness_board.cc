#include "server/service/readiness_board.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/domain/flag_rules.h"
#include "server/domain/readiness_rules.h"
#include "server/service/field_checks.h"
#include "server/service/paging.h"
#include "server/service/proto_mapping.h"
#include "server/service/protocol_desk.h"
#include "server/service/squad_snapshot.h"
#include "server/service/status_macros.h"
#include "server/storage/record_store.h"

namespace touchline::service {

absl::StatusOr<v1::GetSquadReadinessResponse> ReadinessBoard::GetSquadReadiness(
    const Caller&, const v1::GetSquadReadinessRequest& request) {
  FieldViolations v;
  CheckPositiveId(v, "squad_id", request.squad_id());
  if (request.has_session_time() && !IsValidTimestamp(request.session_time())) {
    v.Add("session_time", "is not a valid timestamp");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time at =
      request.has_session_time() ? FromProto(request.session_time()) : clock_.Now();

  v1::GetSquadReadinessResponse response;
  response.set_squad_id(request.squad_id());
  ToProto(at, response.mutable_session_time());
  TL_RETURN_IF_ERROR(db_.Read([&](SQLite::Database& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(auto players, PlayersInScope(conn, request.squad_id(), 0));
    std::sort(players.begin(), players.end(), [](const auto& a, const auto& b) {
      return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    std::vector<domain::Id> ids;
    for (const auto& p : players) ids.push_back(p.id);
    const auto protocols = LoadSessionProtocols(conn, ids, at);
    const SquadSnapshot snapshot =
        LoadSnapshot(conn, std::move(players), at, options_.thresholds,
                     SnapshotOptions{.overrides = true});
    for (const auto& record : snapshot.players) {
      const auto flags = domain::EvaluateFlags(record.player.id, record.complaints,
                                               record.awkward_events, at, options_.thresholds);
      const auto readiness = domain::EvaluateReadiness(record.player.id, record.complaints, flags,
                                                       record.overrides, at);
      auto* out = response.add_players();
      out->set_player_id(record.player.id);
      out->set_player_name(record.player.name);
      out->set_position_group(record.player.position_group == domain::PositionGroup::kForward
                                  ? "forward"
                                  : "back");
      out->set_availability(static_cast<v1::Availability>(readiness.availability));
      for (const auto& r : readiness.reasons) ToProto(r, out->add_reasons());
      if (readiness.override) ToProto(*readiness.override, out->mutable_override());
      if (auto it = protocols.find(record.player.id); it != protocols.end()) {
        out->set_protocol_summary(it->second.summary);
        out->set_protocol_assignment_id(it->second.assignment_id);
      }
      switch (readiness.availability) {
        case domain::Availability::kAvailable:
          response.set_available_count(response.available_count() + 1);
          break;
        case domain::Availability::kModified:
          response.set_modified_count(response.modified_count() + 1);
          break;
        case domain::Availability::kUnavailable:
          response.set_unavailable_count(response.unavailable_count() + 1);
          break;
      }
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::CreateReadinessOverrideResponse> ReadinessBoard::CreateReadinessOverride(
    const Caller& caller, const v1::CreateReadinessOverrideRequest& request) {
  const v1::ReadinessOverride& o = request.readiness_override();
  const absl::Time now = clock_.Now();
  FieldViolations v;
  CheckPositiveId(v, "readiness_override.player_id", o.player_id());
  if (o.availability() == v1::AVAILABILITY_UNSPECIFIED ||
      !v1::Availability_IsValid(o.availability())) {
    v.Add("readiness_override.availability", "must be an AVAILABILITY_* value");
  }
  CheckRequiredText(v, "readiness_override.reason", o.reason(), options_.max_text_length);
  if (o.has_start_time() && !IsValidTimestamp(o.start_time())) {
    v.Add("readiness_override.start_time", "is not a valid timestamp");
  }
  if (!o.has_expire_time()) {
    v.Add("readiness_override.expire_time", "is required: an override must end");
  } else if (!IsValidTimestamp(o.expire_time())) {
    v.Add("readiness_override.expire_time", "is not a valid timestamp");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  domain::ReadinessOverride override_;
  override_.player_id = o.player_id();
  override_.availability = static_cast<domain::Availability>(o.availability());
  override_.reason = o.reason();
  override_.starts_at = o.has_start_time() ? FromProto(o.start_time()) : now;
  override_.expires_at = FromProto(o.expire_time());
  override_.set_by = caller.user;
  override_.created_at = now;
  if (override_.expires_at <= override_.starts_at) {
    v.Add("readiness_override.expire_time", "must be after start_time");
  } else if (override_.expires_at <= now) {
    v.Add("readiness_override.expire_time", "is already past");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());

  v1::CreateReadinessOverrideResponse response;
  TL_RETURN_IF_ERROR(db_.Write([&](SQLite::Database& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, o.player_id()));
    if (player.archived_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("player ", player.id, " is archived; no overrides"));
    }
    TL_ASSIGN_OR_RETURN(auto stored, storage::InsertOverride(conn, override_));
    ToProto(stored, response.mutable_readiness_override());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListReadinessOverridesResponse> ReadinessBoard::ListReadinessOverrides(
    const Caller&, const v1::ListReadinessOverridesRequest& request) {
  FieldViolations v;
  CheckPositiveId(v, "player_id", request.player_id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, DecodePageToken(request.page_token()));
  v1::ListReadinessOverridesResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](SQLite::Database& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(storage::FindPlayer(conn, request.player_id()).status());
    auto overrides =
        storage::ListOverrides(conn, request.player_id(), cursor.id, page_size + 1);
    const bool more = static_cast<int>(overrides.size()) > page_size;
    if (more) overrides.pop_back();
    for (const auto& o : overrides) ToProto(o, response.add_readiness_overrides());
    if (more) response.set_next_page_token(EncodePageToken({0, overrides.back().id}));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ClearReadinessOverrideResponse> ReadinessBoard::ClearReadinessOverride(
    const Caller& caller, const v1::ClearReadinessOverrideRequest& request) {
  FieldViolations v;
  CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time now = clock_.Now();
  v1::ClearReadinessOverrideResponse response;
  TL_RETURN_IF_ERROR(db_.Write([&](SQLite::Database& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(auto o, storage::FindOverride(conn, request.id()));
    if (o.cleared_at) {
      return absl::FailedPreconditionError(absl::StrCat("override ", o.id, " was already cleared"));
    }
    if (o.expires_at <= now) {
      return absl::FailedPreconditionError(absl::StrCat("override ", o.id, " has already expired"));
    }
    o.cleared_at = now;
    o.cleared_by = caller.user;
    TL_RETURN_IF_ERROR(storage::UpdateOverride(conn, o));
    ToProto(o, response.mutable_readiness_override());
    return absl::OkStatus();
  }));
  return response;
}

}  // namespace touchline::service
