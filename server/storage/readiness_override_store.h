// The readiness_overrides table. Every function runs on a transaction handed out by
// Database::Write or Database::Read (record_store.h says more).
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/storage/listing.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

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
