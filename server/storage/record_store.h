// Reads and writes of the squad medical record. Every function runs on a connection handed out by
// Database::Write or Database::Read, so a service call composes several of them in one
// transaction. Instants are stored as integer microseconds since the Unix epoch (UTC).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/transaction.h"
#include "server/domain/model.h"

namespace touchline::storage {

using domain::Id;

// Position after which a page starts: rows strictly after (key, id) in the listing's order.
struct PageCursor {
  int64_t key = INT64_MIN;  // the ordering value (e.g. occurred_at micros); unused for id order
  Id id = 0;
};

// ---- squads ----
// ALREADY_EXISTS when the name is taken.
absl::StatusOr<domain::Squad> InsertSquad(Transaction& db, const domain::Squad& squad);
// NOT_FOUND when there is no such squad.
absl::StatusOr<domain::Squad> FindSquad(Transaction& db, Id id);
// By id, ids > after_id, at most `limit`.
std::vector<domain::Squad> ListSquads(Transaction& db, Id after_id, int limit);
// Writes name and updated_at. NOT_FOUND / ALREADY_EXISTS (name taken).
absl::Status UpdateSquad(Transaction& db, const domain::Squad& squad);

// ---- players ----
// ALREADY_EXISTS when external_id is set and taken; NOT_FOUND when the squad does not exist.
absl::StatusOr<domain::Player> InsertPlayer(Transaction& db, const domain::Player& player);
absl::StatusOr<domain::Player> FindPlayer(Transaction& db, Id id);
// squad_id 0 means every squad. By id, ids > after_id, at most `limit`.
std::vector<domain::Player> ListPlayers(Transaction& db, Id squad_id, bool include_archived,
                                        Id after_id, int limit);
// Writes every mutable column (name, position, external_id, archived_at, updated_at).
// NOT_FOUND / ALREADY_EXISTS (external_id taken).
absl::Status UpdatePlayer(Transaction& db, const domain::Player& player);

// ---- contact events ----
struct ContactEventFilter {
  Id player_id = 0;  // one of player_id / squad_id
  Id squad_id = 0;
  std::optional<absl::Time> start;  // inclusive
  std::optional<absl::Time> end;    // exclusive
  std::vector<domain::ContactKind> kinds;  // empty = all
  bool awkward_only = false;
};

// Inserts many events on one connection with one prepared statement (bulk import). Construct it
// inside a Database::Write transaction and drop it before the transaction ends.
class ContactEventInserter {
 public:
  explicit ContactEventInserter(Transaction& db);
  // Returns the new id, or nullopt when the idempotency key is already stored (nothing written).
  std::optional<Id> InsertIfNew(const domain::ContactEvent& event);

 private:
  Transaction& db_;  // for LastInsertId (no RETURNING: see .cc)
  Statement insert_;
};

std::optional<domain::ContactEvent> FindContactEventByKey(Transaction& db,
                                                          const std::string& idempotency_key);
absl::StatusOr<domain::ContactEvent> FindContactEvent(Transaction& db, Id id);
// Ordered by (occurred_at, id), rows after `after`, at most `limit`.
std::vector<domain::ContactEvent> ListContactEvents(Transaction& db,
                                                    const ContactEventFilter& filter,
                                                    PageCursor after, int limit);
// Every matching event (no paging) of the given players; for flag evaluation.
std::vector<domain::ContactEvent> ListContactEventsOfPlayers(Transaction& db,
                                                             const std::vector<Id>& player_ids,
                                                             absl::Time start, absl::Time end,
                                                             bool awkward_only);
// The awkward events in the `window` before the onset of every complaint of these players that is
// open at `as_of` (the only events that can cite a pelvic origin), oldest first.
std::vector<domain::ContactEvent> ListPelvicOriginCandidates(Transaction& db,
                                                            const std::vector<Id>& player_ids,
                                                            absl::Time as_of,
                                                            absl::Duration window);
int64_t CountContactEvents(Transaction& db);

// ---- complaints ----
struct ComplaintFilter {
  Id player_id = 0;  // one of player_id / squad_id
  Id squad_id = 0;
  bool open_only = false;  // resolved_at IS NULL
};

// Inserts the complaint (check_ins ignored); returns it with its id.
absl::StatusOr<domain::Complaint> InsertComplaint(Transaction& db,
                                                  const domain::Complaint& complaint);
// With its check-ins, oldest first. NOT_FOUND.
absl::StatusOr<domain::Complaint> FindComplaint(Transaction& db, Id id);
// Ordered by (onset_at, id), rows after `after`, at most `limit`; each with its check-ins.
std::vector<domain::Complaint> ListComplaints(Transaction& db, const ComplaintFilter& filter,
                                              PageCursor after, int limit);
// Those of the given players with a complaint open at `as_of` (begun by then, not resolved by then).
std::vector<Id> PlayersWithComplaintOpenAt(Transaction& db, const std::vector<Id>& player_ids,
                                           absl::Time as_of);
// For each of the given players with a complaint whose onset is after `after` (a future-dated
// complaint that will begin), the earliest such onset.
std::map<Id, absl::Time> NextComplaintOnsets(Transaction& db, const std::vector<Id>& player_ids,
                                             absl::Time after);
// Every complaint (with check-ins) of the given players, for flags and readiness.
std::vector<domain::Complaint> ListComplaintsOfPlayers(Transaction& db,
                                                       const std::vector<Id>& player_ids);
// Writes every mutable column of the complaint row (not check-ins). NOT_FOUND.
absl::Status UpdateComplaint(Transaction& db, const domain::Complaint& complaint);
absl::StatusOr<domain::CheckIn> InsertCheckIn(Transaction& db, const domain::CheckIn& check_in);

// Amendments are append-only: there is no update or delete.
absl::StatusOr<domain::Amendment> AppendAmendment(Transaction& db,
                                                  const domain::Amendment& amendment);
// Oldest first, ids > after_id, at most `limit`.
std::vector<domain::Amendment> ListAmendments(Transaction& db, Id complaint_id, Id after_id,
                                              int limit);

// ---- export (ExportService) ----
// Exports page by id, the order rows were first stored: ids never change, and SQLite's single
// writer makes them visible in increasing order, so a position "after id N" neither skips a row
// stored later (whatever its own time) nor repeats one.
struct ExportFilter {
  Id squad_id = 0;                  // the player's current squad; 0 = every squad
  std::optional<absl::Time> start;  // inclusive, on the record's own time
  std::optional<absl::Time> end;    // exclusive
};

template <typename Record>
struct SquadRecord {
  Id squad_id = 0;  // of the record's player, when read
  Record record;
};

// Events with after_id < id <= up_to_id whose occurred_at is in the filter's range, by id, at most
// `limit`. Reads the table in id order from after_id (no sort), so a whole export reads each row
// once however narrow the range.
std::vector<SquadRecord<domain::ContactEvent>> ListContactEventsForExport(
    Transaction& db, const ExportFilter& filter, Id after_id, Id up_to_id, int limit);
// The same for complaints, on onset_at; each with its check-ins, oldest first.
std::vector<SquadRecord<domain::Complaint>> ListComplaintsForExport(
    Transaction& db, const ExportFilter& filter, Id after_id, Id up_to_id, int limit);
// The number of amendment-history entries of each of these complaints (absent: none).
std::vector<std::pair<Id, int64_t>> CountAmendments(Transaction& db,
                                                    const std::vector<Id>& complaint_ids);
// The largest id stored (0 when none).
Id LastContactEventId(Transaction& db);
Id LastComplaintId(Transaction& db);

// ---- readiness overrides ----
absl::StatusOr<domain::ReadinessOverride> InsertOverride(Transaction& db,
                                                         const domain::ReadinessOverride& o);
absl::StatusOr<domain::ReadinessOverride> FindOverride(Transaction& db, Id id);
// Newest first (id descending), ids < before_id (0 = from the newest), at most `limit`.
std::vector<domain::ReadinessOverride> ListOverrides(Transaction& db, Id player_id,
                                                     Id before_id, int limit);
// Every override of the given players that is not cleared before `from` and expires after `from`.
std::vector<domain::ReadinessOverride> ListOverridesOfPlayers(Transaction& db,
                                                              const std::vector<Id>& player_ids,
                                                              absl::Time from);
// Writes cleared_at / cleared_by. NOT_FOUND.
absl::Status UpdateOverride(Transaction& db, const domain::ReadinessOverride& o);

}  // namespace touchline::storage
