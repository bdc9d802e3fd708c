// The players table (the roster). Every function runs on a transaction handed out by
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

// ALREADY_EXISTS when external_id is set and taken; NOT_FOUND when the squad does not exist.
absl::StatusOr<domain::Player> InsertPlayer(Transaction& db, const domain::Player& player);
absl::StatusOr<domain::Player> FindPlayer(Transaction& db, Id id);
// squad_id 0 means every squad. By id, ids > after_id, at most `limit`.
std::vector<domain::Player> ListPlayers(Transaction& db, Id squad_id, bool include_archived,
                                        Id after_id, int limit);
// Writes every mutable column (name, position, external_id, archived_at, updated_at).
// NOT_FOUND / ALREADY_EXISTS (external_id taken).
absl::Status UpdatePlayer(Transaction& db, const domain::Player& player);

}  // namespace touchline::storage
