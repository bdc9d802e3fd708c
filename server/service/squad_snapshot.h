// What the flag and readiness rules need to know about a set of players at one instant, read in
// one transaction with a fixed number of queries (not one per player).
#pragma once

#include <map>
#include <vector>

#include "server/storage/transaction.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/flag_rules.h"
#include "server/domain/model.h"
#include "server/domain/window_rules.h"

namespace touchline::service {

struct PlayerRecord {
  domain::Player player;
  std::vector<domain::Complaint> complaints;
  std::vector<domain::ContactEvent> awkward_events;  // only those that can cite pelvic origin
  std::vector<domain::ReadinessOverride> overrides;  // not expired or cleared before as_of
  std::vector<domain::AntiSpasmReport> anti_spasm;   // only with SnapshotOptions::anti_spasm_work
  // Return-to-play stages reached of the complaints loaded (SnapshotOptions::return_to_play).
  std::vector<domain::StageReached> stages;
};

struct SquadSnapshot {
  absl::Time as_of;
  std::vector<PlayerRecord> players;  // in the order given
};

struct SnapshotOptions {
  // Also load readiness overrides in force at or after as_of.
  bool overrides = false;
  // Load the complaints of every player. Otherwise only players with a complaint open at as_of get
  // theirs: every flag needs an open complaint, so a healthy player's years of history are never
  // read and readiness does not slow down as seasons pass.
  bool all_complaint_history = false;
  // Also load the adherence reports on anti-spasm work of players with an open gradual-onset
  // complaint at as_of (the six-week window rule, WINDOW_CLOSING).
  bool anti_spasm_work = false;
  // Also load the return-to-play stages reached of the complaints loaded (readiness).
  bool return_to_play = false;
};

// Loads the records of `players` as needed to evaluate flags and readiness at `as_of`.
SquadSnapshot LoadSnapshot(storage::Transaction& conn, std::vector<domain::Player> players,
                           absl::Time as_of, const domain::FlagThresholds& thresholds,
                           SnapshotOptions options = {});

// Active players of a squad (NOT_FOUND if the squad does not exist), or the single player
// (NOT_FOUND if unknown; archived players included when asked for by id).
absl::StatusOr<std::vector<domain::Player>> PlayersInScope(storage::Transaction& conn, int64_t squad_id,
                                                           int64_t player_id);

}  // namespace touchline::service
