// Versioned schema migrations of the Touchline SQLite database (the SQLite backend's schema).
//
// The schema version lives in PRAGMA user_version and the file is marked as Touchline's with
// PRAGMA application_id. Each step is applied in its own BEGIN IMMEDIATE transaction together with
// the user_version bump, so a crash leaves the database at the previous or the next version, never
// in between. Steps are append-only: never edit a released step, add a new one.
#pragma once

#include <cstdint>
#include <span>

#include "server/storage/store_kind.h"

namespace SQLite {
class Database;
}  // namespace SQLite
#include "absl/status/status.h"

namespace touchline::storage {

struct Migration {
  int version;              // user_version after this step; steps are numbered 1, 2, ...
  const char* description;  // for messages
  const char* sql;          // one or more statements
};

// Every step, ordered by version (1, 2, ...).
std::span<const Migration> Migrations(StoreKind kind = StoreKind::kClinicalRecord);

// The version of the last step (the schema this build creates and understands).
int LatestMigrationVersion(StoreKind kind = StoreKind::kClinicalRecord);

// Applies, in order, every step with current < version <= target_version, each in its own
// transaction (re-reading user_version under the write lock, so concurrent openers do not apply a
// step twice); each step also sets application_id. Must be called outside a transaction.
// Refuses (FAILED_PRECONDITION) a database already newer than target_version.
absl::Status MigrateTo(SQLite::Database& db, int target_version,
                       StoreKind kind = StoreKind::kClinicalRecord);

}  // namespace touchline::storage
