#include "server/storage/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <condition_variable>
#include <span>
#include <exception>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/storage/migrations.h"
#include "server/storage/postgres/postgres_migrations.h"

namespace touchline::storage {
namespace {

absl::Status WithContext(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

// The kind a schema holds, as touchline_schema names it.
const char* KindName(StoreKind kind) {
  return kind == StoreKind::kAuditLog ? "audit_log" : "clinical_record";
}

// The club's advisory lock key: a stable 64-bit hash (FNV-1a) of the schema's name, the same in
// every process and build.
int64_t AdvisoryLockKey(const std::string& schema) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : absl::StrCat("touchline:", schema)) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash);
}

// A schema name is checked (CheckPostgresSchemaName) before it reaches SQL; quoted all the same.
std::string Quoted(const std::string& identifier) { return absl::StrCat("\"", identifier, "\""); }

}  // namespace

std::string PostgresSchemaOf(const std::string& club_schema, StoreKind kind) {
  return kind == StoreKind::kAuditLog ? absl::StrCat(club_schema, "_audit") : club_schema;
}

absl::Status CheckPostgresSchemaName(const std::string& schema) {
  bool ok = !schema.empty() && schema.size() <= 48 &&
            (absl::ascii_islower(static_cast<unsigned char>(schema[0])) || schema[0] == '_');
  for (unsigned char c : schema) {
    ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_');
  }
  if (ok && schema.rfind("pg_", 0) != 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "the PostgreSQL schema name \"", schema,
      "\" is not allowed: use lower-case letters, digits and _ (starting with a letter or _, not "
      "pg_), at most 48 characters"));
}

absl::Status CheckNoPasswordInConnectionString(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    absl::StripTrailingAsciiWhitespace(&message);
    return absl::InvalidArgumentError(
        absl::StrCat("the PostgreSQL connection string cannot be read: ", message));
  }
  bool has_password = false;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr && o->val[0] != '\0') {
      has_password = true;
    }
  }
  PQconninfoFree(options);
  if (!has_password) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "the PostgreSQL connection string holds a password, which would show in the process list "
      "and shell history: give it in a file (--store_password_file), in PGPASSWORD, or in a "
      "passfile (~/.pgpass, PGPASSFILE)");
}

struct PostgresDatabase::ReaderPool {
  std::mutex mutex;
  std::condition_variable released;
  std::vector<std::unique_ptr<PostgresConnection>> connections;  // a slot may be replaced
  std::vector<int> idle;

  int Acquire() {
    std::unique_lock lock(mutex);
    released.wait(lock, [this] { return !idle.empty(); });
    const int slot = idle.back();
    idle.pop_back();
    return slot;
  }
  void Release(int slot) {
    {
      std::lock_guard lock(mutex);
      idle.push_back(slot);
    }
    released.notify_one();
  }
};

// Waits for the club's notices on a connection of its own (see RecordsGeneration).
struct PostgresDatabase::Listener {
  explicit Listener(PostgresDatabase& database) : db(database), thread([this] { Run(); }) {}
  ~Listener() {
    stopping = true;
    thread.join();
  }

  void Run() {
    std::unique_ptr<PostgresConnection> c;
    while (!stopping.load()) {
      if (c == nullptr || !c->ok()) {
        c.reset();
        absl::StatusOr<std::unique_ptr<PostgresConnection>> made = db.Connect();
        if (!made.ok()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          continue;
        }
        try {
          (*made)->ExecuteNative(absl::StrCat("LISTEN ", Quoted(db.channel_)));
        } catch (const std::exception&) {
          continue;
        }
        c = *std::move(made);
        db.records_generation_.fetch_add(1, std::memory_order_acq_rel);  // deaf until now
        db.StepOtherProcessesWrites();
      }
      pollfd socket{PQsocket(c->get()), POLLIN, 0};
      ::poll(&socket, 1, /*ms=*/200);  // and then look at `stopping` again
      if (PQconsumeInput(c->get()) == 0) {
        c.reset();
        continue;
      }
      bool another = false;
      while (PGnotify* notice = PQnotifies(c->get())) {
        if (notice->be_pid != db.writer_backend_pid_.load()) another = true;
        PQfreemem(notice);
      }
      if (another) {
        db.StepOtherProcessesWrites();
        db.records_generation_.fetch_add(1, std::memory_order_acq_rel);
      }
    }
  }

  PostgresDatabase& db;
  std::atomic<bool> stopping{false};
  std::thread thread;  // last: starts once everything above exists
};

PostgresDatabase::PostgresDatabase(DatabaseOptions options) : options_(std::move(options)) {}

PostgresDatabase::~PostgresDatabase() = default;

void PostgresDatabase::StepOtherProcessesWrites() {
  {
    std::lock_guard lock(others_mutex_);
    other_processes_writes_.fetch_add(1, std::memory_order_acq_rel);
  }
  others_heard_.notify_all();
}

uint64_t PostgresDatabase::WaitOtherProcessesWrites(uint64_t seen, absl::Duration timeout) const {
  std::unique_lock lock(others_mutex_);
  others_heard_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] {
    return other_processes_writes_.load(std::memory_order_acquire) != seen;
  });
  return other_processes_writes_.load(std::memory_order_acquire);
}

absl::StatusOr<std::unique_ptr<PostgresConnection>> PostgresDatabase::Connect() const {
  // Ours first, so the connection string's own settings win (libpq: later ones override).
  const std::string timeout = "10";
  std::vector<const char*> keywords = {"application_name", "connect_timeout", "dbname"};
  std::vector<const char*> values = {"touchline-server", timeout.c_str(),
                                     options_.postgres.c_str()};
  if (!password_.empty()) {
    keywords.push_back("password");
    values.push_back(password_.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  auto connection = std::make_unique<PostgresConnection>(raw);
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
    std::string message = raw != nullptr ? PQerrorMessage(raw) : "out of memory";
    absl::StripTrailingAsciiWhitespace(&message);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", message));
  }
  // Notices (e.g. "schema already exists, skipping") are not the server's log lines.
  PQsetNoticeProcessor(raw, [](void*, const char*) {}, nullptr);
  try {
    // synchronous_commit on whatever the server's default: an acknowledged write is on disk (and
    // on a synchronous standby, if the server has one). lock_timeout: a lock held too long is
    // "busy", as SQLite's busy timeout, instead of a wait without end.
    connection->ExecuteNative(absl::StrCat(
        "SET search_path TO ", Quoted(schema_), "; SET synchronous_commit TO on; ",
        "SET lock_timeout TO ", std::max(1, options_.busy_timeout_ms), "; SET TIME ZONE 'UTC'"));
  } catch (const std::exception& e) {
    return WithContext(StatusFromStorageException(e), "cannot configure a PostgreSQL connection");
  }
  return connection;
}

absl::Status PostgresDatabase::EnsureConnected(
    std::unique_ptr<PostgresConnection>& connection) const {
  if (connection != nullptr && connection->ok()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<PostgresConnection>> fresh = Connect();
  if (!fresh.ok()) return fresh.status();
  connection = *std::move(fresh);
  return absl::OkStatus();
}

absl::Status PostgresDatabase::Begin(std::unique_ptr<PostgresConnection>& connection,
                                     const std::string& begin_sql, std::string* answer) const {
  // libpq learns that a connection was cut (a database restart, a network blip) only when it
  // next uses it: a BEGIN that finds it gone has done nothing, so it is made again and the BEGIN
  // sent once more. A cut after BEGIN fails the transaction (UNAVAILABLE): it may have done
  // something, and only its caller can retry it (idempotency keys, request ids).
  for (int attempt = 0;; ++attempt) {
    if (absl::Status connected = EnsureConnected(connection); !connected.ok()) return connected;
    try {
      connection->last_insert_id.reset();
      if (answer == nullptr) {
        connection->ExecuteNative(begin_sql + connection->TakeDeallocations());
      } else {
        // The deallocations first: the answer is the last statement's.
        std::string deallocations = connection->TakeDeallocations();
        if (!deallocations.empty()) deallocations = deallocations.substr(2) + "; ";
        *answer = connection->QueryText(deallocations + begin_sql);
      }
      return absl::OkStatus();
    } catch (const StoreError& e) {
      connection->TryExecuteNative("ROLLBACK");
      if (e.kind() != StoreErrorKind::kConnectionLost || attempt > 0) {
        return StatusFromStoreError(e);
      }
      connection.reset();
    } catch (const std::exception& e) {
      return StatusFromStorageException(e);
    }
  }
}

absl::Status PostgresDatabase::Migrate(PostgresConnection& c) {
  const StoreKind kind = options_.kind;
  const std::string where = absl::StrCat("PostgreSQL schema ", schema_);
  const std::span<const Migration> steps = PostgresMigrations(kind);
  const int latest = steps.back().version;
  try {
    // Session-level: held across the steps' own transactions; another process starting on the
    // same club waits here, then finds the schema migrated.
    c.ExecuteNative(absl::StrCat("SELECT pg_advisory_lock(", lock_key_, ")"));
    struct Unlock {
      PostgresConnection& c;
      int64_t key;
      ~Unlock() { c.TryExecuteNative(absl::StrCat("SELECT pg_advisory_unlock(", key, ")")); }
    } unlock{c, lock_key_};

    const std::string name = absl::StrCat("'", schema_, "'");
    if (c.QueryText("SELECT count(*) FROM pg_namespace WHERE nspname = " + name) == "0") {
      if (!options_.create_if_missing) {
        return absl::FailedPreconditionError(absl::StrCat("refusing to start: the ",
                                                          StoreName(kind), " (", where,
                                                          ") is missing"));
      }
      c.ExecuteNative(absl::StrCat("CREATE SCHEMA ", Quoted(schema_)));
    }
    const bool versioned =
        c.QueryText("SELECT count(*) FROM pg_tables WHERE schemaname = " + name +
                    " AND tablename = 'touchline_schema'") != "0";
    if (!versioned) {
      const std::string objects = c.QueryText(
          "SELECT count(*) FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace "
          "WHERE n.nspname = " + name);
      if (objects != "0") {
        return absl::FailedPreconditionError(absl::StrCat(
            "refusing to open ", where, ": it is not a ", StoreName(kind), " (it has ", objects,
            " tables or other objects and no touchline_schema table)"));
      }
      c.ExecuteNative(
          "CREATE TABLE touchline_schema (kind TEXT PRIMARY KEY, version BIGINT NOT NULL, "
          "migrated_at BIGINT NOT NULL)");
    }
    const std::string other_kind = c.QueryText(absl::StrCat(
        "SELECT kind FROM touchline_schema WHERE kind <> '", KindName(kind), "' LIMIT 1"));
    if (!other_kind.empty()) {
      const StoreKind other =
          other_kind == KindName(StoreKind::kAuditLog) ? StoreKind::kAuditLog
                                                       : StoreKind::kClinicalRecord;
      return absl::FailedPreconditionError(absl::StrCat("refusing to open ", where, ": it is a ",
                                                        StoreName(other), ", not a ",
                                                        StoreName(kind)));
    }
    int current = 0;
    const std::string version = c.QueryText(absl::StrCat(
        "SELECT version FROM touchline_schema WHERE kind = '", KindName(kind), "'"));
    if (!version.empty() && !absl::SimpleAtoi(version, &current)) current = 0;
    if (current > latest) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to open ", where, ": its schema version is ", current,
          " but this build supports up to version ", latest, "; upgrade Touchline"));
    }
    for (const Migration& step : steps) {
      // A new schema starts at the first step (the baseline); later ones follow one by one.
      if (current >= step.version) continue;
      if (current != 0 && current != step.version - 1) {
        return absl::InternalError(absl::StrCat(where, " is at schema version ", current,
                                                " but the next migration step is ",
                                                step.version));
      }
      try {
        c.ExecuteNative("BEGIN");
        c.ExecuteNative(step.sql);
        c.ExecuteNative(absl::StrCat(
            "INSERT INTO touchline_schema (kind, version, migrated_at) VALUES ('", KindName(kind),
            "', ", step.version, ", (extract(epoch from clock_timestamp()) * 1000000)::bigint) ",
            "ON CONFLICT (kind) DO UPDATE SET version = excluded.version, "
            "migrated_at = excluded.migrated_at"));
        c.ExecuteNative("COMMIT");
      } catch (const std::exception& e) {
        c.TryExecuteNative("ROLLBACK");
        const absl::Status status = StatusFromStorageException(e);
        return absl::Status(status.code(),
                            absl::StrCat("migrating ", where, " to schema version ", step.version,
                                         " (", step.description, ") failed: ", status.message()));
      }
      current = step.version;
    }
    // The store's count of committed writes, outside the versioned schema (it is the backend's
    // bookkeeping, as the table itself): see CatchUpWithOtherProcesses. Looked for first: an
    // ALTER would wait for the write transactions of replicas already running.
    if (c.QueryText("SELECT count(*) FROM information_schema.columns WHERE table_schema = " +
                    name + " AND table_name = 'touchline_schema' AND column_name = 'writes'") ==
        "0") {
      c.ExecuteNative(
          "ALTER TABLE touchline_schema ADD COLUMN IF NOT EXISTS writes BIGINT NOT NULL DEFAULT 0");
    }
    schema_version_ = current;
  } catch (const std::exception& e) {
    return WithContext(StatusFromStorageException(e), absl::StrCat("cannot open ", where));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(
    const DatabaseOptions& options) {
  if (absl::Status s = CheckPostgresSchemaName(options.postgres_schema); !s.ok()) return s;
  if (absl::Status s = CheckNoPasswordInConnectionString(options.postgres); !s.ok()) return s;
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(options));
  db->schema_ = PostgresSchemaOf(options.postgres_schema, options.kind);
  db->lock_key_ = AdvisoryLockKey(db->schema_);
  // One round trip: the transaction and the club's lock, held until COMMIT or ROLLBACK.
  db->begin_write_sql_ =
      absl::StrCat("BEGIN; SELECT pg_advisory_xact_lock(", db->lock_key_, ")");
  if (options.kind == StoreKind::kClinicalRecord) {
    // In the same round trip, the write is counted (undone with it if it rolls back); the count
    // with it is the answer of the BEGIN (see CatchUpWithOtherProcesses).
    absl::StrAppend(&db->begin_write_sql_,
                    "; UPDATE touchline_schema SET writes = writes + 1 WHERE kind = '",
                    KindName(options.kind), "' RETURNING writes");
    db->count_writes_sql_ = absl::StrCat("SELECT writes FROM touchline_schema WHERE kind = '",
                                         KindName(options.kind), "'");
  }
  db->channel_ = absl::StrCat("touchline_", db->schema_);
  db->commit_sql_ = options.kind == StoreKind::kClinicalRecord
                        ? absl::StrCat("NOTIFY ", Quoted(db->channel_), "; COMMIT")
                        : "COMMIT";
  if (!options.postgres_password_file.empty()) {
    std::ifstream in(options.postgres_password_file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot read the PostgreSQL password file ", options.postgres_password_file));
    }
    db->password_ = text.str();
    absl::StripTrailingAsciiWhitespace(&db->password_);
  }
  absl::StatusOr<std::unique_ptr<PostgresConnection>> writer = db->Connect();
  if (!writer.ok()) return writer.status();
  db->writer_ = *std::move(writer);
  if (absl::Status s = db->Migrate(*db->writer_); !s.ok()) return s;
  db->writer_backend_pid_ = PQbackendPID(db->writer_->get());

  db->readers_ = std::make_unique<ReaderPool>();
  const int readers = options.reader_connections > 0 ? options.reader_connections : 1;
  for (int i = 0; i < readers; ++i) {
    absl::StatusOr<std::unique_ptr<PostgresConnection>> reader = db->Connect();
    if (!reader.ok()) return reader.status();
    db->readers_->idle.push_back(i);
    db->readers_->connections.push_back(*std::move(reader));
  }
  if (options.kind == StoreKind::kClinicalRecord) {
    db->listener_ = std::make_unique<Listener>(*db);
  }
  return db;
}

absl::Status PostgresDatabase::Write(absl::FunctionRef<absl::Status(Transaction&)> work) {
  std::lock_guard lock(writer_mutex_);
  // Stepped after COMMIT or ROLLBACK: whoever observes the new value and then reads sees it.
  struct Step {
    std::atomic<uint64_t>& generation;
    ~Step() { generation.fetch_add(1, std::memory_order_acq_rel); }
  } step{records_generation_};
  std::string counted;
  if (absl::Status begun =
          Begin(writer_, begin_write_sql_, count_writes_sql_.empty() ? nullptr : &counted);
      !begun.ok()) {
    absl::Status status = WithContext(begun, "cannot begin a write transaction");
    write_health_.Note(status);
    return status;
  }
  PostgresConnection& c = *writer_;
  writer_backend_pid_ = PQbackendPID(c.get());  // changes when the writer connected again
  PostgresTransaction transaction(c);
  absl::Status status;
  bool from_database = false;
  try {
    status = work(transaction);
    if (status.ok()) {
      // A COMMIT whose answer is lost may or may not have committed: the caller hears
      // UNAVAILABLE and retries with its idempotency key or request id.
      c.ExecuteNative(commit_sql_);
      write_health_.Note(status);
      if (int64_t count = 0; absl::SimpleAtoi(counted, &count)) NoteWritesCounted(count, false);
      return status;
    }
  } catch (const std::exception& e) {
    status = StatusFromStorageException(e);
    from_database = true;
  } catch (...) {
    c.TryExecuteNative("ROLLBACK");
    throw;
  }
  if (from_database) write_health_.Note(status);
  c.TryExecuteNative("ROLLBACK");
  return status;
}

absl::Status PostgresDatabase::Read(absl::FunctionRef<absl::Status(Transaction&)> work) {
  const int slot = readers_->Acquire();
  struct Lease {
    ReaderPool* pool;
    int slot;
    ~Lease() {
      PostgresConnection* c = pool->connections[slot].get();
      if (c != nullptr && PQtransactionStatus(c->get()) != PQTRANS_IDLE) {
        c->TryExecuteNative("ROLLBACK");
      }
      pool->Release(slot);
    }
  } lease{readers_.get(), slot};
  std::unique_ptr<PostgresConnection>& connection = readers_->connections[slot];
  if (absl::Status begun = Begin(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      !begun.ok()) {
    return WithContext(begun, "cannot begin a read transaction");
  }
  try {
    PostgresTransaction transaction(*connection);
    absl::Status status = work(transaction);
    if (status.ok()) connection->ExecuteNative("COMMIT");
    return status;  // on error, the lease rolls back
  } catch (const std::exception& e) {
    return StatusFromStorageException(e);
  }
}

void PostgresDatabase::NoteWritesCounted(int64_t count, bool read) {
  int64_t known = writes_known_.load(std::memory_order_acquire);
  while (count > known &&
         !writes_known_.compare_exchange_weak(known, count, std::memory_order_acq_rel)) {
  }
  // A count read beyond every write this process committed or counted before: another process
  // committed writes that the listener may not have delivered yet.
  if (read && count > known) {
    records_generation_.fetch_add(1, std::memory_order_acq_rel);
    StepOtherProcessesWrites();
  }
}

absl::Status PostgresDatabase::CatchUpWithOtherProcesses() {
  if (count_writes_sql_.empty()) return absl::OkStatus();
  // One read at a time serves every caller waiting for one. A read that began before this call
  // may have missed a write committed just before it: this call is covered by the next read to
  // begin (so a caller waits for at most the one in flight and its own).
  std::unique_lock lock(catch_up_mutex_);
  const uint64_t need = catch_up_started_ + 1;
  while (catch_up_finished_ < need) {
    if (catch_up_reading_) {
      catch_up_done_.wait(lock);
      continue;
    }
    catch_up_reading_ = true;
    const uint64_t round = ++catch_up_started_;
    lock.unlock();
    absl::Status status = ReadWriteCount();
    lock.lock();
    catch_up_reading_ = false;
    catch_up_finished_ = round;
    catch_up_status_ = std::move(status);
    catch_up_done_.notify_all();
  }
  return catch_up_status_;  // of the latest read, which began after this call did
}

absl::Status PostgresDatabase::ReadWriteCount() {
  const int slot = readers_->Acquire();
  struct Lease {
    ReaderPool* pool;
    int slot;
    ~Lease() { pool->Release(slot); }
  } lease{readers_.get(), slot};
  std::unique_ptr<PostgresConnection>& connection = readers_->connections[slot];
  if (absl::Status connected = EnsureConnected(connection); !connected.ok()) return connected;
  try {
    // Outside a transaction: the statement's snapshot has every write committed before it began.
    const std::string text = connection->QueryText(count_writes_sql_);
    int64_t count = 0;
    if (absl::SimpleAtoi(text, &count)) NoteWritesCounted(count, true);
  } catch (const std::exception& e) {
    return StatusFromStorageException(e);
  }
  return absl::OkStatus();
}

absl::Status PostgresDatabase::ProbeWrite() {
  // A real write, committed through the WAL with synchronous_commit.
  return Write([this](Transaction& tx) {
    tx.Execute(absl::StrCat("UPDATE touchline_schema SET migrated_at = migrated_at WHERE kind = '",
                            KindName(options_.kind), "'"));
    return absl::OkStatus();
  });
}

bool PostgresDatabase::HoldLease(const std::string& name) {
  std::lock_guard lock(leases_mutex_);
  Lease& lease = leases_[name];
  if (lease.held) {
    // Still ours while its session lives: ask the server, which also notices a cut connection.
    if (lease.connection->TryExecuteNative("SELECT 1")) return true;
    lease.connection.reset();  // the lock went with the session; another process may take it
    lease.held = false;
  }
  if (lease.connection == nullptr || !lease.connection->ok()) {
    absl::StatusOr<std::unique_ptr<PostgresConnection>> c = Connect();
    if (!c.ok()) return false;
    lease.connection = *std::move(c);
  }
  try {
    const int64_t key = AdvisoryLockKey(absl::StrCat(schema_, ":lease:", name));
    lease.held = lease.connection->QueryText(
                     absl::StrCat("SELECT pg_try_advisory_lock(", key, ")")) == "t";
  } catch (const std::exception&) {
    lease.connection.reset();
    lease.held = false;
  }
  return lease.held;
}

absl::Status PostgresDatabase::ProbeRead() {
  return Read([](Transaction& tx) {
    Statement q = tx.Prepare("SELECT count(*) FROM touchline_schema");
    q.Step();
    return absl::OkStatus();
  });
}

}  // namespace touchline::storage
