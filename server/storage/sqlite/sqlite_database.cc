#include "server/storage/sqlite/sqlite_database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <string_view>
#include <thread>
#include <utility>

#include "SQLiteCpp/Exception.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/string_view.h"
#include "server/storage/migrations.h"
#include "server/storage/record_changes.h"

namespace touchline::storage {
namespace {

absl::Status WithContext(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

// Rolls back the open transaction, if any (SQLite may already have rolled it back itself, e.g.
// after SQLITE_FULL, in which case there is nothing to do).
void RollbackQuietly(SQLite::Database& db) {
  if (sqlite3_get_autocommit(db.getHandle()) == 0) db.tryExec("ROLLBACK");
}

// Pragmas every connection gets. foreign_keys must be set outside a transaction, per connection.
void ConfigureConnection(SQLite::Database& db, const DatabaseOptions& options) {
  db.exec(options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  if (db.execAndGet("PRAGMA foreign_keys").getInt() != 1) {
    throw SQLite::Exception("this SQLite build does not enforce foreign keys");
  }
}

// Looks at the file before anything writes to it: refuses what is not SQLite, what belongs to
// another application or is the other kind of Touchline file, and what is newer than this build.
absl::Status CheckIsTouchline(SQLite::Database& db, const std::string& path, StoreKind kind) {
  int application_id = 0;
  int user_version = 0;
  int schema_objects = 0;
  try {
    application_id = db.execAndGet("PRAGMA application_id").getInt();
    user_version = db.execAndGet("PRAGMA user_version").getInt();
    schema_objects = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt();
  } catch (const SQLite::Exception& e) {
    const int code = e.getErrorCode() & 0xff;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to open ", path, ": it is not a SQLite database (", e.what(), ")"));
    }
    return WithContext(StatusFromSqliteError(e), absl::StrCat("cannot read ", path));
  }
  const int latest = LatestMigrationVersion(kind);
  const int32_t wanted_id = ApplicationId(kind);
  for (StoreKind other : {StoreKind::kClinicalRecord, StoreKind::kAuditLog}) {
    if (other != kind && application_id == ApplicationId(other)) {
      return absl::FailedPreconditionError(absl::StrCat("refusing to open ", path, ": it is a ",
                                                        StoreName(other), ", not a ",
                                                        StoreName(kind)));
    }
  }
  if (application_id != 0 && application_id != wanted_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to open ", path,
        ": it is a SQLite database of another application (application_id 0x",
        absl::Hex(static_cast<uint32_t>(application_id), absl::kZeroPad8), ", Touchline's is 0x",
        absl::Hex(static_cast<uint32_t>(wanted_id), absl::kZeroPad8), ")"));
  }
  if (user_version > latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to open ", path, ": its schema version is ", user_version,
        " but this build supports up to version ", latest, "; upgrade Touchline"));
  }
  if (application_id == 0 && (user_version != 0 || schema_objects != 0)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to open ", path,
        ": it is a SQLite database but not a ", StoreName(kind), " (it has ", schema_objects,
        " schema objects, user_version ", user_version, " and no Touchline application_id)"));
  }
  return absl::OkStatus();
}

// SQLite reports only ENOSPC as SQLITE_FULL; a write refused for a quota (EDQUOT) or a file size
// limit (EFBIG), or by a file system that went read-only (EROFS, e.g. remounted after an error),
// comes back as SQLITE_IOERR, the cause only in errno. sqlite3_system_errno() has it when SQLite
// recorded it, but not for a failure inside COMMIT (SQLite 3.40 records it only with an error
// message), so `saved_errno`, errno as the failing call left it, is the fallback. The stores turn
// the SQLite exception into a status inside the transaction, so the cause is added here: the caller
// then hears "full" or "read-only" instead of "I/O error".
absl::Status WithSystemErrno(absl::Status status, sqlite3* db, int saved_errno) {
  if (status.code() != absl::StatusCode::kUnavailable ||
      !absl::StrContains(status.message(), kIoErrorPrefix)) {
    return status;
  }
  int system_errno = sqlite3_system_errno(db);
  if (system_errno == 0) system_errno = saved_errno;
  switch (system_errno) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return absl::ResourceExhaustedError(absl::StrCat(
          "database or disk is full (", std::strerror(system_errno), "): ", status.message()));
    case EROFS:
      return absl::UnavailableError(absl::StrCat(
          "database is read-only (", std::strerror(system_errno), "): ", status.message()));
    default:
      return status;
  }
}

}  // namespace

struct SqliteDatabase::ReaderPool {
  std::mutex mutex;
  std::condition_variable released;
  std::vector<std::unique_ptr<SqliteConnection>> connections;
  std::vector<SqliteConnection*> idle;

  SqliteConnection* Acquire() {
    std::unique_lock lock(mutex);
    released.wait(lock, [this] { return !idle.empty(); });
    SqliteConnection* db = idle.back();
    idle.pop_back();
    return db;
  }
  void Release(SqliteConnection* db) {
    {
      std::lock_guard lock(mutex);
      idle.push_back(db);
    }
    released.notify_one();
  }
};

namespace {
// A transaction statement, prepared once per connection: sqlite3_exec parses its text on every
// call, which was a tenth of a readiness call's instructions (issue 24). Throws as exec does.
void RunCached(SqliteConnection& conn, const std::string& sql) {
  SqliteTransaction(*conn.database, conn.statements.get()).PrepareCached(sql).Execute();
}
}  // namespace

// Checkpoints the WAL on a connection and thread of its own whenever the writer asks (AfterCommit).
struct SqliteDatabase::Checkpointer {
  explicit Checkpointer(const DatabaseOptions& database_options)
      : options(database_options), thread([this] { Run(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_one();
    thread.join();
  }

  void Request() {
    {
      std::lock_guard lock(mutex);
      if (requested) return;
      requested = true;
    }
    wake.notify_one();
  }

 private:
  // Commits that ask while a checkpoint runs are served by one more run; runs are at least this
  // far apart, so a busy writer wakes this thread at most a hundred times a second.
  static constexpr std::chrono::milliseconds kMinInterval{10};

  void Run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return requested || stopping; });
      if (stopping) return;
      requested = false;
      lock.unlock();
      CheckpointOnce();
      lock.lock();
      wake.wait_for(lock, kMinInterval, [this] { return stopping; });
    }
  }

  void CheckpointOnce() {
    // (Re)opened when missing or read-only: the file system may have become writable since.
    if (connection == nullptr || sqlite3_db_readonly(connection->getHandle(), "main") != 0) {
      try {
        connection = std::make_unique<SQLite::Database>(
            options.path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX, options.busy_timeout_ms);
        ConfigureConnection(*connection, options);
      } catch (const std::exception&) {
        connection.reset();
        return;  // the next request tries again; the writer's own limit bounds the WAL meanwhile
      }
    }
    // PASSIVE copies what no reader still needs and waits for nobody. A failure (disk full, I/O)
    // is left for the next request, or for the writer once the WAL reaches its own limit.
    sqlite3_wal_checkpoint_v2(connection->getHandle(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
  }

  const DatabaseOptions options;
  std::unique_ptr<SQLite::Database> connection;  // only this thread touches it
  std::mutex mutex;
  std::condition_variable wake;
  bool requested = false;
  bool stopping = false;
  std::thread thread;  // last: starts once everything above exists
};

// What each recent write changed, by player: rows are noted by SQLite's update hook while the
// write runs (writer_mutex_ held), resolved to their players before COMMIT (inside the same
// transaction, with statements prepared once), and published with the generation step.
struct SqliteDatabase::ChangeLog {
  // A write that touches more rows than this (an import) counts as changing every player: it is
  // cheaper to recompute than to find them all.
  static constexpr size_t kMaxRowsResolved = 64;
  // Writes remembered; an answer older than these is recomputed whole.
  static constexpr size_t kWritesKept = 1024;

  struct Write {
    uint64_t generation = 0;
    bool every_player = false;
    std::vector<int64_t> players;
  };

  // ---- the write in progress (writer_mutex_) ----
  struct PendingRow {
    const char* player_of_row_sql;
    int64_t rowid;
  };
  std::vector<PendingRow> pending;
  bool pending_every_player = false;

  void Begin() {
    pending.clear();
    pending_every_player = false;
  }

  static void OnRowChange(void* log, int, const char*, const char* table, sqlite3_int64 rowid) {
    auto* self = static_cast<ChangeLog*>(log);
    if (self->pending_every_player) return;
    const std::optional<TableOwnership> rule = OwnershipOfTable(table);
    if (!rule || rule->owner == RowOwner::kEveryPlayer) {
      self->pending_every_player = true;
    } else if (rule->owner == RowOwner::kPlayer) {
      if (self->pending.size() >= kMaxRowsResolved) {
        self->pending_every_player = true;
      } else {
        self->pending.push_back({rule->player_of_row_sql, rowid});
      }
    }
  }

  // Inside the write's transaction, before COMMIT.
  Write Resolve(Transaction& conn) {
    Write w;
    w.every_player = pending_every_player;
    if (w.every_player) return w;
    for (const PendingRow& row : pending) {
      Statement q = conn.PrepareCached(row.player_of_row_sql);
      q.Bind(1, row.rowid);
      if (!q.Step()) {  // deleted in the same write: whose it was is gone
        w.every_player = true;
        return w;
      }
      w.players.push_back(q.ColumnInt(0));
    }
    std::sort(w.players.begin(), w.players.end());
    w.players.erase(std::unique(w.players.begin(), w.players.end()), w.players.end());
    return w;
  }

  // ---- published writes ----
  mutable absl::Mutex mutex;
  std::deque<Write> writes ABSL_GUARDED_BY(mutex);

  void Publish(Write w) {
    absl::MutexLock lock(&mutex);
    writes.push_back(std::move(w));
    if (writes.size() > kWritesKept) writes.pop_front();
  }

  std::optional<std::vector<int64_t>> Since(uint64_t since) const {
    absl::MutexLock lock(&mutex);
    // The oldest write kept must be the first after `since`, or some are missing.
    auto it = std::lower_bound(writes.begin(), writes.end(), since + 1,
                               [](const Write& w, uint64_t g) { return w.generation < g; });
    if (it == writes.end()) return std::vector<int64_t>{};
    if (it->generation != since + 1) return std::nullopt;
    std::vector<int64_t> players;
    for (; it != writes.end(); ++it) {
      if (it->every_player) return std::nullopt;
      players.insert(players.end(), it->players.begin(), it->players.end());
    }
    std::sort(players.begin(), players.end());
    players.erase(std::unique(players.begin(), players.end()), players.end());
    return players;
  }
};

void SqliteDatabase::InstallChangeHook() {
  if (changes_ != nullptr) {
    sqlite3_update_hook(writer_->database->getHandle(), &ChangeLog::OnRowChange, changes_.get());
  }
}

std::optional<std::vector<int64_t>> SqliteDatabase::PlayersChangedSince(uint64_t since) const {
  if (changes_ == nullptr) return std::nullopt;
  return changes_->Since(since);
}

int SqliteDatabase::AfterCommit(void* database, sqlite3* writer, const char* schema, int wal_pages) {
  // Runs on the writer, under writer_mutex_, after every commit.
  auto* self = static_cast<SqliteDatabase*>(database);
  const DatabaseOptions& o = self->options_;
  if (wal_pages < self->wal_pages_at_last_request_) self->wal_pages_at_last_request_ = 0;  // reset
  if (o.writer_checkpoint_pages > 0 && wal_pages >= o.writer_checkpoint_pages) {
    sqlite3_wal_checkpoint_v2(writer, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (wal_pages - self->wal_pages_at_last_request_ >= o.background_checkpoint_pages &&
             self->checkpointer_ != nullptr) {
    // Once per background_checkpoint_pages of WAL written, as SQLite's own checkpoint: under a
    // stream of small commits a checkpoint running beside the writer rarely catches up with it,
    // the WAL does not restart, and asking after every commit kept checkpointing (and fsyncing)
    // a hundred times a second.
    self->wal_pages_at_last_request_ = wal_pages;
    self->checkpointer_->Request();
  }
  return SQLITE_OK;
}

void SqliteDatabase::InstallCheckpointHook() {
  // Replaces SQLite's own automatic checkpoint on this connection (also a WAL hook).
  if (checkpointer_ != nullptr) sqlite3_wal_hook(writer_->database->getHandle(), &SqliteDatabase::AfterCommit, this);
}

SqliteDatabase::SqliteDatabase(DatabaseOptions options) : options_(std::move(options)) {}

SqliteDatabase::~SqliteDatabase() {
  // The hook points at changes_, which goes before the connection does.
  if (writer_ != nullptr && writer_->database != nullptr) {
    sqlite3_update_hook(writer_->database->getHandle(), nullptr, nullptr);
  }
}

absl::StatusOr<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const DatabaseOptions& options) {
  // SQLite counts every allocation it makes under one process-wide mutex (memory statistics);
  // a bulk import allocates per row, and perf showed that lock and unlock at 7 % of the server's
  // import CPU. Touchline never reads those statistics, so they are off unless
  // TOUCHLINE_SQLITE_MEMSTATUS=1 asks for them (sqlite3_memory_used() in a memory investigation,
  // tests/reliability/README.md). This only works before SQLite initialises; a process that used
  // SQLite earlier keeps them (SQLITE_MISUSE, ignored).
  static const int memstatus = [] {
    const char* wanted = std::getenv("TOUCHLINE_SQLITE_MEMSTATUS");
    const bool on = wanted != nullptr && std::string_view(wanted) == "1";
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on ? 1 : 0);
  }();
  (void)memstatus;
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(options));
  const std::string& path = db->options_.path;
  const StoreKind kind = options.kind;
  if (!options.create_if_missing) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
      return absl::FailedPreconditionError(
          absl::StrCat("refusing to start: the ", StoreName(kind), " ", path, " is missing"));
    }
  }
  if (options.create_if_missing && path != ":memory:" && !path.empty()) {
    // Medical records are the owner's only, whatever the umask: the file is created 0600 before
    // SQLite opens it (SQLite would create it 0644 less the umask), and SQLite gives its -wal and
    // -shm files the database file's mode. An existing file keeps the mode its operator chose.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      ::fchmod(fd, 0600);  // exactly 0600: an odd umask may have taken bits from it too
      ::close(fd);
    }
  }
  try {
    db->writer_ = std::make_unique<SqliteConnection>();
    db->writer_->database = std::make_unique<SQLite::Database>(
        path,
        SQLite::OPEN_READWRITE | (options.create_if_missing ? SQLite::OPEN_CREATE : 0) |
            SQLite::OPEN_NOMUTEX,
        options.busy_timeout_ms);
  } catch (const std::exception& e) {
    return WithContext(StatusFromSqliteError(e), absl::StrCat("cannot open database ", path));
  }
  SQLite::Database& writer = *db->writer_->database;

  if (absl::Status status = CheckIsTouchline(writer, path, kind); !status.ok()) return status;

  try {
    const std::string mode = writer.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot use ", path, " in WAL journal mode (SQLite kept journal_mode ", mode, ")"));
    }
    ConfigureConnection(writer, db->options_);
    writer.exec(absl::StrCat("PRAGMA cache_size = -", std::max(1, options.writer_cache_kib)));
  } catch (const std::exception& e) {
    return WithContext(StatusFromSqliteError(e), absl::StrCat("cannot configure database ", path));
  }

  if (absl::Status status = MigrateTo(writer, LatestMigrationVersion(kind), kind); !status.ok()) {
    return status;
  }
  try {
    db->schema_version_ = writer.execAndGet("PRAGMA user_version").getInt();
  } catch (const std::exception& e) {
    return WithContext(StatusFromSqliteError(e), absl::StrCat("cannot read ", path));
  }

  db->readers_ = std::make_unique<ReaderPool>();
  const int readers = options.reader_connections > 0 ? options.reader_connections : 1;
  try {
    for (int i = 0; i < readers; ++i) {
      auto reader = std::make_unique<SqliteConnection>();
      reader->database = std::make_unique<SQLite::Database>(
          path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, options.busy_timeout_ms);
      ConfigureConnection(*reader->database, db->options_);
      reader->database->exec(absl::StrCat("PRAGMA cache_size = -", std::max(1, options.reader_cache_kib)));
      db->readers_->idle.push_back(reader.get());
      db->readers_->connections.push_back(std::move(reader));
    }
  } catch (const std::exception& e) {
    return WithContext(StatusFromSqliteError(e),
                       absl::StrCat("cannot open a reader connection to ", path));
  }
  if (options.kind == StoreKind::kClinicalRecord) {
    db->changes_ = std::make_unique<ChangeLog>();
    db->InstallChangeHook();
  }
  if (options.background_checkpoint_pages > 0) {
    db->checkpointer_ = std::make_unique<Checkpointer>(db->options_);
    db->InstallCheckpointHook();
  }
  return db;
}

// SQLite opens a file it may not write (mode, read-only mount) read-only without an error, and
// such a connection stays read-only after the file becomes writable. So while the writer is
// read-only, every write first tries a fresh connection and keeps it once it can write: the server
// recovers by itself when the fault clears, and until then writes fail "database is read-only".
void SqliteDatabase::ReopenWriterIfReadOnly() {
  if (sqlite3_db_readonly(writer_->database->getHandle(), "main") != 1) return;
  try {
    auto writer = std::make_unique<SQLite::Database>(
        options_.path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX, options_.busy_timeout_ms);
    if (sqlite3_db_readonly(writer->getHandle(), "main") != 0) return;
    ConfigureConnection(*writer, options_);
    writer->exec(absl::StrCat("PRAGMA cache_size = -", std::max(1, options_.writer_cache_kib)));
    // The old connection's prepared statements go before it does; the new one starts a cache.
    writer_ = std::make_unique<SqliteConnection>();
    writer_->database = std::move(writer);
    InstallCheckpointHook();
    InstallChangeHook();
  } catch (const std::exception&) {
    // Still not writable: the write below fails with the read-only connection's error.
  }
}

absl::Status SqliteDatabase::Write(absl::FunctionRef<absl::Status(Transaction&)> work) {
  std::lock_guard lock(writer_mutex_);
  // Stepped after COMMIT or ROLLBACK, with what the write changed published first: whoever
  // observes the new value and then begins a read sees this transaction's rows; a reader that
  // observed the old value is never trusted afterwards for the players it changed.
  struct Step {
    std::atomic<uint64_t>& generation;
    ChangeLog* changes;
    ChangeLog::Write changed;  // nothing, unless the write committed
    ~Step() {
      if (changes != nullptr) {
        changed.generation = generation.load(std::memory_order_relaxed) + 1;
        changes->Publish(std::move(changed));
      }
      generation.fetch_add(1, std::memory_order_acq_rel);
    }
  } step{records_generation_, changes_.get(), {}};
  ReopenWriterIfReadOnly();
  SQLite::Database& db = *writer_->database;
  SqliteTransaction transaction(db, writer_->statements.get());
  if (changes_ != nullptr) changes_->Begin();
  errno = 0;
  try {
    RunCached(*writer_, "BEGIN IMMEDIATE");
  } catch (const std::exception& e) {
    const int saved_errno = errno;
    absl::Status status = WithContext(
        WithSystemErrno(StatusFromSqliteError(e), db.getHandle(), saved_errno),
        "cannot begin a write transaction");
    write_health_.Note(status);
    return status;
  }
  absl::Status status;
  int saved_errno = 0;
  bool from_sqlite = false;  // the error came from SQLite, not from `work`'s own checks
  try {
    status = work(transaction);
    if (status.ok()) {
      ChangeLog::Write changed;
      if (changes_ != nullptr) changed = changes_->Resolve(transaction);
      // Whether a COMMIT that fails left the rows or not is not always knowable: say everything.
      step.changed.every_player = true;
      RunCached(*writer_, "COMMIT");
      step.changed = std::move(changed);
      write_health_.Note(status);
      return status;
    }
    saved_errno = errno;
  } catch (const std::exception& e) {
    saved_errno = errno;
    status = StatusFromSqliteError(e);
    from_sqlite = true;
  } catch (...) {
    RollbackQuietly(db);
    throw;
  }
  status = WithSystemErrno(std::move(status), db.getHandle(), saved_errno);
  if (from_sqlite) write_health_.Note(status);
  RollbackQuietly(db);
  return status;
}

absl::Status SqliteDatabase::ProbeWrite() {
  return Write([](Transaction& tx) {
    SQLite::Database& conn = SqliteConnectionOf(tx);
    const int version = conn.execAndGet("PRAGMA user_version").getInt();
    conn.exec("PRAGMA user_version = " + std::to_string(version));
    return absl::OkStatus();
  });
}

absl::Status SqliteDatabase::ProbeRead() {
  return Read([](Transaction& tx) {
    SqliteConnectionOf(tx).execAndGet("SELECT count(*) FROM sqlite_schema");
    return absl::OkStatus();
  });
}

absl::Status SqliteDatabase::Read(absl::FunctionRef<absl::Status(Transaction&)> work) {
  SqliteConnection* db = readers_->Acquire();
  struct Lease {
    ReaderPool* pool;
    SqliteConnection* db;
    ~Lease() {
      RollbackQuietly(*db->database);
      pool->Release(db);
    }
  } lease{readers_.get(), db};
  try {
    RunCached(*db, "BEGIN");
  } catch (const std::exception& e) {
    return WithContext(StatusFromSqliteError(e), "cannot begin a read transaction");
  }
  try {
    SqliteTransaction transaction(*db->database, db->statements.get());
    absl::Status status = work(transaction);
    if (status.ok()) RunCached(*db, "COMMIT");
    return status;  // on error, the lease rolls back
  } catch (const std::exception& e) {
    return StatusFromSqliteError(e);
  }
}

}  // namespace touchline::storage
