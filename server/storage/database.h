// The database the stores run on, whichever backend holds it: transactions (Write, Read), the
// records generation and the players each write changed, write health. The stores and the service
// layer see only this and storage/transaction.h; the SQLite backend is storage/sqlite/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/store_kind.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

// The options of a database: which backend holds it (a SQLite file, or a schema of a PostgreSQL
// database), and the backend's settings.
struct DatabaseOptions {
  // SQLite: the file (the default backend).
  std::string path = "touchline.db";
  // PostgreSQL (issue 21) when not empty: a libpq connection string or URI
  // ("postgresql://touchline@db.example/union"). A password is never in it: libpq takes one from
  // PGPASSWORD or a passfile, or postgres_password_file names a file holding only the password.
  std::string postgres;
  // The club's schema in that database (lower-case letters, digits and _, at most 48): one club per
  // schema. Its audit log is the schema of the same name with "_audit" appended.
  std::string postgres_schema = "touchline";
  std::string postgres_password_file;
  // Which schema the file holds (and is migrated to).
  StoreKind kind = StoreKind::kClinicalRecord;
  // When false, a missing file is refused (FAILED_PRECONDITION) instead of created: a file that
  // existed must not silently start again empty.
  bool create_if_missing = true;
  // FULL fsyncs the WAL at every commit (survives power loss); NORMAL survives a process crash only.
  bool synchronous_full = true;
  // Read connections in the pool; WAL lets them read while the writer writes.
  int reader_connections = 4;
  // How long a connection waits for a lock before SQLITE_BUSY.
  int busy_timeout_ms = 5000;
  // Page cache limits in KiB (PRAGMA cache_size = -N). The writer's is large so a bulk import's
  // index pages stay in memory instead of spilling to the WAL mid-transaction; a reader's cache is
  // dropped whenever another connection commits, so it gains little from more. Together they bound
  // what SQLite keeps in memory: the server's memory grows with the database until they are full
  // (tests/reliability/README.md).
  int writer_cache_kib = 32 * 1024;
  int reader_cache_kib = 2000;  // SQLite's default
  // Checkpoints (copying the WAL back into the database file, fsyncs included) run on a connection
  // and thread of their own once the WAL holds this many pages, so the writer does not pause for
  // them: they were 7.5 % of a bulk import's CPU, all of it on the single writer (issue 6). The
  // writer checkpoints itself only when the WAL reaches writer_checkpoint_pages (the background
  // cannot keep up, e.g. a long read pins the WAL). 0: the writer checkpoints at 1000 pages, as
  // SQLite does by default.
  int background_checkpoint_pages = 1000;
  int writer_checkpoint_pages = 16000;
};

// Applies a store locator, as --store takes it, to `options`: "sqlite:PATH" (the embedded default),
// or "postgresql://..." / "postgres://..." (a libpq URI) or "postgresql:KEY=VALUE ..." (a libpq
// keyword string). INVALID_ARGUMENT for anything else, for a PostgreSQL locator that holds a
// password, and for PostgreSQL in a build without it. For PostgreSQL, options.path becomes the
// schema's name (the default name of the files kept beside a store: pseudonym key, token).
absl::Status ApplyStoreLocator(const std::string& store, DatabaseOptions& options);

// What a backend implements; Database forwards to it. The contracts are Database's.
class DatabaseBackend {
 public:
  virtual ~DatabaseBackend() = default;
  virtual int SchemaVersion() const = 0;
  virtual absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> work) = 0;
  virtual absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> work) = 0;
  virtual uint64_t RecordsGeneration() const = 0;
  virtual std::optional<std::vector<int64_t>> PlayersChangedSince(uint64_t since) const = 0;
  virtual absl::Status WriteHealth() const = 0;
  virtual absl::Status ProbeWrite() = 0;
  virtual absl::Status ProbeRead() = 0;
  // One process at a time holds a lease of a given name (SQLite: the file has one server).
  virtual bool HoldLease(const std::string&) { return true; }
  virtual uint64_t OtherProcessesWrites() const { return 0; }
  virtual uint64_t WaitOtherProcessesWrites(uint64_t, absl::Duration) const { return 0; }
  virtual absl::Status CatchUpWithOtherProcesses() { return absl::OkStatus(); }
};

class Database {
 public:
  // The clinical schema version this build creates and understands.
  static int LatestSchemaVersion();

  // Opens (creating if missing, unless told not to) and migrates to the latest version of its
  // kind. Refuses with FAILED_PRECONDITION a file whose version is newer than this build knows,
  // one that is not a SQLite file of this kind of Touchline store, naming the path and the reason.
  // The backend: PostgreSQL when options.postgres is set (storage/postgres/postgres_database.h),
  // else SQLite (storage/sqlite/sqlite_database.h).
  static absl::StatusOr<std::unique_ptr<Database>> Open(const DatabaseOptions& options);

  Database(DatabaseOptions options, std::unique_ptr<DatabaseBackend> backend);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int SchemaVersion() const { return backend_->SchemaVersion(); }
  // The SQLite file; for PostgreSQL, "postgresql schema <name>" (for messages).
  const std::string& path() const { return options_.path; }
  bool on_postgres() const { return !options_.postgres.empty(); }
  StoreKind kind() const { return options_.kind; }

  // Runs `work` inside one write transaction (writers are serialised). Commits when `work`
  // returns OK; rolls back on an error status or an exception, so a failed write never leaves
  // half a record. Storage errors (a StoreError thrown) become UNAVAILABLE / RESOURCE_EXHAUSTED
  // (disk full) / INTERNAL statuses.
  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> work) {
    return backend_->Write(work);
  }

  // Grows after every write transaction that may have changed the clinical record (committed or
  // not: a spurious step only costs a recomputation). A result derived from a read that began after
  // observing generation G is current for as long as RecordsGeneration() is still G.
  uint64_t RecordsGeneration() const { return backend_->RecordsGeneration(); }

  // The players whose records the writes after generation `since` changed (sorted, unique; empty
  // when none did), or nullopt when that is not known: a write changed something every player's
  // answer may read (the roster, a table record_changes.h does not name), or `since` is older
  // than the recent writes kept here. Observe RecordsGeneration() first and read after: the answer
  // covers at least every write up to the generation observed. Clinical-record stores only.
  std::optional<std::vector<int64_t>> PlayersChangedSince(uint64_t since) const {
    return backend_->PlayersChangedSince(since);
  }

  // The storage failure (UNAVAILABLE / RESOURCE_EXHAUSTED) of the last write that failed in
  // storage, until a write commits again; OK otherwise. A work function's own error (NOT_FOUND...)
  // is not a storage failure. The health check's source.
  absl::Status WriteHealth() const { return backend_->WriteHealth(); }
  // A real write through to the disk (SQLite: rewrites the file header with its own value and
  // commits, through the WAL and its sync). Used by the health check while WriteHealth fails.
  absl::Status ProbeWrite() { return backend_->ProbeWrite(); }
  // A read transaction that reads the schema, so a file that cannot be read is seen (the
  // health check).
  absl::Status ProbeRead() { return backend_->ProbeRead(); }

  // Whether this process holds the lease `name` of this store, taking it if nobody does: time-driven
  // work that must run in one process at a time (the flag monitor's clock wakes) asks before it
  // runs. PostgreSQL: a session advisory lock on a connection of its own, so a process that dies
  // (or loses that connection) gives it up and another takes it at its next ask; each ask that
  // holds it checks the connection (a round trip): ask about once a second. SQLite: always held.
  bool HoldLease(const std::string& name) { return backend_->HoldLease(name); }
  // Steps when another process's write on this store is heard of (PostgreSQL: a NOTIFY of the
  // club's channel); 0 for good on SQLite. What those writes changed is not known: the lease's
  // holder reconciles everyone when it moves.
  uint64_t OtherProcessesWrites() const { return backend_->OtherProcessesWrites(); }
  // Waits up to `timeout` (real time) for OtherProcessesWrites() to differ from `seen`, and
  // returns it. SQLite: returns 0 at once (no other process writes its file).
  uint64_t WaitOtherProcessesWrites(uint64_t seen, absl::Duration timeout) const {
    return backend_->WaitOtherProcessesWrites(seen, timeout);
  }
  // Whether other processes may write this store (replicas on one PostgreSQL club).
  bool shared_by_processes() const { return on_postgres(); }
  // Makes RecordsGeneration() cover every write any process committed before the call, so a
  // derived answer kept in memory (the readiness board) is checked against writes through other
  // replicas at once, not only once their notice arrives. PostgreSQL: one round trip (the club's
  // write count); SQLite: nothing (one process).
  absl::Status CatchUpWithOtherProcesses() { return backend_->CatchUpWithOtherProcesses(); }

  // Runs `work` inside one read transaction (a consistent snapshot).
  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> work) {
    return backend_->Read(work);
  }

 private:
  DatabaseOptions options_;
  std::unique_ptr<DatabaseBackend> backend_;
};

}  // namespace touchline::storage
