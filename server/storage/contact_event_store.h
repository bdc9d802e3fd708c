// The contact_events table: tackles, collisions and awkward landings, imported in bulk.
// Every function runs on a transaction handed out by
// Database::Write or Database::Read (record_store.h says more).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/storage/listing.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

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

// Events with after_id < id <= up_to_id whose occurred_at is in the filter's range, by id, at most
// `limit`. Reads the table in id order from after_id (no sort), so a whole export reads each row
// once however narrow the range.
std::vector<SquadRecord<domain::ContactEvent>> ListContactEventsForExport(
    Transaction& db, const ExportFilter& filter, Id after_id, Id up_to_id, int limit);
// The largest id stored (0 when none).
Id LastContactEventId(Transaction& db);

}  // namespace touchline::storage
