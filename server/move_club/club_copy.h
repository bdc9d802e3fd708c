// Moving a club from its SQLite files to PostgreSQL (issue 21): the copy and its proof, apart from
// the command (move_club_main.cc) so tests can drive them.
//
// What a move is: every table of both stores (the clinical record and its audit log), read from
// SQLite through the storage seam and written into the club's two PostgreSQL schemas (<schema>,
// <schema>_audit) with the same ids, in ONE PostgreSQL transaction for both stores, so that a
// failure anywhere leaves the target as it was (empty) and the move can simply be run again. The
// target must hold nothing but what its baseline migration inserts: a move never merges into a
// live club.
//
// The proof: per table, the row count and a SHA-256 over a canonical encoding of every row in
// primary-key order (NULL, integer, float, text and blob told apart; integers in decimal, floats
// by their IEEE-754 bits, text and blobs as their bytes), computed by the same code on both sides
// through the seam's Statement, so what each backend hands back is compared rather than trusted.
// It is checked inside the copy's transaction (a mismatch rolls the copy back) and again after the
// commit, through each target store's own connections, which is what the report shows.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/storage/database.h"
#include "server/storage/transaction.h"

namespace touchline::move_club {

// A club's two stores, open.
struct ClubStores {
  std::unique_ptr<storage::Database> record;
  std::unique_ptr<storage::Database> audit_log;
  // PostgreSQL: the club's schema (its audit log's is <schema>_audit); empty for SQLite.
  std::string postgres_schema;
  // For messages: "sqlite:PATH" or "PostgreSQL schemas X and X_audit".
  std::string description;
};

// Opens the SQLite club to move: its clinical record at `path` (never created; a file of an older
// schema is migrated to this build's, as touchline-server would) and its audit log at `audit_path`
// (empty: <path>.audit). FAILED_PRECONDITION when either is missing, when the database still keeps
// its audit events itself (no server of schema v9 or later has started on it: start
// touchline-server on it once, then stop it), or when the audit log belongs to another database.
absl::StatusOr<ClubStores> OpenSqliteClub(const std::string& path, const std::string& audit_path);

// Opens the PostgreSQL club of `options` (postgres, postgres_schema, postgres_password_file set),
// creating (when `create`) and migrating both schemas as needed. The audit log is opened as a
// store of its own, not through OpenAuditLog: that would claim it for the empty target's own
// store_id.
absl::StatusOr<ClubStores> OpenPostgresClub(storage::DatabaseOptions options, bool create = true);

// One table of a store as the move sees it: its columns by name and its primary key.
struct TableSpec {
  std::string name;
  std::vector<std::string> columns;      // in the source's order
  std::vector<std::string> primary_key;  // in key order; rows are read in this order
};

// The tables of a SQLite store (inside one of its transactions), parents before the tables that
// refer to them, then in creation order; SQLite's own tables left out. INVALID_ARGUMENT for a table
// without a primary key (its rows would have no order to compare in).
absl::StatusOr<std::vector<TableSpec>> DescribeSqliteStore(storage::Transaction& sqlite);

// A table's row count and SHA-256 (hex), as described above. `from` is the table as the SQL names
// it on this connection (quoted; qualified with its schema where the search_path does not find it).
struct TableDigest {
  int64_t rows = 0;
  std::string sha256;
};
TableDigest DigestTable(storage::Transaction& tx, const std::string& from, const TableSpec& table);

// The two sides of one table.
struct TableCheck {
  std::string name;  // as PostgreSQL names it: <schema>.<table> or <schema>_audit.<table>
  TableDigest source;
  TableDigest target;
  // Empty when both sides match; otherwise why not: the row counts, or the first row (by primary
  // key) that differs and in which columns. Never a value of the medical record.
  std::string difference;
  bool ok() const { return difference.empty(); }
};

struct Verification {
  std::vector<TableCheck> tables;
  bool ok() const;
  int64_t source_rows() const;
};

// The report: a header, then `table  rows  sha256-prefix  ok` per table (a mismatch shows both
// sides and a line saying what differs).
std::string FormatVerification(const Verification& verification);

// Moves the SQLite club `source` into the empty PostgreSQL club `target` (see the top of this
// file), then verifies the committed copy. FAILED_PRECONDITION (nothing written): the target is
// not empty, its schema version or tables differ from the source's, or the source is not ready.
// DATA_LOSS (nothing written): the copy did not match inside its transaction, naming the tables.
// Other errors are the database's, with the table being copied named. The returned verification
// is the one made after the commit; the caller checks ok().
// `progress`, when given, gets a line per table as it is copied.
absl::StatusOr<Verification> MoveClub(ClubStores& source, ClubStores& target,
                                      std::ostream* progress = nullptr);

// Compares every table of `source` (SQLite) with the same table of `target` (PostgreSQL), each
// side read in one snapshot per store. Writes nothing.
absl::StatusOr<Verification> VerifyClub(ClubStores& source, ClubStores& target);

}  // namespace touchline::move_club
