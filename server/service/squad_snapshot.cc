#include "server/service/squad_snapshot.h"

#include <algorithm>
#include <unordered_map>

#include "server/service/anti_spasm_work.h"
#include "server/storage/record_store.h"
#include "server/storage/return_to_play_store.h"

namespace touchline::service {

SquadSnapshot LoadSnapshot(storage::Transaction& conn, std::vector<domain::Player> players,
                           absl::Time as_of, const domain::FlagThresholds& thresholds,
                           SnapshotOptions options) {
  SquadSnapshot snapshot;
  snapshot.as_of = as_of;
  std::vector<domain::Id> ids;
  ids.reserve(players.size());
  std::unordered_map<domain::Id, size_t> index;
  for (auto& p : players) {
    index[p.id] = snapshot.players.size();
    ids.push_back(p.id);
    snapshot.players.push_back(PlayerRecord{std::move(p), {}, {}, {}, {}, {}});
  }
  if (ids.empty()) return snapshot;

  bool any_open = false;
  const std::vector<domain::Id> complaint_ids =
      options.all_complaint_history ? ids : storage::PlayersWithComplaintOpenAt(conn, ids, as_of);
  std::unordered_map<domain::Id, size_t> player_of_complaint;
  for (auto& c : storage::ListComplaintsOfPlayers(conn, complaint_ids)) {
    any_open = any_open || c.OpenAt(as_of);
    player_of_complaint[c.id] = index[c.player_id];
    snapshot.players[index[c.player_id]].complaints.push_back(std::move(c));
  }
  if (options.return_to_play && !complaint_ids.empty()) {
    for (auto& s : storage::ListStagesOfPlayers(conn, complaint_ids)) {
      auto it = player_of_complaint.find(s.complaint_id);
      if (it != player_of_complaint.end()) snapshot.players[it->second].stages.push_back(std::move(s));
    }
  }
  // Only complaints open at as_of can cite contact events, and only from their own window.
  if (any_open) {
    for (auto& e : storage::ListPelvicOriginCandidates(conn, ids, as_of,
                                                       thresholds.pelvic_origin_window)) {
      snapshot.players[index[e.player_id]].awkward_events.push_back(std::move(e));
    }
  }
  if (options.anti_spasm_work) {
    // Reports count from the onset of the complaint they may treat: sessions from a day before
    // the earliest open gradual-onset complaint's onset are enough.
    std::vector<domain::Id> treated;
    std::optional<absl::Time> earliest;
    for (const PlayerRecord& record : snapshot.players) {
      bool gradual = false;
      for (const auto& c : record.complaints) {
        if (c.onset_kind != domain::OnsetKind::kGradual || !c.OpenAt(as_of)) continue;
        gradual = true;
        if (!earliest || c.onset_at < *earliest) earliest = c.onset_at;
      }
      if (gradual) treated.push_back(record.player.id);
    }
    if (!treated.empty()) {
      for (auto& [player, reports] :
           LoadAntiSpasmReports(conn, treated, *earliest - absl::Hours(24))) {
        snapshot.players[index[player]].anti_spasm = std::move(reports);
      }
    }
  }
  if (options.overrides) {
    for (auto& o : storage::ListOverridesOfPlayers(conn, ids, as_of)) {
      snapshot.players[index[o.player_id]].overrides.push_back(std::move(o));
    }
  }
  return snapshot;
}

absl::StatusOr<std::vector<domain::Player>> PlayersInScope(storage::Transaction& conn, int64_t squad_id,
                                                           int64_t player_id) {
  if (player_id != 0) {
    auto player = storage::FindPlayer(conn, player_id);
    if (!player.ok()) return player.status();
    return std::vector<domain::Player>{*std::move(player)};
  }
  auto squad = storage::FindSquad(conn, squad_id);
  if (!squad.ok()) return squad.status();
  std::vector<domain::Player> all;
  domain::Id after = 0;
  for (;;) {
    auto page = storage::ListPlayers(conn, squad_id, false, after, 1000);
    if (page.empty()) break;
    after = page.back().id;
    std::move(page.begin(), page.end(), std::back_inserter(all));
  }
  return all;
}

}  // namespace touchline::service
