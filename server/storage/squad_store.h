// The squads table. Every function runs on a transaction handed out by
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

// ALREADY_EXISTS when the name is taken.
absl::StatusOr<domain::Squad> InsertSquad(Transaction& db, const domain::Squad& squad);
// NOT_FOUND when there is no such squad.
absl::StatusOr<domain::Squad> FindSquad(Transaction& db, Id id);
// By id, ids > after_id, at most `limit`.
std::vector<domain::Squad> ListSquads(Transaction& db, Id after_id, int limit);
// Writes name and updated_at. NOT_FOUND / ALREADY_EXISTS (name taken).
absl::Status UpdateSquad(Transaction& db, const domain::Squad& squad);

}  // namespace touchline::storage
