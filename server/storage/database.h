// The embedded SQLite store: connections, pragmas, versioned migrations and transactions.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/storage/migrations.h"

namespace touchline::storage {

struct DatabaseOptions {
  std::string path = "touchline.db";
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

class Database {
 public:
  // The clinical schema version this build creates and understands (PRAGMA user_version).
  static int LatestSchemaVersion();

  // Opens (creating if missing, unless told not to) and migrates to the latest version of its
  // kind. Refuses with FAILED_PRECONDITION a file whose version is newer than this build knows,
  // one that is not a SQLite file of this kind of Touchline store, naming the path and the reason.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const DatabaseOptions& options);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int SchemaVersion() const { return schema_version_; }
  const std::string& path() const { return options_.path; }
  StoreKind kind() const { return options_.kind; }

  // Runs `work` inside one BEGIN IMMEDIATE transaction on the single writer connection (writers are
  // serialised). Commits when `work` returns OK; rolls back on an error status or an exception, so a
  // failed write never leaves half a record. SQLite errors become UNAVAILABLE / RESOURCE_EXHAUSTED
  // (disk full) / INTERNAL statuses.
  absl::Status Write(absl::FunctionRef<absl::Status(SQLite::Database&)> work);

  // Grows after every write transaction that may have changed the clinical record (committed or
  // not: a spurious step only costs a recomputation). A result derived from a read that began after
  // observing generation G is current for as long as RecordsGeneration() is still G.
  uint64_t RecordsGeneration() const { return records_generation_.load(std::memory_order_acquire); }

  // The players whose records the writes after generation `since` changed (sorted, unique; empty
  // when none did), or nullopt when that is not known: a write changed something every player's
  // answer may read (the roster, a table record_changes.h does not name), or `since` is older
  // than the recent writes kept here. Observe RecordsGeneration() first and read after: the answer
  // covers at least every write up to the generation observed. Clinical-record stores only.
  std::optional<std::vector<int64_t>> PlayersChangedSince(uint64_t since) const;

  // The storage failure (UNAVAILABLE / RESOURCE_EXHAUSTED) of the last write that failed in
  // SQLite, until a write commits again; OK otherwise. A work function's own error (NOT_FOUND...)
  // is not a storage failure. The health check's source.
  absl::Status WriteHealth() const;
  // A write transaction that rewrites the file header with its own value and commits: a real write
  // through the WAL and its sync. Used by the health check while WriteHealth fails.
  absl::Status ProbeWrite();

  // Runs `work` inside one read transaction on a pooled reader connection (a consistent snapshot).
  absl::Status Read(absl::FunctionRef<absl::Status(SQLite::Database&)> work);

 private:
  explicit Database(DatabaseOptions options);
  void ReopenWriterIfReadOnly();  // with writer_mutex_ held
  void InstallCheckpointHook();   // on the writer connection
  // SQLite's WAL hook: after every commit of the writer, with the WAL's size in pages.
  static int AfterCommit(void* database, sqlite3* writer, const char* schema, int wal_pages);
  struct ReaderPool;
  struct Checkpointer;

  DatabaseOptions options_;
  int schema_version_ = 0;

  std::mutex writer_mutex_;
  int wal_pages_at_last_request_ = 0;  // of a background checkpoint; under writer_mutex_
  std::atomic<uint64_t> records_generation_{0};
  // Which players each recent write changed (SQLite's update hook on the writer).
  struct ChangeLog;
  std::unique_ptr<ChangeLog> changes_;
  void InstallChangeHook();  // on the writer connection
  mutable std::mutex health_mutex_;
  absl::Status write_health_;  // under health_mutex_
  void NoteWriteOutcome(const absl::Status& storage_status);
  std::unique_ptr<SQLite::Database> writer_;
  std::unique_ptr<ReaderPool> readers_;
  // Its statements are finalised before the connections close.
  struct StatementCaches;
  std::unique_ptr<StatementCaches> statement_caches_;
  // Declared last: its thread stops before anything else goes away.
  std::unique_ptr<Checkpointer> checkpointer_;
};

// A statement prepared once per connection of a Database and reused afterwards: SQLite's parser
// and planner cost more than running a small query, on every call of the hot read paths. Reset
// and unbound when this goes away, so it holds no snapshot open. A connection that no Database
// opened (tools, tests) gets a statement of its own each time.
class CachedStatement {
 public:
  CachedStatement(SQLite::Database& conn, const std::string& sql);
  ~CachedStatement();
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;

  SQLite::Statement& operator*() { return *statement_; }
  SQLite::Statement* operator->() { return statement_; }

 private:
  SQLite::Statement* statement_ = nullptr;
  std::unique_ptr<SQLite::Statement> owned_;
  bool* in_use_ = nullptr;
};

// Maps a SQLiteCpp exception to a status (used by Write/Read and by the stores).
absl::Status StatusFromSqliteError(const std::exception& error);

}  // namespace touchline::storage
