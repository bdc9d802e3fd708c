// The PostgreSQL backend of Database (issue 21): one club per schema of an existing PostgreSQL
// database, on libpq. One writer connection (writers of this process serialised by a mutex, and
// writers of every process on the club — replicas, the club-moving tool — by a transaction-level
// advisory lock of the club, so ids become visible in id order), a pool of reader connections
// (REPEATABLE READ, READ ONLY: a consistent snapshot), versioned migrations under a session-level
// advisory lock on start, a newer schema refused. A lost connection is made again at the next
// transaction; the write in flight fails UNAVAILABLE and the caller retries (idempotency keys).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/storage/database.h"
#include "server/storage/write_health.h"
#include "server/storage/postgres/postgres_transaction.h"

namespace touchline::storage {

// The schema that holds `kind` for the club schema `club_schema` (the audit log: "<club>_audit").
std::string PostgresSchemaOf(const std::string& club_schema, StoreKind kind);
// OK when `schema` is a club schema name Touchline accepts (a-z, 0-9, _, starting with a letter or
// _, at most 48 characters, so the audit log's name fits PostgreSQL's 63).
absl::Status CheckPostgresSchemaName(const std::string& schema);
// INVALID_ARGUMENT when a connection string or URI carries a password (it would show in `ps` and in
// shell history); names the ways to give one instead.
absl::Status CheckNoPasswordInConnectionString(const std::string& conninfo);

class PostgresDatabase final : public DatabaseBackend {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresDatabase>> Open(const DatabaseOptions& options);
  ~PostgresDatabase() override;

  int SchemaVersion() const override { return schema_version_; }
  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> work) override;
  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> work) override;
  // Steps with this process's writes, and (clinical records) with every other process's on the
  // same club: each write transaction NOTIFYs the club's channel as it commits, and a listener
  // connection steps the generation when another process's notice arrives (or when it had to
  // listen anew: what happened meanwhile is not known). So caches of derived answers (the
  // readiness board) are invalidated across replicas.
  uint64_t RecordsGeneration() const override {
    return records_generation_.load(std::memory_order_acquire);
  }
  // Not known per player on PostgreSQL yet (no update hook): every write counts as changing every
  // player's record, which costs recomputation, never a stale answer.
  std::optional<std::vector<int64_t>> PlayersChangedSince(uint64_t) const override {
    return std::nullopt;
  }
  absl::Status WriteHealth() const override { return write_health_.Get(); }
  absl::Status ProbeWrite() override;
  absl::Status ProbeRead() override;
  bool HoldLease(const std::string& name) override;
  uint64_t OtherProcessesWrites() const override {
    return other_processes_writes_.load(std::memory_order_acquire);
  }
  uint64_t WaitOtherProcessesWrites(uint64_t seen, absl::Duration timeout) const override;
  // One round trip reading the club's count of committed writes (touchline_schema.writes, which
  // every write transaction steps under the writers' lock): beyond what this process knows, the
  // generation steps, whether or not the other process's notice has arrived yet.
  absl::Status CatchUpWithOtherProcesses() override;

  const std::string& schema() const { return schema_; }

 private:
  explicit PostgresDatabase(DatabaseOptions options);
  // A new connection with the session settings (search_path, synchronous_commit, lock_timeout).
  absl::StatusOr<std::unique_ptr<PostgresConnection>> Connect() const;
  // `connection` itself if it is still connected, else a new one in its place.
  absl::Status EnsureConnected(std::unique_ptr<PostgresConnection>& connection) const;
  // Begins a transaction with `begin_sql` on `connection`, connecting again first if needed.
  // `answer`, when given: the first value of the last statement's answer.
  absl::Status Begin(std::unique_ptr<PostgresConnection>& connection,
                     const std::string& begin_sql, std::string* answer = nullptr) const;
  // The store's write count as of a commit of this process (read = false) or as read (true,
  // which steps the generation when it is beyond every count known before).
  void NoteWritesCounted(int64_t count, bool read);
  absl::Status ReadWriteCount();  // one round trip on a reader connection (NoteWritesCounted)
  absl::Status Migrate(PostgresConnection& connection);
  void StepOtherProcessesWrites();  // the listener heard another process (wakes the waits)
  struct ReaderPool;
  struct Listener;

  DatabaseOptions options_;
  std::string schema_;
  std::string password_;  // from postgres_password_file
  int64_t lock_key_ = 0;  // the club's advisory lock
  std::string begin_write_sql_;
  std::string commit_sql_;  // NOTIFY of the club's channel, then COMMIT: one round trip
  std::string count_writes_sql_;  // the club's write count (clinical records only)
  std::atomic<int64_t> writes_known_{0};  // the highest write count committed or read here
  std::mutex catch_up_mutex_;  // guards the catch_up_ fields: the reads of the count, in rounds
  std::condition_variable catch_up_done_;
  bool catch_up_reading_ = false;
  uint64_t catch_up_started_ = 0;
  uint64_t catch_up_finished_ = 0;
  absl::Status catch_up_status_;  // of the last round finished
  std::string channel_;
  std::atomic<int> writer_backend_pid_{0};  // the writer's own notices are not another's writes
  int schema_version_ = 0;

  std::mutex writer_mutex_;
  std::unique_ptr<PostgresConnection> writer_;  // under writer_mutex_
  std::atomic<uint64_t> records_generation_{0};
  std::atomic<uint64_t> other_processes_writes_{0};  // stepped by the listener
  mutable std::mutex others_mutex_;                   // with others_heard_: for the waits
  mutable std::condition_variable others_heard_;
  WriteHealthRecord write_health_;
  std::unique_ptr<ReaderPool> readers_;
  std::mutex leases_mutex_;
  struct Lease {
    std::unique_ptr<PostgresConnection> connection;  // kept to ask again
    bool held = false;
  };
  std::map<std::string, Lease> leases_;  // by name; under leases_mutex_
  // Declared last: its thread stops before anything else goes away.
  std::unique_ptr<Listener> listener_;
};

}  // namespace touchline::storage
