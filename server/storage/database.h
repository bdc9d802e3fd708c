// The embedded SQLite store: connections, pragmas, versioned migrations and transactions.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace touchline::storage {

struct DatabaseOptions {
  std::string path = "touchline.db";
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
};

class Database {
 public:
  // The schema version this build creates and understands (PRAGMA user_version).
  static int LatestSchemaVersion();

  // Opens (creating if missing) and migrates to LatestSchemaVersion(). Refuses with
  // FAILED_PRECONDITION a database whose version is newer than this build knows, and one that is
  // not a Touchline/SQLite database, naming the path and the reason.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const DatabaseOptions& options);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int SchemaVersion() const { return schema_version_; }
  const std::string& path() const { return options_.path; }

  // Runs `work` inside one BEGIN IMMEDIATE transaction on the single writer connection (writers are
  // serialised). Commits when `work` returns OK; rolls back on an error status or an exception, so a
  // failed write never leaves half a record. SQLite errors become UNAVAILABLE / RESOURCE_EXHAUSTED
  // (disk full) / INTERNAL statuses.
  absl::Status Write(absl::FunctionRef<absl::Status(SQLite::Database&)> work);

  // Runs `work` inside one read transaction on a pooled reader connection (a consistent snapshot).
  absl::Status Read(absl::FunctionRef<absl::Status(SQLite::Database&)> work);

 private:
  explicit Database(DatabaseOptions options);
  void ReopenWriterIfReadOnly();  // with writer_mutex_ held
  struct ReaderPool;

  DatabaseOptions options_;
  int schema_version_ = 0;
  std::mutex writer_mutex_;
  std::unique_ptr<SQLite::Database> writer_;
  std::unique_ptr<ReaderPool> readers_;
};

// Maps a SQLiteCpp exception to a status (used by Write/Read and by the stores).
absl::Status StatusFromSqliteError(const std::exception& error);

}  // namespace touchline::storage
