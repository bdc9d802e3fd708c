#include "server/service/flag_board.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "server/common/field_checks.h"
#include "server/common/paging.h"
#include "server/common/proto_time.h"
#include "server/common/request_errors.h"
#include "server/common/status_macros.h"
#include "server/domain/flag_rules.h"
#include "server/domain/window_rules.h"
#include "server/service/proto_mapping.h"
#include "server/service/squad_snapshot.h"
#include "server/storage/flag_store.h"

namespace touchline::service {

absl::StatusOr<v1::ListFlagsResponse> FlagBoard::ListFlags(const common::Caller&,
                                                           const v1::ListFlagsRequest& request) {
  common::FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("squad_id", "set exactly one of squad_id and player_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  if (request.has_as_of() && !common::IsValidTimestamp(request.as_of())) {
    v.Add("as_of", "is not a valid timestamp");
  }
  std::set<int> kinds;
  for (int i = 0; i < request.kinds_size(); ++i) {
    if (request.kinds(i) == v1::FLAG_KIND_UNSPECIFIED || !v1::FlagKind_IsValid(request.kinds(i))) {
      v.Add(absl::StrCat("kinds[", i, "]"), "must be a FLAG_KIND_* value");
    }
    kinds.insert(request.kinds(i));
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  // The token's key is the evaluation instant, its id the offset of the next flag.
  absl::Time as_of = request.has_as_of() ? FromProto(request.as_of()) : clock_.Now();
  if (!request.page_token().empty()) as_of = absl::FromUnixMicros(cursor.key);

  std::vector<domain::Flag> flags;
  std::map<std::string, storage::FlagAck> acks;  // by flag key, recorded by as_of
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(auto players,
                        PlayersInScope(conn, request.squad_id(), request.player_id()));
    std::vector<domain::Id> ids;
    for (const auto& p : players) ids.push_back(p.id);
    for (auto& row : storage::ListFlagStates(conn, ids)) {
      if (row.ack && row.ack->at <= as_of) acks.emplace(row.key, *row.ack);
    }
    const SquadSnapshot snapshot = LoadSnapshot(conn, std::move(players), as_of,
                                                options_.thresholds,
                                                SnapshotOptions{.anti_spasm_work = true});
    for (const auto& record : snapshot.players) {
      for (auto& f : domain::EvaluateSurveillanceFlags(record.player.id, record.complaints,
                                                       record.awkward_events, record.anti_spasm,
                                                       as_of, options_.thresholds)) {
        if (kinds.empty() || kinds.count(static_cast<int>(f.kind))) flags.push_back(std::move(f));
      }
    }
    return absl::OkStatus();
  }));

  v1::ListFlagsResponse response;
  ToProto(as_of, response.mutable_as_of());
  const size_t begin = std::min<size_t>(static_cast<size_t>(std::max<int64_t>(cursor.id, 0)),
                                        flags.size());
  const size_t end = std::min(flags.size(), begin + static_cast<size_t>(page_size));
  for (size_t i = begin; i < end; ++i) {
    v1::Flag* flag = response.add_flags();
    ToProto(flags[i], flag);
    if (auto it = acks.find(flag->key()); it != acks.end()) {
      auto* a = flag->mutable_acknowledgement();
      a->set_acknowledged_by(it->second.by);
      ToProto(it->second.at, a->mutable_acknowledge_time());
      a->set_note(it->second.note);
    }
  }
  if (end < flags.size()) {
    response.set_next_page_token(
        common::EncodePageToken({absl::ToUnixMicros(as_of), static_cast<domain::Id>(end)}));
  }
  return response;
}

absl::StatusOr<v1::ListClosingWindowsResponse> FlagBoard::ListClosingWindows(
    const common::Caller&, const v1::ListClosingWindowsRequest& request) {
  common::FieldViolations v;
  if ((request.player_id() == 0) == (request.squad_id() == 0)) {
    v.Add("squad_id", "set exactly one of squad_id and player_id");
  }
  if (request.player_id() < 0) v.Add("player_id", "must not be negative");
  if (request.squad_id() < 0) v.Add("squad_id", "must not be negative");
  if (request.has_as_of() && !common::IsValidTimestamp(request.as_of())) {
    v.Add("as_of", "is not a valid timestamp");
  }
  TL_RETURN_IF_ERROR(v.ToStatus());
  TL_ASSIGN_OR_RETURN(int page_size, common::NormalizePageSize(request.page_size()));
  TL_ASSIGN_OR_RETURN(storage::PageCursor cursor, common::DecodePageToken(request.page_token()));
  // As in ListFlags: the token's key is the evaluation instant, its id the offset of the next one.
  absl::Time as_of = request.has_as_of() ? FromProto(request.as_of()) : clock_.Now();
  if (!request.page_token().empty()) as_of = absl::FromUnixMicros(cursor.key);

  std::vector<domain::WindowEntry> queue;
  TL_RETURN_IF_ERROR(db_.Read([&](storage::Transaction& conn) -> absl::Status {
    TL_ASSIGN_OR_RETURN(auto players,
                        PlayersInScope(conn, request.squad_id(), request.player_id()));
    const SquadSnapshot snapshot = LoadSnapshot(conn, std::move(players), as_of,
                                                options_.thresholds,
                                                SnapshotOptions{.anti_spasm_work = true});
    for (const auto& record : snapshot.players) {
      for (auto& e : domain::ClosingWindows(record.complaints, record.anti_spasm, as_of,
                                            options_.thresholds)) {
        queue.push_back(e);
      }
    }
    return absl::OkStatus();
  }));
  std::sort(queue.begin(), queue.end(), [](const domain::WindowEntry& a, const domain::WindowEntry& b) {
    return std::tie(a.closes_at, a.complaint_id) < std::tie(b.closes_at, b.complaint_id);
  });

  v1::ListClosingWindowsResponse response;
  ToProto(as_of, response.mutable_as_of());
  const common::ComputedPage page = common::PageOfComputed(cursor, queue.size(), page_size, as_of);
  for (size_t i = page.begin; i < page.end; ++i) {
    const domain::WindowEntry& e = queue[i];
    v1::ClosingWindow* w = response.add_windows();
    w->set_complaint_id(e.complaint_id);
    w->set_player_id(e.player_id);
    w->set_side(static_cast<v1::Side>(e.side));
    ToProto(e.onset_at, w->mutable_onset_time());
    ToProto(e.closes_at, w->mutable_close_time());
    w->set_days_open(static_cast<int32_t>(absl::ToInt64Hours(e.open_for) / 24));
    w->set_days_left(static_cast<int32_t>(absl::ToInt64Hours(e.left) / 24));
    w->set_alert_day(e.alert_day);
  }
  response.set_next_page_token(page.next_page_token);
  return response;
}

}  // namespace touchline::service
