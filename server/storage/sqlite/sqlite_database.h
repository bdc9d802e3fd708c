// The SQLite backend of Database: one writer connection (BEGIN IMMEDIATE transactions, writers
// serialised), a pool of reader connections (WAL: they read while the writer writes), the file
// header checks, pragmas and migrations on open, WAL checkpoints off the writer's path, the
// records generation and the players each write changed (SQLite's update hook), write health.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/storage/database.h"
#include "server/storage/write_health.h"
#include "server/storage/sqlite/sqlite_transaction.h"

struct sqlite3;

namespace touchline::storage {

class SqliteDatabase final : public DatabaseBackend {
 public:
  // Opens (creating if missing, unless told not to) and migrates to the latest version of its
  // kind; the refusals of Database::Open.
  static absl::StatusOr<std::unique_ptr<SqliteDatabase>> Open(const DatabaseOptions& options);

  ~SqliteDatabase() override;

  int SchemaVersion() const override { return schema_version_; }
  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> work) override;
  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> work) override;
  uint64_t RecordsGeneration() const override {
    return records_generation_.load(std::memory_order_acquire);
  }
  std::optional<std::vector<int64_t>> PlayersChangedSince(uint64_t since) const override;
  absl::Status WriteHealth() const override { return write_health_.Get(); }
  absl::Status ProbeWrite() override;
  absl::Status ProbeRead() override;

 private:
  explicit SqliteDatabase(DatabaseOptions options);
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
  WriteHealthRecord write_health_;
  std::unique_ptr<SqliteConnection> writer_;
  std::unique_ptr<ReaderPool> readers_;
  // Declared last: its thread stops before anything else goes away.
  std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace touchline::storage
