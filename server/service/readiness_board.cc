#include "server/service/readiness_board.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/domain/flag_rules.h"
#include "server/domain/readiness_rules.h"
#include "server/service/flag_monitor.h"
#include "server/service/proto_mapping.h"
#include "server/service/protocol_desk.h"
#include "server/service/squad_snapshot.h"
#include "server/service/write_once.h"
#include "server/storage/record_store.h"

namespace touchline::service {

absl::Time ReadinessStableUntil(const PlayerRecord& record,
                                std::span<const storage::AssignmentTime> assignments,
                                std::optional<absl::Time> next_onset, absl::Time at,
                                absl::Time horizon_end, const domain::FlagThresholds& thresholds) {
  absl::Time until = horizon_end;
  auto consider = [&](absl::Time t) {
    if (t > at && t < until) until = t;
  };
  if (next_onset) consider(*next_onset);
  // Every instant the rules can answer differently by time alone (server/domain).
  if (auto t = domain::NextReadinessChange(record.complaints, record.overrides, record.stages, at,
                                              thresholds)) {
    consider(*t);
  }
  // An assignment is "for" the session from session_at - window to session_at + window inclusive;
  // between two of the player's assignments the closer one changes at the midpoint (a tie at an
  // exact midpoint goes to the newer id, so both the midpoint and the microsecond after count).
  std::vector<int64_t> sessions;
  for (const storage::AssignmentTime& a : assignments) {
    consider(a.session_at - kProtocolSessionWindow);
    consider(a.session_at + kProtocolSessionWindow + absl::Microseconds(1));
    sessions.push_back(absl::ToUnixMicros(a.session_at));
  }
  for (size_t i = 0; i < sessions.size(); ++i) {
    for (size_t j = i + 1; j < sessions.size(); ++j) {
      const int64_t lo = std::min(sessions[i], sessions[j]);
      const int64_t hi = std::max(sessions[i], sessions[j]);
      const int64_t mid = lo + (hi - lo) / 2;
      consider(absl::FromUnixMicros(mid));
      consider(absl::FromUnixMicros(mid + 1));
    }
  }
  return until;
}

const std::vector<int64_t>& ReadinessBoard::ServedBoard::player_ids() const {
  return board_->player_ids;
}

v1::GetSquadReadinessResponse ReadinessBoard::KeptBoard::Header() const {
  v1::GetSquadReadinessResponse header;
  header.set_squad_id(squad_id);
  header.set_available_count(counts[0]);
  header.set_modified_count(counts[1]);
  header.set_unavailable_count(counts[2]);
  return header;
}

std::string ReadinessBoard::ServedBoard::Serialized(
    int form, absl::FunctionRef<void(v1::GetSquadReadinessResponse&)> minimise) const {
  const KeptBoard& board = *board_;
  KeptBoard::Form& f = board.forms.at(static_cast<size_t>(form));
  std::call_once(f.made, [&] {
    // Serialised messages concatenate as a merge: the minimised header, then each row in the same
    // form (a repeated field appends), is the minimised answer. Rows are minimised one at a time
    // and kept with the row, so a board that differs by one row reuses the others' bytes.
    v1::GetSquadReadinessResponse header = board.Header();
    // A placeholder session_time tells whether this form keeps the field at all.
    header.mutable_session_time()->set_seconds(1);
    minimise(header);
    f.keeps_session_time = header.has_session_time();
    header.clear_session_time();
    f.bytes = header.SerializeAsString();
    for (const auto& entry : board.entries) {
      PlayerEntry::Form& ef = entry->forms.at(static_cast<size_t>(form));
      std::call_once(ef.made, [&] {
        v1::GetSquadReadinessResponse one;
        one.set_squad_id(board.squad_id);
        *one.add_players() = entry->row;
        minimise(one);
        v1::GetSquadReadinessResponse row_only;
        for (auto& p : *one.mutable_players()) *row_only.add_players() = std::move(p);
        ef.bytes = row_only.SerializeAsString();
      });
      f.bytes += ef.bytes;
    }
  });
  std::string out = f.bytes;
  if (f.keeps_session_time) {
    v1::GetSquadReadinessResponse time_only;
    ToProto(at_, time_only.mutable_session_time());
    time_only.AppendToString(&out);
  }
  return out;
}

absl::StatusOr<v1::GetSquadReadinessResponse> ReadinessBoard::GetSquadReadiness(
    const common::Caller& caller, const v1::GetSquadReadinessRequest& request) {
  TL_ASSIGN_OR_RETURN(ServedBoard served, ServeSquadReadiness(caller, request));
  v1::GetSquadReadinessResponse response = served.board_->Header();
  for (const auto& entry : served.board_->entries) *response.add_players() = entry->row;
  ToProto(served.at_, response.mutable_session_time());
  return response;
}

namespace {
absl::Status CheckBoardRequest(const v1::GetSquadReadinessRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "squad_id", request.squad_id());
  if (request.has_session_time() && !common::IsValidTimestamp(request.session_time())) {
    v.Add("session_time", "is not a valid timestamp");
  }
  return v.ToStatus();
}
}  // namespace

std::shared_ptr<const ReadinessBoard::KeptBoard> ReadinessBoard::KeptBoardAt(
    int64_t squad_id, absl::Time at, std::shared_ptr<const KeptBoard>* kept) {
  if (!options_.readiness_cache) return nullptr;
  // Another replica's write committed before this call is reflected in the generation now; when
  // the count cannot be read, the board is recomputed (the read will say what is wrong).
  if (!db_.CatchUpWithOtherProcesses().ok()) return nullptr;
  std::lock_guard lock(kept_mutex_);
  auto it = kept_.find(squad_id);
  if (it == kept_.end()) return nullptr;
  if (kept != nullptr) *kept = it->second;
  if (it->second->generation != db_.RecordsGeneration() || !it->second->CurrentAt(at)) {
    return nullptr;
  }
  ++kept_answers_;
  return it->second;
}

std::optional<absl::StatusOr<ReadinessBoard::ServedBoard>>
ReadinessBoard::ServeKeptSquadReadiness(const common::Caller&,
                                        const v1::GetSquadReadinessRequest& request) {
  if (absl::Status checked = CheckBoardRequest(request); !checked.ok()) return checked;
  // Replicas on one store: whether a kept board is current takes a read of the store's write
  // count (KeptBoardAt), which is a worker's job, not an event thread's.
  if (db_.shared_by_processes()) return std::nullopt;
  const absl::Time at =
      request.has_session_time() ? FromProto(request.session_time()) : clock_.Now();
  std::shared_ptr<const KeptBoard> board = KeptBoardAt(request.squad_id(), at, nullptr);
  if (board == nullptr) return std::nullopt;
  ServedBoard served;
  served.board_ = std::move(board);
  served.at_ = at;
  return served;
}

absl::StatusOr<ReadinessBoard::ServedBoard> ReadinessBoard::ServeSquadReadiness(
    const common::Caller&, const v1::GetSquadReadinessRequest& request) {
  TL_RETURN_IF_ERROR(CheckBoardRequest(request));
  const absl::Time at =
      request.has_session_time() ? FromProto(request.session_time()) : clock_.Now();

  std::shared_ptr<const KeptBoard> kept;
  std::shared_ptr<const KeptBoard> board = KeptBoardAt(request.squad_id(), at, &kept);
  if (board == nullptr && kept != nullptr) {
    TL_ASSIGN_OR_RETURN(board, PatchBoard(*kept, at));
  }
  if (board == nullptr) {
    TL_ASSIGN_OR_RETURN(board, ComputeBoard(request.squad_id(), at));
  }
  if (options_.readiness_cache && board != kept) {
    std::lock_guard lock(kept_mutex_);
    std::shared_ptr<const KeptBoard>& slot = kept_[request.squad_id()];
    // Never replace a board computed from newer records with one from older.
    if (slot == nullptr || slot->generation <= board->generation) slot = board;
  }
  ServedBoard served;
  served.board_ = std::move(board);
  served.at_ = at;
  return served;
}

uint64_t ReadinessBoard::kept_board_answers() const {
  std::lock_guard lock(kept_mutex_);
  return kept_answers_;
}

std::vector<std::shared_ptr<const ReadinessBoard::PlayerEntry>> ReadinessBoard::ComputeEntries(
    storage::Transaction& conn, std::vector<domain::Player> players, absl::Time at) const {
  std::vector<domain::Id> ids;
  ids.reserve(players.size());
  for (const auto& p : players) ids.push_back(p.id);
  const absl::Time horizon_end = at + options_.readiness_cache_horizon;
  // Only the times of the assignments near the horizon (their choice and when it changes); only
  // the chosen ones are read in full.
  const auto assignments = LoadAssignmentTimesNear(conn, ids, at, horizon_end);
  const auto protocols = LoadChosenProtocols(conn, assignments, at);
  std::map<domain::Id, std::vector<storage::AssignmentTime>> assignments_of;
  for (const auto& a : assignments) assignments_of[a.player_id].push_back(a);
  const auto next_onsets = storage::NextComplaintOnsets(conn, ids, at);
  const SquadSnapshot snapshot = LoadSnapshot(conn, std::move(players), at, options_.thresholds,
                                              SnapshotOptions{.overrides = true,
                                                              .return_to_play = true});
  std::vector<std::shared_ptr<const PlayerEntry>> entries;
  entries.reserve(snapshot.players.size());
  for (const PlayerRecord& record : snapshot.players) {
    auto entry = std::make_shared<PlayerEntry>();
    entry->player = record.player;
    entry->computed_at = at;
    const auto own = assignments_of.find(record.player.id);
    const auto onset = next_onsets.find(record.player.id);
    entry->stable_until = ReadinessStableUntil(
        record,
        own == assignments_of.end() ? std::span<const storage::AssignmentTime>{}
                                    : std::span<const storage::AssignmentTime>(own->second),
        onset == next_onsets.end() ? std::nullopt : std::optional<absl::Time>(onset->second), at,
        horizon_end, options_.thresholds);
    const auto flags = domain::EvaluateFlags(record.player.id, record.complaints,
                                             record.awkward_events, at, options_.thresholds);
    const auto readiness = domain::EvaluateReadiness(record.player.id, record.complaints, flags,
                                                     record.overrides, record.stages, at);
    v1::PlayerReadiness& out = entry->row;
    out.set_player_id(record.player.id);
    out.set_player_name(record.player.name);
    out.set_position_group(
        record.player.position_group == domain::PositionGroup::kForward ? "forward" : "back");
    out.set_availability(static_cast<v1::Availability>(readiness.availability));
    for (const auto& r : readiness.reasons) ToProto(r, out.add_reasons());
    if (readiness.override) ToProto(*readiness.override, out.mutable_override());
    if (auto it = protocols.find(record.player.id); it != protocols.end()) {
      out.set_protocol_summary(it->second.summary);
      out.set_coach_protocol_summary(it->second.coach_summary);
      out.set_protocol_assignment_id(it->second.assignment_id);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::shared_ptr<const ReadinessBoard::KeptBoard> ReadinessBoard::Assemble(
    uint64_t generation, int64_t squad_id,
    std::vector<std::shared_ptr<const PlayerEntry>> entries) {
  auto board = std::make_shared<KeptBoard>();
  board->generation = generation;
  board->squad_id = squad_id;
  for (const auto& entry : entries) {
    board->valid_from = std::max(board->valid_from, entry->computed_at);
    board->stable_until = std::min(board->stable_until, entry->stable_until);
    board->player_ids.push_back(entry->player.id);
    switch (entry->row.availability()) {
      case v1::AVAILABILITY_AVAILABLE: ++board->counts[0]; break;
      case v1::AVAILABILITY_MODIFIED: ++board->counts[1]; break;
      case v1::AVAILABILITY_UNAVAILABLE: ++board->counts[2]; break;
      default: break;
    }
  }
  std::sort(board->player_ids.begin(), board->player_ids.end());
  board->player_ids.erase(std::unique(board->player_ids.begin(), board->player_ids.end()),
                          board->player_ids.end());
  board->entries = std::move(entries);
  return board;
}

absl::StatusOr<std::shared_ptr<const ReadinessBoard::KeptBoard>> ReadinessBoard::ComputeBoard(
    int64_t squad_id, absl::Time at) {
  // Observed before the read begins: a write committed after this point steps the generation, so
  // a board read from an older snapshot is never answered from once a newer write exists.
  const uint64_t generation = db_.RecordsGeneration();
  std::vector<std::shared_ptr<const PlayerEntry>> entries;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(auto players, PlayersInScope(conn, squad_id, 0));
    std::sort(players.begin(), players.end(), [](const auto& a, const auto& b) {
      return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    entries = ComputeEntries(conn, std::move(players), at);
    return absl::OkStatus();
  }));
  boards_computed_.fetch_add(1, std::memory_order_relaxed);
  return Assemble(generation, squad_id, std::move(entries));
}

absl::StatusOr<std::shared_ptr<const ReadinessBoard::KeptBoard>> ReadinessBoard::PatchBoard(
    const KeptBoard& kept, absl::Time at) {
  const uint64_t generation = db_.RecordsGeneration();
  const std::optional<std::vector<int64_t>> changed = db_.PlayersChangedSince(kept.generation);
  if (!changed) return nullptr;
  // Rows to recompute: their player's records changed, or the row is not current at `at`.
  std::vector<size_t> stale;
  std::vector<domain::Player> players;
  for (size_t i = 0; i < kept.entries.size(); ++i) {
    const PlayerEntry& entry = *kept.entries[i];
    if (!entry.CurrentAt(at) ||
        std::binary_search(changed->begin(), changed->end(), entry.player.id)) {
      stale.push_back(i);
      players.push_back(entry.player);
    }
  }
  std::vector<std::shared_ptr<const PlayerEntry>> entries = kept.entries;
  if (!players.empty()) {
    std::vector<std::shared_ptr<const PlayerEntry>> fresh;
    TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
      fresh = ComputeEntries(conn, std::move(players), at);
      return absl::OkStatus();
    }));
    for (size_t k = 0; k < stale.size(); ++k) entries[stale[k]] = std::move(fresh[k]);
    rows_recomputed_.fetch_add(stale.size(), std::memory_order_relaxed);
  }
  return Assemble(generation, kept.squad_id, std::move(entries));
}

absl::StatusOr<v1::CreateReadinessOverrideResponse> ReadinessBoard::CreateReadinessOverride(
    const common::Caller& caller, const v1::CreateReadinessOverrideRequest& request) {
  const v1::ReadinessOverride& o = request.readiness_override();
  const absl::Time now = clock_.Now();
  common::FieldViolations v;
  common::CheckPositiveId(v, "readiness_override.player_id", o.player_id());
  if (o.availability() == v1::AVAILABILITY_UNSPECIFIED ||
      !v1::Availability_IsValid(o.availability())) {
    v.Add("readiness_override.availability", "must be an AVAILABILITY_* value");
  }
  common::CheckRequiredText(v, "readiness_override.reason", o.reason(), options_.max_text_length);
  if (o.has_start_time() && !common::IsValidTimestamp(o.start_time())) {
    v.Add("readiness_override.start_time", "is not a valid timestamp");
  }
  if (!o.has_expire_time()) {
    v.Add("readiness_override.expire_time", "is required: an override must end");
  } else if (!common::IsValidTimestamp(o.expire_time())) {
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
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
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
    const common::Caller&, const v1::ListReadinessOverridesRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "player_id", request.player_id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  v1::ListReadinessOverridesResponse response;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_RETURN_IF_ERROR(storage::FindPlayer(conn, request.player_id()).status());
    auto overrides =
        storage::ListOverrides(conn, request.player_id(), cursor.id, page_size + 1);
    const bool more = static_cast<int>(overrides.size()) > page_size;
    if (more) overrides.pop_back();
    for (const auto& o : overrides) ToProto(o, response.add_readiness_overrides());
    if (more) response.set_next_page_token(common::EncodePageToken({0, overrides.back().id}));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ClearReadinessOverrideResponse> ReadinessBoard::ClearReadinessOverride(
    const common::Caller& caller, const v1::ClearReadinessOverrideRequest& request) {
  common::FieldViolations v;
  common::CheckPositiveId(v, "id", request.id());
  TL_RETURN_IF_ERROR(v.ToStatus());
  const absl::Time now = clock_.Now();
  v1::ClearReadinessOverrideResponse response;
  TL_RETURN_IF_ERROR(WriteOnce(db_, caller, request, response,
                               [&](storage::Transaction& conn) -> absl::Status {
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
