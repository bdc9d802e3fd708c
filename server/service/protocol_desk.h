// Protocols for a session: asks the loaded plugins for each player's PRE and POST prescriptions,
// stores the assignments, records adherence, and lists the plugins.
//
// AssignProtocols reads the records (one read transaction), then calls the plugins with no
// transaction open (a plugin may take up to its deadline), then stores every assignment in one
// write transaction. All or nothing: a call that fails, runs past its caller's deadline or is
// cancelled stores nothing, so a retry never duplicates assignments.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <vector>

#include "server/storage/transaction.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "plugins/runtime/protocol_planner.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/record_observer.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "server/storage/protocol_store.h"
#include "touchline/v1/protocol.pb.h"

namespace touchline::service {

// An assignment is "for" a session when its session time is within this of the session's.
inline constexpr absl::Duration kProtocolSessionWindow = absl::Hours(12);
// How far back earlier assignments (with their adherence) are sent to the plugins.
inline constexpr absl::Duration kProtocolHistoryLookback = absl::Hours(24 * 365);
// How far back contact events are sent to the plugins.
inline constexpr absl::Duration kProtocolContactLookback = absl::Hours(24 * 42);
// Kept back from an AssignProtocols' time limit (its caller's deadline, or the planner's budget)
// to store the assignments and answer after the plugins stop: a fifth of the time, at most this.
inline constexpr absl::Duration kProtocolAnswerMargin = absl::Milliseconds(250);

class ProtocolDesk {
 public:
  ProtocolDesk(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options,
               plugins::ProtocolPlanner& planner)
      : db_(db), clock_(clock), options_(options), planner_(planner) {}

  // The plugins are asked until the earlier of `client_deadline` and the planner's budget (less
  // kProtocolAnswerMargin); a plugin that could not answer for a player by then is reported among
  // that player's failures. DEADLINE_EXCEEDED (client_deadline passed) or CANCELLED (`cancelled`
  // returned true; may be empty) before the assignments are committed: nothing is stored.
  // Deadlines are real time (absl::Now()), not the injected clock.
  absl::StatusOr<v1::AssignProtocolsResponse> AssignProtocols(
      const common::Caller& caller, const v1::AssignProtocolsRequest& request,
      absl::Time client_deadline = absl::InfiniteFuture(),
      const std::function<bool()>& cancelled = {});
  absl::StatusOr<v1::ListAssignmentsResponse> ListAssignments(
      const common::Caller& caller, const v1::ListAssignmentsRequest& request);
  absl::StatusOr<v1::RecordAdherenceResponse> RecordAdherence(
      const common::Caller& caller, const v1::RecordAdherenceRequest& request);
  absl::StatusOr<v1::ListPluginsResponse> ListPlugins(const common::Caller& caller,
                                                      const v1::ListPluginsRequest& request);

  // Told after each committed adherence report (anti-spasm work clears WINDOW_CLOSING); optional.
  void set_adherence_observer(PlayerRecordObserver* observer) { adherence_observer_ = observer; }

 private:
  PlayerRecordObserver* adherence_observer_ = nullptr;
  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
  plugins::ProtocolPlanner& planner_;
};

// The readiness view's protocols of one player for a session.
struct SessionProtocols {
  domain::Id assignment_id = 0;
  std::string summary;  // "PRE: ... | POST: ..."; empty when the assignment prescribed nothing
  std::string coach_summary;  // the same with coach-safe labels only
};

// For each player with a stored assignment whose session time is within kProtocolSessionWindow of
// `session_at`: the one closest to it (the newest of equally close ones). Two queries in all.
std::map<domain::Id, SessionProtocols> LoadSessionProtocols(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time session_at);

// Every assignment that is "for" a session at some instant in [from, to]: those with a session
// time within kProtocolSessionWindow of that range, by session time.
std::vector<storage::ProtocolAssignment> LoadAssignmentsNear(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from,
    absl::Time to);

// The LoadSessionProtocols choice made from assignments already loaded (a superset is fine).
std::map<domain::Id, SessionProtocols> ChooseSessionProtocols(
    const std::vector<storage::ProtocolAssignment>& assignments, absl::Time session_at);

// The same choice from assignment times alone: for each player, the id of the assignment "for"
// the session at `session_at` (closest within kProtocolSessionWindow, the newest of equally
// close ones), if any.
std::map<domain::Id, domain::Id> ChooseSessionAssignments(
    std::span<const storage::AssignmentTime> assignments, absl::Time session_at);

// LoadAssignmentsNear's times only (what ReadinessStableUntil and the choice need).
std::vector<storage::AssignmentTime> LoadAssignmentTimesNear(
    storage::Transaction& conn, const std::vector<domain::Id>& player_ids, absl::Time from,
    absl::Time to);

// The protocols of the assignments chosen from `times` for the session at `session_at`: only
// the chosen assignments are read in full.
std::map<domain::Id, SessionProtocols> LoadChosenProtocols(
    storage::Transaction& conn, std::span<const storage::AssignmentTime> times, absl::Time session_at);

}  // namespace touchline::service
