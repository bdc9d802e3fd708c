// Keeps the flag change log true without anyone asking: re-evaluates a player after every write
// that can change their flags, and wakes on the injected clock at the next instant a flag can
// become true or stop holding by time alone (onset + 42 days of an open complaint, onset + 28 and
// + 35 days of a gradual-onset one for WINDOW_CLOSING, a future-dated onset, check-in or
// resolution). Every change is appended to the persisted log (flag_changes,
// strictly increasing sequence) and then handed to live watchers through the hub, in sequence order,
// with the changes other processes on the store appended (flag_log_follower.h).
// Several processes on one store (replicas on one PostgreSQL club) each follow their own writes;
// the clock's wakes only the one holding the store's lease does (Database::HoldLease).
//
// All SQLite work runs on the monitor's own thread, except Acknowledge, which runs on the calling
// (synchronous gRPC) thread; both hold one mutex across commit and publish so watchers see changes
// in sequence order.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/domain/model.h"
#include "server/service/flag_change_hub.h"
#include "server/service/flag_log_follower.h"
#include "server/service/record_observer.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"
#include "touchline/v1/flag.pb.h"

namespace touchline::service {

class FlagMonitor final : public PlayerRecordObserver {
 public:
  FlagMonitor(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options,
              FlagChangeHub& hub)
      : db_(db), clock_(clock), options_(options), log_(db, hub) {}
  ~FlagMonitor() override { Stop(); }

  // Starts the thread; it first reconciles every player (catching up on whatever happened while
  // the server was down, including time passing), then follows writes and the clock.
  void Start();
  // Stops the thread; pending work is dropped (the next Start reconciles everything).
  void Stop();

  void PlayerRecordChanged(domain::Id player_id) override;

  // Acknowledges the flags of the request's kind about its complaint that hold now for its player
  // (after re-evaluating them), records ACKNOWLEDGED changes and answers with the flags. NOT_FOUND
  // when no such flag holds. Once per request_id (write_once.h).
  absl::StatusOr<v1::AcknowledgeFlagResponse> Acknowledge(
      const common::Caller& caller, const v1::AcknowledgeFlagRequest& request);

  // Blocks until every write reported before the call and every wake due at the clock's current
  // instant has been processed (or `timeout` of real time passes); true if so. For tests.
  bool WaitIdle(absl::Duration timeout);

 private:
  using Wakes = std::map<domain::Id, std::optional<absl::Time>>;

  void Run();
  // Reconciles the players (all when `all`) at the clock's now, in transactions of a few hundred.
  // False (the work re-queued) if a transaction failed.
  bool Process(bool all, std::vector<domain::Id> ids);
  // Re-evaluates the players at `now` inside a write transaction: appends RAISED / CHANGED /
  // CLEARED to the log, updates held flags, and fills the changes and each player's next wake.
  void Reconcile(storage::Transaction& conn, const std::vector<domain::Player>& players, absl::Time now,
                 std::vector<FlagChangeHub::Change>& changes, Wakes& wakes);
  void ApplyWakes(const Wakes& wakes);

  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
  FlagLogFollower log_;  // publishes the log's changes, ours and other processes'

  std::mutex write_mutex_;  // held across a log commit and its publication

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::condition_variable idle_;
  bool started_ = false;
  bool stop_ = false;
  bool woken_ = false;
  bool reconcile_all_ = false;
  bool busy_ = false;
  // This process holds the store's lease of the clock's wakes (see Run); a store with one process
  // (SQLite) always does. False until asked: the first ask comes before any work.
  bool leader_ = false;
  uint64_t others_seen_ = 0;  // Database::OtherProcessesWrites when last asked
  std::set<domain::Id> dirty_;
  std::set<std::pair<absl::Time, domain::Id>> schedule_;
  std::unordered_map<domain::Id, absl::Time> wake_of_;
  int listener_ = 0;
  std::thread thread_;
};

}  // namespace touchline::service
