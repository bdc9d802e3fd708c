// Sessions and participations (schema v8). Sessions are records: inserted once with their
// participations, never updated or deleted (the database's triggers refuse it whoever asks). Like
// record_store.h, every function runs on a connection handed out by Database::Write or Read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/transaction.h"
#include "server/domain/exposure_rules.h"
#include "server/storage/record_store.h"

namespace touchline::storage {

struct SessionFilter {
  Id squad_id = 0;                             // 0 = every squad (exports)
  std::optional<absl::Time> start;             // starts_at inclusive
  std::optional<absl::Time> end;               // starts_at exclusive
  std::optional<domain::ExposureKind> kind;    // unset = both
};

// Inserts the session and its participations as one unit (a savepoint); returns it with its id.
// NOT_FOUND when the squad or a player does not exist; ALREADY_EXISTS when the idempotency key is
// taken.
absl::StatusOr<domain::Session> InsertSession(Transaction& db, const domain::Session& session);
// With participations (by player id). NOT_FOUND.
absl::StatusOr<domain::Session> FindSession(Transaction& db, Id id);
std::optional<domain::Session> FindSessionByKey(Transaction& db,
                                                const std::string& idempotency_key);
// Sessions with their participations ordered by (starts_at, id), strictly after `after`
// (key = starts_at micros), at most `limit`. With filter.squad_id 0 this walks every squad: the
// entry point for a streaming export of sessions (resume from the last (starts_at, id) sent).
std::vector<domain::Session> ListSessions(Transaction& db, const SessionFilter& filter,
                                          PageCursor after, int limit);
// For the export stream: sessions (with participations) with id in (after_id, up_to_id], starting
// within the filter's range, of its squad (0 = every squad), by id, at most `limit`.
std::vector<domain::Session> ListSessionsForExport(Transaction& db, const ExportFilter& filter,
                                                   Id after_id, Id up_to_id, int limit);
// The largest session id stored (0 when none).
Id LastSessionId(Transaction& db);
// Every session of the squad starting in [from, to) with its participations, by (starts_at, id).
std::vector<domain::Session> ListSessionsOfSquad(Transaction& db, Id squad_id,
                                                 absl::Time from, absl::Time to);

}  // namespace touchline::storage
