// Who can train for a session, and the physio's overrides.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "server/common/caller.h"
#include "server/domain/clock.h"
#include "server/service/service_options.h"
#include "server/service/squad_snapshot.h"
#include "server/storage/database.h"
#include "server/storage/protocol_store.h"
#include "touchline/v1/readiness.pb.h"

namespace touchline::service {

class ReadinessBoard {
 public:
  ReadinessBoard(storage::Database& db, const domain::Clock& clock, const ServiceOptions& options)
      : db_(db), clock_(clock), options_(options) {}

  absl::StatusOr<v1::GetSquadReadinessResponse> GetSquadReadiness(
      const common::Caller& caller, const v1::GetSquadReadinessRequest& request);
  absl::StatusOr<v1::CreateReadinessOverrideResponse> CreateReadinessOverride(
      const common::Caller& caller, const v1::CreateReadinessOverrideRequest& request);
  absl::StatusOr<v1::ListReadinessOverridesResponse> ListReadinessOverrides(
      const common::Caller& caller, const v1::ListReadinessOverridesRequest& request);
  absl::StatusOr<v1::ClearReadinessOverrideResponse> ClearReadinessOverride(
      const common::Caller& caller, const v1::ClearReadinessOverrideRequest& request);

  // Squad boards answered from the kept board rather than recomputed (for tests and benchmarks).
  uint64_t kept_board_answers() const;

 private:
  // A squad's board as computed at `computed_at`, and the same at every instant up to (not
  // including) `stable_until` for as long as the records are still at `generation`.
  struct KeptBoard {
    uint64_t generation = 0;
    absl::Time computed_at;
    absl::Time stable_until;
    v1::GetSquadReadinessResponse response;
  };

  absl::StatusOr<std::shared_ptr<const KeptBoard>> ComputeBoard(int64_t squad_id, absl::Time at);

  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
  mutable std::mutex kept_mutex_;
  absl::flat_hash_map<int64_t, std::shared_ptr<const KeptBoard>> kept_;  // by squad id
  uint64_t kept_answers_ = 0;
};

// The first instant after `at` at which the board computed from these records at `at` could read
// differently, capped at `horizon_end`: a complaint begins or ends, the persistence line is crossed,
// a check-in becomes known, an override starts, expires or is cleared, a protocol assignment comes
// within or goes out of the session window, or the closest assignment changes. Conservative: an
// instant that changes nothing only costs a recomputation; missing one would show a stale board.
// `assignments` must hold every assignment that can be "for" a session in [at, horizon_end], and
// `next_onset` the earliest future complaint onset among players whose complaints were not loaded.
absl::Time ReadinessStableUntil(const SquadSnapshot& snapshot,
                                std::span<const storage::ProtocolAssignment> assignments,
                                std::optional<absl::Time> next_onset, absl::Time at,
                                absl::Time horizon_end, const domain::FlagThresholds& thresholds);

}  // namespace touchline::service
