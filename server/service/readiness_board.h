// Who can train for a session, and the physio's overrides.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
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
  struct KeptBoard;

 public:
  // A squad's board as one call serves it: kept (or just computed) bytes, never a copy of the
  // message. Holds the kept board alive for as long as the call needs it.
  class ServedBoard {
   public:
    // The players the answer names, for the call's audit record (never recomputed per call).
    const std::vector<int64_t>& player_ids() const;
    // The answer serialised in form `form` (0..kForms-1, e.g. a role: the caller picks), made by
    // `minimise` from the full answer the first time a kept board is served in that form and kept
    // beside it; this call's session_time is appended when the form keeps that field.
    std::string Serialized(
        int form, absl::FunctionRef<void(v1::GetSquadReadinessResponse&)> minimise) const;

   private:
    friend class ReadinessBoard;
    std::shared_ptr<const KeptBoard> board_;
    absl::Time at_;
  };
  static constexpr int kForms = 8;

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
  // Whole boards computed, and rows recomputed into a kept board (for tests and benchmarks).
  uint64_t boards_computed() const { return boards_computed_.load(std::memory_order_relaxed); }
  uint64_t rows_recomputed() const { return rows_recomputed_.load(std::memory_order_relaxed); }

  // The board of request.squad_id at the request's session time (default now), kept or computed.
  absl::StatusOr<ServedBoard> ServeSquadReadiness(const common::Caller& caller,
                                                  const v1::GetSquadReadinessRequest& request);
  // The same when it can be answered from memory alone (the request refused, or the kept board
  // current); nullopt when the board must be read from the records, or the store is shared with
  // other processes (ServeSquadReadiness then). Never touches the store: callable on gRPC's event
  // threads.
  std::optional<absl::StatusOr<ServedBoard>> ServeKeptSquadReadiness(
      const common::Caller& caller, const v1::GetSquadReadinessRequest& request);

 private:
  // One player's row of a board, computed at `computed_at` and the same at every instant up to
  // (not including) `stable_until` for as long as nothing of that player's records changes; with
  // the forms it has been served in, each serialised once as the response's `players` field.
  struct PlayerEntry {
    domain::Player player;
    absl::Time computed_at;
    absl::Time stable_until;
    v1::PlayerReadiness row;
    struct Form {
      std::once_flag made;
      std::string bytes;
    };
    mutable std::array<Form, kForms> forms;

    bool CurrentAt(absl::Time at) const { return computed_at <= at && at < stable_until; }
  };

  // A squad's board: its players' rows (shared with the boards before and after it, so a write
  // about one player recomputes that row only), current at every instant in [valid_from,
  // stable_until) while the records are still at `generation`; with the forms it has been served
  // in (serialised once each) and the players it names, sorted, for the audit.
  struct KeptBoard {
    uint64_t generation = 0;
    int64_t squad_id = 0;
    absl::Time valid_from = absl::InfinitePast();
    absl::Time stable_until = absl::InfiniteFuture();
    std::vector<std::shared_ptr<const PlayerEntry>> entries;  // board order: by name, then id
    std::vector<int64_t> player_ids;
    int32_t counts[3] = {0, 0, 0};  // available, modified, unavailable
    struct Form {
      std::once_flag made;
      std::string bytes;
      bool keeps_session_time = false;
    };
    mutable std::array<Form, kForms> forms;

    bool CurrentAt(absl::Time at) const { return valid_from <= at && at < stable_until; }
    v1::GetSquadReadinessResponse Header() const;  // squad and counts, no players or time
  };

  // The kept board of the squad if it is current at `at` (counted as a kept answer), else null;
  // `kept`, when given, receives the kept board whether current or not (to patch).
  std::shared_ptr<const KeptBoard> KeptBoardAt(int64_t squad_id, absl::Time at,
                                               std::shared_ptr<const KeptBoard>* kept);
  // The rows of `players` at `at` (read in one transaction, a fixed number of queries).
  std::vector<std::shared_ptr<const PlayerEntry>> ComputeEntries(
      storage::Transaction& conn, std::vector<domain::Player> players, absl::Time at) const;
  // A board from its rows (in board order).
  static std::shared_ptr<const KeptBoard> Assemble(
      uint64_t generation, int64_t squad_id,
      std::vector<std::shared_ptr<const PlayerEntry>> entries);
  // The whole squad from the records.
  absl::StatusOr<std::shared_ptr<const KeptBoard>> ComputeBoard(int64_t squad_id, absl::Time at);
  // `kept` with the rows of the players changed since it was computed, and of those not current
  // at `at`, recomputed; nullptr when the whole board must be (the roster may have changed).
  absl::StatusOr<std::shared_ptr<const KeptBoard>> PatchBoard(const KeptBoard& kept,
                                                              absl::Time at);

  storage::Database& db_;
  const domain::Clock& clock_;
  const ServiceOptions& options_;
  mutable std::mutex kept_mutex_;
  absl::flat_hash_map<int64_t, std::shared_ptr<const KeptBoard>> kept_;  // by squad id
  uint64_t kept_answers_ = 0;
  std::atomic<uint64_t> boards_computed_{0};
  std::atomic<uint64_t> rows_recomputed_{0};
};

// The first instant after `at` at which the player's row of the board computed from these records
// at `at` could read differently, capped at `horizon_end`: a complaint begins or ends, the
// persistence line is crossed, a check-in becomes known, an override starts, expires or is
// cleared, a protocol assignment comes within or goes out of the session window, or the closest
// assignment changes. Conservative: an instant that changes nothing only costs a recomputation;
// missing one would show a stale board. `assignments` must hold every assignment of the player
// that can be "for" a session in [at, horizon_end], and `next_onset` the earliest future complaint
// onset of the player when their complaints were not all loaded.
absl::Time ReadinessStableUntil(const PlayerRecord& record,
                                std::span<const storage::AssignmentTime> assignments,
                                std::optional<absl::Time> next_onset, absl::Time at,
                                absl::Time horizon_end, const domain::FlagThresholds& thresholds);

}  // namespace touchline::service
