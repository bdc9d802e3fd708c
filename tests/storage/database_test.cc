// Database: connections, pragmas, transactions, error mapping and migrations, on real files.
#include "server/storage/database.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>

#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/migrations.h"
#include "server/storage/record_store.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "server/storage/row_binding.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

using ::testing::HasSubstr;
using testing::OpenOrDie;
using testing::TempDbPath;

const absl::Time kT0 = absl::FromUnixMicros(1'700'000'000'123'456);

domain::Squad MakeSquad(const std::string& name) {
  domain::Squad s;
  s.name = name;
  s.created_at = kT0;
  s.updated_at = kT0;
  return s;
}

int64_t CountSquads(Database& db) {
  int64_t n = -1;
  EXPECT_TRUE(db.Read([&](storage::Transaction& c) {
                  n = QueryInt(c, "SELECT count(*) FROM squads");
                  return absl::OkStatus();
                }).ok());
  return n;
}

// Medical records are the owner's only whatever the umask: the database and its -wal and -shm
// files are created 0600 (SQLite alone would make them 0644 less the umask).
TEST(DatabaseTest, FilesAreCreatedOwnerOnlyWhateverTheUmask) {
  TOUCHLINE_SQLITE_ONLY("file modes");
  TempDbPath tmp;
  const mode_t old_umask = ::umask(0);
  auto db = OpenOrDie(tmp.path());
  ::umask(old_umask);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Write([](storage::Transaction& c) {
                  SqliteConnectionOf(c).exec("INSERT INTO squads(name, created_at, updated_at) VALUES('x', 0, 0)");
                  return absl::OkStatus();
                }).ok());
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    const std::string file = tmp.path() + suffix;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
}

TEST(DatabaseTest, FreshDatabaseIsAtLatestVersionWithTouchlineIdAndWal) {
  TOUCHLINE_SQLITE_ONLY("PRAGMAs and WAL (postgres_database_test checks touchline_schema)");
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->SchemaVersion(), Database::LatestSchemaVersion());
  EXPECT_GE(Database::LatestSchemaVersion(), 2);
  EXPECT_EQ(db->path(), tmp.path());
  ASSERT_TRUE(db->Read([&](storage::Transaction& c) {
                  EXPECT_EQ(SqliteConnectionOf(c).execAndGet("PRAGMA user_version").getInt(),
                            Database::LatestSchemaVersion());
                  EXPECT_EQ(SqliteConnectionOf(c).execAndGet("PRAGMA application_id").getInt(),
                            kTouchlineApplicationId);
                  EXPECT_EQ(SqliteConnectionOf(c).execAndGet("PRAGMA journal_mode").getString(), "wal");
                  return absl::OkStatus();
                }).ok());
}

TEST(DatabaseTest, EveryConnectionHasForeignKeysSynchronousAndBusyTimeout) {
  TOUCHLINE_SQLITE_ONLY("PRAGMAs");
  for (bool full : {true, false}) {
    TempDbPath tmp;
    DatabaseOptions options;
    options.path = tmp.path();
    options.synchronous_full = full;
    options.reader_connections = 3;
    options.busy_timeout_ms = 1234;
    auto db = Database::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    auto check = [&](storage::Transaction& c) {
      EXPECT_EQ(SqliteConnectionOf(c).execAndGet("PRAGMA foreign_keys").getInt(), 1);
      EXPECT_EQ(SqliteConnectionOf(c).execAndGet("PRAGMA synchronous").getInt(), full ? 2 : 1);
      EXPECT_EQ(SqliteConnectionOf(c).execAndGet("PRAGMA busy_timeout").getInt(), 1234);
      return absl::OkStatus();
    };
    ASSERT_TRUE((*db)->Write(check).ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*db)->Read(check).ok());
  }
}

TEST(DatabaseTest, CachedStatementsAreReusedResetAndNeverSharedWhileInUse) {
  TOUCHLINE_SQLITE_ONLY("sqlite3_next_stmt");
  TempDbPath path;
  auto db = OpenOrDie(path.path());
  ASSERT_NE(db, nullptr);
  const std::string sql = "SELECT value FROM json_each(?) ORDER BY value";
  ASSERT_TRUE(db->Read([&](storage::Transaction& conn) -> absl::Status {
                  auto busy_statements = [&] {
                    int busy = 0;
                    for (sqlite3_stmt* st = sqlite3_next_stmt(SqliteConnectionOf(conn).getHandle(), nullptr);
                         st != nullptr; st = sqlite3_next_stmt(SqliteConnectionOf(conn).getHandle(), st)) {
                      busy += sqlite3_stmt_busy(st) != 0 ? 1 : 0;
                    }
                    return busy;
                  };
                  const BackendStatement* first = nullptr;
                  {
                    Statement outer = conn.PrepareCached(sql);
                    first = outer.prepared();
                    outer.Bind(1, "[1,2]");
                    EXPECT_TRUE(outer.Step());
                    {
                      // The same SQL while the outer one is mid-iteration: its own statement.
                      Statement inner = conn.PrepareCached(sql);
                      EXPECT_NE(inner.prepared(), first);
                      inner.Bind(1, "[7]");
                      EXPECT_TRUE(inner.Step());
                      EXPECT_EQ(inner.ColumnInt32(0), 7);
                    }
                    EXPECT_EQ(outer.ColumnInt32(0), 1);  // undisturbed
                    EXPECT_TRUE(outer.Step());
                    EXPECT_EQ(outer.ColumnInt32(0), 2);
                  }
                  // Released: reset and unbound, not holding the read open; reused next time.
                  EXPECT_EQ(busy_statements(), 0);
                  Statement again = conn.PrepareCached(sql);
                  EXPECT_EQ(again.prepared(), first);
                  EXPECT_FALSE(again.Step());  // NULL after clearBindings: no rows
                  return absl::OkStatus();
                }).ok());
  // A connection no Database opened gets a statement of its own (nothing cached for it).
  SQLite::Database raw(path.path(), SQLite::OPEN_READONLY);
  SqliteTransaction raw_tx(raw);
  Statement a = raw_tx.PrepareCached(sql);
  Statement b = raw_tx.PrepareCached(sql);
  EXPECT_NE(b.prepared(), a.prepared());
}

// The cache grows (new SQL) while a statement of it is in use, as a query that runs others inside
// its loop does the first time: the statement in use must still be released for reuse.
TEST(DatabaseTest, ACachedStatementInUseWhileTheCacheGrowsIsReusedAfterwards) {
  TOUCHLINE_SQLITE_ONLY("SQLite statements");
  TempDbPath path;
  auto db = OpenOrDie(path.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Read([&](storage::Transaction& conn) -> absl::Status {
                  const BackendStatement* first = nullptr;
                  {
                    Statement outer = conn.PrepareCached("SELECT 1");
                    first = outer.prepared();
                    for (int i = 0; i < 200; ++i) {
                      Statement inner = conn.PrepareCached("SELECT " + std::to_string(i + 2));
                      EXPECT_TRUE(inner.Step());
                      EXPECT_EQ(inner.ColumnInt32(0), i + 2);
                    }
                  }
                  Statement again = conn.PrepareCached("SELECT 1");
                  EXPECT_EQ(again.prepared(), first) << "prepared again: the first was never released";
                  return absl::OkStatus();
                }).ok());
}

// ---- checkpoints ----

// Commits `count` transactions of one 8 KB row each (three pages of WAL apiece): fewer than the
// 1000 pages at which SQLite's own automatic checkpoint would start, so only Touchline's
// checkpoints can move them into the database file.
void WriteBlobs(Database& db, int count) {
  ASSERT_TRUE(db.Write([](storage::Transaction& c) {
                  SqliteConnectionOf(c).exec("CREATE TABLE IF NOT EXISTS scratch (x BLOB) STRICT");
                  return absl::OkStatus();
                }).ok());
  for (int i = 0; i < count; ++i) {
    ASSERT_TRUE(db.Write([](storage::Transaction& c) {
                    SqliteConnectionOf(c).exec("INSERT INTO scratch VALUES (randomblob(8000))");
                    return absl::OkStatus();
                  }).ok());
  }
}

uintmax_t FileBytes(const std::string& path) {
  std::error_code ignored;
  const uintmax_t size = std::filesystem::file_size(path, ignored);
  return size == static_cast<uintmax_t>(-1) ? 0 : size;
}

TEST(DatabaseTest, CommitsReachTheDatabaseFileThroughTheBackgroundCheckpoint) {
  TOUCHLINE_SQLITE_ONLY("the WAL");
  TempDbPath tmp;
  DatabaseOptions options;
  options.path = tmp.path();
  options.synchronous_full = false;
  options.background_checkpoint_pages = 50;
  options.writer_checkpoint_pages = 1'000'000;  // the writer never checkpoints itself here
  auto db = Database::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  const uintmax_t before = FileBytes(tmp.path());
  WriteBlobs(**db, 150);
  // The checkpoint runs on its own thread: wait for it (bounded), do not assume when.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (FileBytes(tmp.path()) < before + 600'000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(FileBytes(tmp.path()), before + 600'000)
      << "the 1.2 MB committed are still only in the WAL";
}

TEST(DatabaseTest, TheWriterCheckpointsItselfOnceTheWalReachesItsLimit) {
  TOUCHLINE_SQLITE_ONLY("the WAL");
  TempDbPath tmp;
  DatabaseOptions options;
  options.path = tmp.path();
  options.synchronous_full = false;
  options.background_checkpoint_pages = 1'000'000;  // the background is never asked
  options.writer_checkpoint_pages = 50;
  auto db = Database::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  const uintmax_t before = FileBytes(tmp.path());
  WriteBlobs(**db, 150);
  // Synchronously, in the writer's own commits: no waiting needed.
  EXPECT_GE(FileBytes(tmp.path()), before + 600'000);
}

TEST(DatabaseTest, AcknowledgedWriteSurvivesCloseAndReopen) {
  TempDbPath tmp;
  domain::Id id = 0;
  {
    auto db = OpenOrDie(tmp.path());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Write([&](storage::Transaction& c) -> absl::Status {
                    auto s = InsertSquad(c, MakeSquad("Firsts"));
                    if (!s.ok()) return s.status();
                    id = s->id;
                    return absl::OkStatus();
                  }).ok());
  }
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Read([&](storage::Transaction& c) {
                  auto s = FindSquad(c, id);
                  EXPECT_TRUE(s.ok()) << s.status();
                  if (s.ok()) {
                    EXPECT_EQ(s->name, "Firsts");
                  }
                  return absl::OkStatus();
                }).ok());
}

TEST(DatabaseTest, WriteReturningErrorRollsBackEverything) {
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  absl::Status status = db->Write([&](storage::Transaction& c) -> absl::Status {
    auto squad = InsertSquad(c, MakeSquad("A"));
    EXPECT_TRUE(squad.ok());
    domain::Player p;
    p.squad_id = squad->id;
    p.name = "Half a record";
    EXPECT_TRUE(InsertPlayer(c, p).ok());
    return absl::InvalidArgumentError("changed my mind");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "changed my mind");
  EXPECT_EQ(CountSquads(*db), 0);
  ASSERT_TRUE(db->Read([&](storage::Transaction& c) {
                  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM players"), 0);
                  return absl::OkStatus();
                }).ok());
  // The writer is usable afterwards.
  EXPECT_TRUE(db->Write([&](storage::Transaction& c) { return InsertSquad(c, MakeSquad("A")).status(); })
                  .ok());
  EXPECT_EQ(CountSquads(*db), 1);
}

TEST(DatabaseTest, WriteThrowingRollsBackAndReportsStatus) {
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  absl::Status status = db->Write([&](storage::Transaction& c) -> absl::Status {
    EXPECT_TRUE(InsertSquad(c, MakeSquad("A")).ok());
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("boom"));
  EXPECT_EQ(CountSquads(*db), 0);

  // A database error thrown mid-way (duplicate name through raw SQL) rolls back the earlier insert.
  ASSERT_TRUE(db->Write([&](storage::Transaction& c) { return InsertSquad(c, MakeSquad("B")).status(); })
                  .ok());
  status = db->Write([&](storage::Transaction& c) -> absl::Status {
    EXPECT_TRUE(InsertSquad(c, MakeSquad("C")).ok());
    c.Execute("INSERT INTO squads (name, created_at, updated_at) VALUES ('B', 0, 0)");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  // SQLite names the column (squads.name), PostgreSQL the constraint (squads_name_key).
  EXPECT_THAT(status.message(), HasSubstr("squads"));
  EXPECT_EQ(CountSquads(*db), 1);

  // A foreign exception type is rethrown after the rollback.
  EXPECT_THROW(db->Write([&](storage::Transaction& c) -> absl::Status {
    EXPECT_TRUE(InsertSquad(c, MakeSquad("D")).ok());
    throw 42;
  }),
               int);
  EXPECT_EQ(CountSquads(*db), 1);
}

TEST(DatabaseTest, ReadSeesAConsistentSnapshot) {
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Write([&](storage::Transaction& c) { return InsertSquad(c, MakeSquad("A")).status(); })
                  .ok());
  ASSERT_TRUE(db->Read([&](storage::Transaction& c) {
                  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM squads"), 1);
                  // A write committed meanwhile (the writer does not wait for readers)...
                  EXPECT_TRUE(db->Write([&](storage::Transaction& w) {
                                  return InsertSquad(w, MakeSquad("B")).status();
                                }).ok());
                  // ...is not visible inside this read transaction.
                  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM squads"), 1);
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(CountSquads(*db), 2);
}

TEST(DatabaseTest, ReadConnectionsAreReadOnly) {
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  absl::Status status =
      db->Read([&](storage::Transaction& c) { return InsertSquad(c, MakeSquad("A")).status(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(CountSquads(*db), 0);
}

TEST(DatabaseTest, ReadBlocksWhileEveryReaderIsInUse) {
  TempDbPath tmp;
  DatabaseOptions options = testing::TestStoreOptions(tmp.path());
  options.reader_connections = 1;
  auto opened = Database::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Database& db = **opened;

  std::promise<void> holding_promise, release_promise;
  std::shared_future<void> release = release_promise.get_future().share();
  std::thread first([&] {
    EXPECT_TRUE(db.Read([&](storage::Transaction&) {
                    holding_promise.set_value();
                    release.wait();
                    return absl::OkStatus();
                  }).ok());
  });
  holding_promise.get_future().wait();
  std::atomic<bool> second_ran{false};
  std::thread second([&] {
    EXPECT_TRUE(db.Read([&](storage::Transaction&) {
                    second_ran = true;
                    return absl::OkStatus();
                  }).ok());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_FALSE(second_ran.load());
  release_promise.set_value();
  first.join();
  second.join();
  EXPECT_TRUE(second_ran.load());
}

TEST(DatabaseTest, ConcurrentWritersAreSerialised) {
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(db->Write([&](storage::Transaction& c) {
                        return InsertSquad(c, MakeSquad(absl::StrCat("s", t, "_", i))).status();
                      }).ok());
        EXPECT_TRUE(db->Read([&](storage::Transaction& c) {
                        QueryInt(c, "SELECT count(*) FROM squads");
                        return absl::OkStatus();
                      }).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(CountSquads(*db), 100);
}

TEST(DatabaseTest, StatusFromSqliteErrorMapsCodes) {
  struct Case {
    int code;
    absl::StatusCode expected;
  };
  for (const Case& c : std::initializer_list<Case>{
           {SQLITE_FULL, absl::StatusCode::kResourceExhausted},
           {SQLITE_BUSY, absl::StatusCode::kUnavailable},
           {SQLITE_LOCKED, absl::StatusCode::kUnavailable},
           {SQLITE_READONLY, absl::StatusCode::kUnavailable},
           {SQLITE_IOERR, absl::StatusCode::kUnavailable},
           {SQLITE_IOERR_FSYNC, absl::StatusCode::kUnavailable},
           {SQLITE_CANTOPEN, absl::StatusCode::kUnavailable},
           {SQLITE_ERROR, absl::StatusCode::kInternal},
           {SQLITE_CORRUPT, absl::StatusCode::kInternal},
       }) {
    absl::Status status = StatusFromSqliteError(SQLite::Exception("what happened", c.code));
    EXPECT_EQ(status.code(), c.expected) << c.code;
    EXPECT_THAT(status.message(), HasSubstr("what happened"));
  }
  EXPECT_EQ(StatusFromSqliteError(std::runtime_error("x")).code(), absl::StatusCode::kInternal);

  // Constraint violations, raised by SQLite itself so the extended code is real.
  SQLite::Database raw(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  raw.exec("PRAGMA foreign_keys = ON");
  raw.exec("CREATE TABLE p (id INTEGER PRIMARY KEY, u TEXT UNIQUE);"
           "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id));"
           "INSERT INTO p (id, u) VALUES (1, 'x');");
  auto status_of = [&](const char* sql) {
    try {
      raw.exec(sql);
    } catch (const std::exception& e) {
      return StatusFromSqliteError(e);
    }
    return absl::OkStatus();
  };
  EXPECT_EQ(status_of("INSERT INTO p (u) VALUES ('x')").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status_of("INSERT INTO p (id) VALUES (1)").code(), absl::StatusCode::kAlreadyExists);
  absl::Status fk = status_of("INSERT INTO c (p) VALUES (99)");
  EXPECT_EQ(fk.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(fk.message(), HasSubstr("FOREIGN KEY"));
}

TEST(DatabaseTest, AmendmentsCannotBeUpdatedOrDeletedEvenByRawSql) {
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  domain::Id complaint_id = 0;
  ASSERT_TRUE(db->Write([&](storage::Transaction& c) -> absl::Status {
                  auto squad = InsertSquad(c, MakeSquad("A"));
                  domain::Player p;
                  p.squad_id = squad->id;
                  auto player = InsertPlayer(c, p);
                  domain::Complaint complaint;
                  complaint.player_id = player->id;
                  auto inserted = InsertComplaint(c, complaint);
                  complaint_id = inserted->id;
                  domain::Amendment a;
                  a.complaint_id = complaint_id;
                  a.reason = "original";
                  a.changes.push_back({"side", "", "LEFT"});
                  return AppendAmendment(c, a).status();
                }).ok());
  for (const char* sql : {
           "UPDATE amendments SET reason = 'rewritten'",
           "DELETE FROM amendments",
           "UPDATE amendment_changes SET new_value = 'RIGHT'",
           "DELETE FROM amendment_changes",
       }) {
    absl::Status status = db->Write([&](storage::Transaction& c) {
      c.Execute(sql);
      return absl::OkStatus();
    });
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << sql << ": " << status;
    EXPECT_THAT(status.message(), HasSubstr("append-only")) << sql;
  }
  ASSERT_TRUE(db->Read([&](storage::Transaction& c) {
                  auto list = ListAmendments(c, complaint_id, 0, 10);
                  EXPECT_EQ(list.size(), 1u);
                  if (!list.empty()) {
                    EXPECT_EQ(list[0].reason, "original");
                    EXPECT_EQ(list[0].changes.size(), 1u);
                    if (!list[0].changes.empty()) {
                      EXPECT_EQ(list[0].changes[0].new_value, "LEFT");
                    }
                  }
                  return absl::OkStatus();
                }).ok());
}

TEST(DatabaseTest, SchemaHasAnIndexForEveryQueryPath) {
  TOUCHLINE_SQLITE_ONLY("SQLite's query plans");
  TempDbPath tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Read([&](storage::Transaction& c) {
                  for (const char* index :
                       {"players_by_external_id", "players_by_squad",
                        "contact_events_by_player_time", "contact_events_by_kind",
                        "complaints_by_player", "check_ins_by_complaint",
                        "amendments_by_complaint", "readiness_overrides_by_player",
                        "complaints_open_by_player"}) {
                    SQLite::Statement q(
                        SqliteConnectionOf(c), "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?");
                    q.bind(1, index);
                    q.executeStep();
                    EXPECT_EQ(q.getColumn(0).getInt(), 1) << index;
                  }
                  // The event listing of a player is an index range scan, not a table scan.
                  SQLite::Statement plan(
                      SqliteConnectionOf(c),
                      "EXPLAIN QUERY PLAN SELECT id FROM contact_events WHERE player_id = 1 AND "
                      "(occurred_at, id) > (0, 0) ORDER BY occurred_at, id LIMIT 10");
                  std::string details;
                  while (plan.executeStep()) details += plan.getColumn(3).getString() + "\n";
                  EXPECT_THAT(details, HasSubstr("contact_events_by_player_time")) << details;
                  EXPECT_THAT(details, ::testing::Not(HasSubstr("TEMP B-TREE"))) << details;
                  return absl::OkStatus();
                }).ok());
}

// ---- migrations ----

TEST(MigrationTest, StepsAreOrderedFromOne) {
  int expected = 1;
  for (const Migration& m : Migrations()) EXPECT_EQ(m.version, expected++);
  EXPECT_EQ(LatestMigrationVersion(), Database::LatestSchemaVersion());
}

TEST(MigrationTest, VersionOneDatabaseUpgradesInPlaceKeepingItsData) {
  TOUCHLINE_SQLITE_ONLY("SQLite files of old versions");
  TempDbPath tmp;
  domain::Id player_id = 0, complaint_id = 0, event_id = 0;
  {
    SQLite::Database raw(tmp.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA foreign_keys = ON");
    ASSERT_TRUE(MigrateTo(raw, 1).ok());
    EXPECT_EQ(raw.execAndGet("PRAGMA user_version").getInt(), 1);
    EXPECT_EQ(raw.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = "
                             "'readiness_overrides'")
                  .getInt(),
              0);
    SqliteTransaction raw_tx(raw);  // no Database yet: the store functions on the bare file
    auto squad = InsertSquad(raw_tx, MakeSquad("Old squad"));
    ASSERT_TRUE(squad.ok()) << squad.status();
    domain::Player p;
    p.squad_id = squad->id;
    p.name = "Old player";
    p.external_id = "EXT-1";
    auto player = InsertPlayer(raw_tx, p);
    ASSERT_TRUE(player.ok()) << player.status();
    player_id = player->id;
    domain::ContactEvent e;
    e.player_id = player_id;
    e.occurred_at = kT0;
    e.idempotency_key = "k1";
    ContactEventInserter inserter(raw_tx);
    event_id = inserter.InsertIfNew(e).value_or(0);
    ASSERT_NE(event_id, 0);
    domain::Complaint complaint;
    complaint.player_id = player_id;
    complaint.osiics_code = "TMHX";
    auto inserted = InsertComplaint(raw_tx, complaint);
    ASSERT_TRUE(inserted.ok());
    complaint_id = inserted->id;
  }
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->SchemaVersion(), Database::LatestSchemaVersion());
  ASSERT_TRUE(db->Write([&](storage::Transaction& c) -> absl::Status {
                  auto player = FindPlayer(c, player_id);
                  EXPECT_TRUE(player.ok());
                  if (player.ok()) {
                    EXPECT_EQ(player->external_id, "EXT-1");
                  }
                  EXPECT_TRUE(FindContactEvent(c, event_id).ok());
                  auto complaint = FindComplaint(c, complaint_id);
                  EXPECT_TRUE(complaint.ok());
                  if (complaint.ok()) {
                    EXPECT_EQ(complaint->osiics_code, "TMHX");
                  }
                  domain::ReadinessOverride o;
                  o.player_id = player_id;
                  o.starts_at = kT0;
                  o.expires_at = kT0 + absl::Hours(24);
                  return InsertOverride(c, o).status();  // the v2 table exists now
                }).ok());
}

TEST(MigrationTest, OpeningTwiceIsANoOp) {
  TempDbPath tmp;
  { ASSERT_NE(OpenOrDie(tmp.path()), nullptr); }
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->SchemaVersion(), Database::LatestSchemaVersion());
}

TEST(MigrationTest, NewerSchemaVersionIsRefused) {
  TOUCHLINE_SQLITE_ONLY("PRAGMA user_version (postgres_database_test has its own)");
  TempDbPath tmp;
  { ASSERT_NE(OpenOrDie(tmp.path()), nullptr); }
  const int newer = Database::LatestSchemaVersion() + 1;
  {
    SQLite::Database raw(tmp.path(), SQLite::OPEN_READWRITE);
    raw.exec(absl::StrCat("PRAGMA user_version = ", newer));
  }
  DatabaseOptions options;
  options.path = tmp.path();
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr(tmp.path()));
  EXPECT_THAT(db.status().message(), HasSubstr(absl::StrCat("version is ", newer)));
  EXPECT_THAT(db.status().message(),
              HasSubstr(absl::StrCat("up to version ", Database::LatestSchemaVersion())));
}

TEST(MigrationTest, FileOfRandomBytesIsRefusedAndLeftAlone) {
  TOUCHLINE_SQLITE_ONLY("files");
  TempDbPath tmp;
  std::string bytes(8192, '\0');
  std::mt19937 rng(1234);
  for (char& b : bytes) b = static_cast<char>(rng());
  {
    std::ofstream out(tmp.path(), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  DatabaseOptions options;
  options.path = tmp.path();
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition) << db.status();
  EXPECT_THAT(db.status().message(), HasSubstr(tmp.path()));
  EXPECT_THAT(db.status().message(), HasSubstr("not a SQLite database"));
  std::ifstream in(tmp.path(), std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, bytes);
}

TEST(MigrationTest, ForeignSqliteDatabaseIsRefused) {
  TOUCHLINE_SQLITE_ONLY("files (postgres_database_test has its own)");
  TempDbPath tmp;
  {
    SQLite::Database raw(tmp.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)");
  }
  DatabaseOptions options;
  options.path = tmp.path();
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr(tmp.path()));
  EXPECT_THAT(db.status().message(), HasSubstr("not a Touchline database"));
  {
    // Still untouched: no Touchline table was added, journal mode unchanged.
    SQLite::Database raw(tmp.path(), SQLite::OPEN_READONLY);
    EXPECT_EQ(raw.execAndGet("SELECT count(*) FROM sqlite_schema").getInt(), 1);
    EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "delete");
  }
}

TEST(MigrationTest, OtherApplicationIdIsRefused) {
  TOUCHLINE_SQLITE_ONLY("PRAGMA application_id");
  TempDbPath tmp;
  {
    SQLite::Database raw(tmp.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA application_id = 42");
  }
  DatabaseOptions options;
  options.path = tmp.path();
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr("another application"));
}

TEST(MigrationTest, UnopenablePathIsUnavailable) {
  TOUCHLINE_SQLITE_ONLY("files");
  DatabaseOptions options;
  options.path = "/nonexistent-touchline-dir/sub/touchline.db";
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable) << db.status();
  EXPECT_THAT(db.status().message(), HasSubstr(options.path));
}

}  // namespace
}  // namespace touchline::storage
