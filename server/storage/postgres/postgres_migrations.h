// Versioned schema migrations of the PostgreSQL backend (issue 21): the same schema as the SQLite
// backend's (storage/migrations.h), one PostgreSQL schema (namespace) per store.
//
// PostgreSQL starts at a baseline: its first step has the version of the SQLite schema it
// reproduces and creates that whole schema at once (every SQLite step applied in order), so a
// version means the same tables, indexes and triggers on both backends and a club can be moved
// between them at equal versions. A later schema change is a step appended to both lists with the
// same version. Like the SQLite steps, released steps are never edited.
//
// Names are unqualified: the backend runs each step with search_path set to the store's schema,
// in one transaction with the version it records (touchline_schema, which the backend owns; the
// counterpart of PRAGMA user_version and application_id).
#pragma once

#include <span>

#include "server/storage/migrations.h"
#include "server/storage/store_kind.h"

namespace touchline::storage {

// Every step, ordered by version; the first is the baseline. The last step's version equals
// LatestMigrationVersion(kind): a SQLite step without its PostgreSQL counterpart fails the tests.
std::span<const Migration> PostgresMigrations(StoreKind kind = StoreKind::kClinicalRecord);

}  // namespace touchline::storage
