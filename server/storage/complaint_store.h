// The complaints table and its check_ins. Every function runs on a transaction handed out by
// Database::Write or Database::Read (record_store.h says more).
#pragma once

#include <map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/storage/listing.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

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

// The same for complaints, on onset_at; each with its check-ins, oldest first.
std::vector<SquadRecord<domain::Complaint>> ListComplaintsForExport(
    Transaction& db, const ExportFilter& filter, Id after_id, Id up_to_id, int limit);
// The largest id stored (0 when none).
Id LastComplaintId(Transaction& db);

}  // namespace touchline::storage
