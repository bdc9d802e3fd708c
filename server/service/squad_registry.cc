#include "server/service/squad_registry.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/service/proto_mapping.h"
#include "server/service/write_once.h"

namespace touchline::service {
namespace {

// Update masks name fields of the resource; an empty mask means every updatable field.
absl::StatusOr<std::set<std::string>> MaskPaths(const google::protobuf::FieldMask& mask,
                                                const std::set<std::string>& updatable,
                                                const std::string& field) {
  if (mask.paths_size() == 0) return updatable;
  std::set<std::string> paths;
  common::FieldViolations v;
  for (const auto& p : mask.paths()) {
    if (!updatable.count(p)) {
      v.Add(field, absl::StrCat("cannot update '", p, "'; updatable: ",
                                absl::StrJoin(updatable, ", ")));
    }
    paths.insert(p);
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  return paths;
}

void CheckPlayerFields(common::FieldViolations& v, const v1::Player& p, const std::set<std::string>& paths,
                       const ServiceOptions& o) {
  if (paths.count("name")) common::CheckRequiredText(v, "player.name", p.name(), o.max_name_length);
  if (paths.count("position_group") && p.position_group() != v1::POSITION_GROUP_FORWARD &&
      p.position_group() != v1::POSITION_GROUP_BACK) {
    v.Add("player.position_group", "must be POSITION_GROUP_FORWARD or POSITION_GROUP_BACK");
  }
  if (paths.count("position_name")) {
    common::CheckOptionalText(v, "player.position_name", p.position_name(), o.max_name_length);
  }
  if (paths.count("external_id")) {
    common::CheckOptionalText(v, "player.external_id", p.external_id(), o.max_name_length);
  }
}

}  // namespace

absl::StatusOr<v1::CreateSquadResponse> SquadRegistry::CreateSquad(
    const common::Caller& caller, const v1::CreateSquadRequest& request) {
  common::FieldViolations v;
  common::CheckRequiredText(v, "squad.name", request.squad().name(), options_.max_name_length);
  TL_RETURN_IF_ERROR(v.ToStatus());
  domain::Squad squad;
  squad.name = request.squad().name();
  squad.created_at = squad.updated_at = clock_.Now();
  v1::CreateSquadResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Squad stored, storage::InsertSquad(conn, squad));
    ToProto(stored, response.mutable_squad());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::GetSquadResponse> SquadRegistry::GetSquad(const common::Caller&,
                                                             const v1::GetSquadRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetSquadResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Squad squad, storage::FindSquad(conn, request.id()));
    ToProto(squad, response.mutable_squad());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListSquadsResponse> SquadRegistry::ListSquads(
    const common::Caller&, const v1::ListSquadsRequest& request) {
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  v1::ListSquadsResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    auto squads = storage::ListSquads(conn, cursor.id, page_size + 1);
    const bool more = static_cast<int>(squads.size()) > page_size;
    if (more) squads.pop_back();
    for (const auto& s : squads) ToProto(s, response.add_squads());
    if (more) response.set_next_page_token(common::EncodePageToken({0, squads.back().id}));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::UpdateSquadResponse> SquadRegistry::UpdateSquad(
    const common::Caller& caller, const v1::UpdateSquadRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "squad.id", request.squad().id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(auto paths, MaskPaths(request.update_mask(), {"name"}, "update_mask"));
  if (paths.count("name")) {
    common::CheckRequiredText(v, "squad.name", request.squad().name(), options_.max_name_length);
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::UpdateSquadResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Squad squad, storage::FindSquad(conn, request.squad().id()));
    if (paths.count("name")) squad.name = request.squad().name();
    squad.updated_at = clock_.Now();
    TL_RETURN_IF_ERROR(storage::UpdateSquad(conn, squad));
    ToProto(squad, response.mutable_squad());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::CreatePlayerResponse> SquadRegistry::CreatePlayer(
    const common::Caller& caller, const v1::CreatePlayerRequest& request) {
  const v1::Player& p = request.player();
  common::FieldViolations v;
  common::CheckPositiveId(v, "player.squad_id", p.squad_id());
  CheckPlayerFields(v, p, {"name", "position_group", "position_name", "external_id"}, options_);
  TL_RETURN_IF_ERROR(v.ToStatus());
  domain::Player player;
  player.squad_id = p.squad_id();
  player.name = p.name();
  player.position_group = static_cast<domain::PositionGroup>(p.position_group());
  player.position_name = p.position_name();
  player.external_id = p.external_id();
  player.created_at = player.updated_at = clock_.Now();
  v1::CreatePlayerResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(storage::FindSquad(conn, p.squad_id()).status());
    TL_ASSIGN_OR_RETURN(domain::Player stored, storage::InsertPlayer(conn, player));
    ToProto(stored, response.mutable_player());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::GetPlayerResponse> SquadRegistry::GetPlayer(
    const common::Caller&, const v1::GetPlayerRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::GetPlayerResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, request.id()));
    ToProto(player, response.mutable_player());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ListPlayersResponse> SquadRegistry::ListPlayers(
    const common::Caller&, const v1::ListPlayersRequest& request) {
  common::FieldViolations v;
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  v1::ListPlayersResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    if (request.squad_id() != 0) {
      TL_RETURN_IF_ERROR(storage::FindSquad(conn, request.squad_id()).status());
    }
    auto players = storage::ListPlayers(conn, request.squad_id(), request.include_archived(),
                                        cursor.id, page_size + 1);
    const bool more = static_cast<int>(players.size()) > page_size;
    if (more) players.pop_back();
    for (const auto& p : players) ToProto(p, response.add_players());
    if (more) response.set_next_page_token(common::EncodePageToken({0, players.back().id}));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::UpdatePlayerResponse> SquadRegistry::UpdatePlayer(
    const common::Caller& caller, const v1::UpdatePlayerRequest& request) {
  const v1::Player& p = request.player();
  common::FieldViolations v;
  common::CheckPositiveId(v, "player.id", p.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(auto paths,
                      MaskPaths(request.update_mask(),
                                {"name", "position_group", "position_name", "external_id"},
                                "update_mask"));
  CheckPlayerFields(v, p, paths, options_);
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::UpdatePlayerResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, p.id()));
    if (player.archived_at) {
      return absl::FailedPreconditionError(
          absl::StrCat("player ", p.id(), " is archived; archived players are read-only"));
    }
    if (paths.count("name")) player.name = p.name();
    if (paths.count("position_group")) {
      player.position_group = static_cast<domain::PositionGroup>(p.position_group());
    }
    if (paths.count("position_name")) player.position_name = p.position_name();
    if (paths.count("external_id")) player.external_id = p.external_id();
    player.updated_at = clock_.Now();
    TL_RETURN_IF_ERROR(storage::UpdatePlayer(conn, player));
    ToProto(player, response.mutable_player());
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ArchivePlayerResponse> SquadRegistry::ArchivePlayer(
    const common::Caller& caller, const v1::ArchivePlayerRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  v1::ArchivePlayerResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(domain::Player player, storage::FindPlayer(conn, request.id()));
    if (player.archived_at) {
      return absl::FailedPreconditionError(absl::StrCat("player ", request.id(),
                                                        " is already archived"));
    }
    player.archived_at = player.updated_at = clock_.Now();
    TL_RETURN_IF_ERROR(storage::UpdatePlayer(conn, player));
    ToProto(player, response.mutable_player());
    return absl::OkStatus();
  }));
  return response;
}

}  // namespace touchline::service
