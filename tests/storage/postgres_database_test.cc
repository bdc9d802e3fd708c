// The PostgreSQL backend's own guarantees and failures (issue 21), against real PostgreSQL 15
// servers started here: what a club's schema must be before it is opened, writers of several
// processes on one club, and the counterparts of SQLite's file faults: a connection lost, the
// server stopped in the middle of an import, a full disk. The storage, service and API suites
// run on PostgreSQL as well (their "postgresql." registrations); these are what they cannot show.
#include <libpq-fe.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "server/storage/database.h"
#include "server/storage/postgres/postgres_database.h"
#include "server/storage/record_store.h"
#include "server/storage/row_binding.h"
#include "tests/lib/postgres_server.h"

namespace touchline::storage {
namespace {

using ::testing::HasSubstr;
using touchline::testing::PostgresServer;

const absl::Time kT0 = absl::FromUnixMicros(1'700'000'000'000'000);

// Runs PostgreSQL's own SQL on a connection of its own (what an operator's psql would do).
std::string Psql(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  std::string out;
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    out = absl::StrCat("error: ", PQresultErrorMessage(r));
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = PostgresServer::Start();  // fsync on: durability as in production
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "no PostgreSQL";
    if (!server_->running()) {
      ASSERT_TRUE(server_->Restart().ok());
    }
    static int counter = 0;
    schema_ = absl::StrCat("club_", ::getpid(), "_", counter++);
  }

  DatabaseOptions Options(StoreKind kind = StoreKind::kClinicalRecord) const {
    DatabaseOptions o;
    o.postgres = server_->ConnectionString();
    o.postgres_schema = schema_;
    o.kind = kind;
    o.reader_connections = 2;
    o.busy_timeout_ms = 5000;
    return o;
  }
  std::unique_ptr<Database> Open(DatabaseOptions o) {
    auto db = Database::Open(o);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }
  std::unique_ptr<Database> Open() { return Open(Options()); }

  static domain::Squad Squad(const std::string& name) {
    domain::Squad s;
    s.name = name;
    s.created_at = kT0;
    s.updated_at = kT0;
    return s;
  }
  // A squad and a player; the player's id.
  domain::Id AddPlayer(Database& db) {
    domain::Id id = 0;
    EXPECT_TRUE(db.Write([&](Transaction& tx) -> absl::Status {
                    auto squad = InsertSquad(tx, Squad("Firsts"));
                    if (!squad.ok()) return squad.status();
                    domain::Player p;
                    p.squad_id = squad->id;
                    p.name = "Nine";
                    auto player = InsertPlayer(tx, p);
                    if (!player.ok()) return player.status();
                    id = player->id;
                    return absl::OkStatus();
                  }).ok());
    return id;
  }
  static domain::ContactEvent Event(domain::Id player, int i) {
    domain::ContactEvent e;
    e.player_id = player;
    e.occurred_at = kT0 + absl::Seconds(i);
    e.session_label = "training";
    e.note = std::string(200, 'n');
    e.recorded_at = kT0;
    e.recorded_by = "physio";
    return e;
  }
  int64_t Count(Database& db, const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(db.Read([&](Transaction& tx) {
                    n = QueryInt(tx, "SELECT count(*) FROM " + table);
                    return absl::OkStatus();
                  }).ok());
    return n;
  }

  static PostgresServer* server_;
  std::string schema_;
};

PostgresServer* PostgresDatabaseTest::server_ = nullptr;

TEST_F(PostgresDatabaseTest, AFreshSchemaIsCreatedAtTheLatestVersionAndOpeningAgainChangesNothing) {
  {
    auto db = Open();
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->SchemaVersion(), Database::LatestSchemaVersion());
    EXPECT_EQ(db->path(), "PostgreSQL schema " + schema_);
  }
  const std::string conninfo = server_->ConnectionString();
  EXPECT_EQ(Psql(conninfo, absl::StrCat("SELECT version FROM ", schema_,
                                        ".touchline_schema WHERE kind = 'clinical_record'")),
            absl::StrCat(Database::LatestSchemaVersion()));
  const std::string tables =
      Psql(conninfo, absl::StrCat("SELECT count(*) FROM pg_tables WHERE schemaname = '", schema_, "'"));
  auto again = Open();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(Psql(conninfo, absl::StrCat("SELECT count(*) FROM pg_tables WHERE schemaname = '",
                                        schema_, "'")),
            tables);
}

TEST_F(PostgresDatabaseTest, ANewerSchemaIsRefused) {
  { ASSERT_NE(Open(), nullptr); }
  Psql(server_->ConnectionString(),
       absl::StrCat("UPDATE ", schema_, ".touchline_schema SET version = version + 1"));
  auto db = Database::Open(Options());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(db.status().message()), HasSubstr("upgrade Touchline"));
}

TEST_F(PostgresDatabaseTest, ASchemaOfAnotherApplicationIsRefusedAndLeftAlone) {
  const std::string conninfo = server_->ConnectionString();
  Psql(conninfo, absl::StrCat("CREATE SCHEMA ", schema_, "; CREATE TABLE ", schema_,
                              ".invoices (id bigint); INSERT INTO ", schema_,
                              ".invoices VALUES (1)"));
  auto db = Database::Open(Options());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(db.status().message()), HasSubstr("not a Touchline database"));
  EXPECT_EQ(Psql(conninfo, absl::StrCat("SELECT count(*) FROM pg_tables WHERE schemaname = '",
                                        schema_, "'")),
            "1");
}

TEST_F(PostgresDatabaseTest, TheAuditLogAndTheRecordAreNotMistakenForEachOther) {
  // A clinical record in the schema an audit log of another club would use.
  const std::string club = schema_;
  schema_ = club + "_audit";
  { ASSERT_NE(Open(), nullptr); }
  schema_ = club;
  auto log = Database::Open(Options(StoreKind::kAuditLog));
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(std::string(log.status().message()),
              HasSubstr("it is a Touchline database, not a Touchline audit log"));
}

TEST_F(PostgresDatabaseTest, AMissingSchemaIsRefusedWhenItMustExist) {
  DatabaseOptions o = Options();
  o.create_if_missing = false;
  auto db = Database::Open(o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(db.status().message()), HasSubstr("is missing"));
  EXPECT_EQ(Psql(server_->ConnectionString(),
                 absl::StrCat("SELECT count(*) FROM pg_namespace WHERE nspname = '", schema_, "'")),
            "0");
}

TEST_F(PostgresDatabaseTest, AServerThatCannotBeReachedIsUnavailable) {
  DatabaseOptions o = Options();
  o.postgres = "host=127.0.0.1 port=1 user=touchline dbname=postgres connect_timeout=2";
  auto db = Database::Open(o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(db.status().message()), HasSubstr("cannot connect to PostgreSQL"));
}

// A write through one process steps the records generation of every other process on the club
// (NOTIFY at commit, a listener in each): a replica's kept readiness board does not outlive
// another replica's write. A process's own writes step it once, not twice.
TEST_F(PostgresDatabaseTest, AnotherProcesssWriteStepsTheRecordsGeneration) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  auto settles = [](Database& db) {  // the listener has caught up when it stops moving
    uint64_t g = db.RecordsGeneration();
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (db.RecordsGeneration() == g) return g;
      g = db.RecordsGeneration();
    }
    return g;
  };
  const uint64_t before_first = settles(*first);
  const uint64_t before_second = settles(*second);
  ASSERT_TRUE(first->Write([](Transaction& tx) { return InsertSquad(tx, Squad("Firsts")).status(); })
                  .ok());
  uint64_t seen = before_second;
  for (int i = 0; i < 100 && seen == before_second; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    seen = second->RecordsGeneration();
  }
  EXPECT_GT(seen, before_second) << "the other process never heard of the write";
  EXPECT_EQ(settles(*first), before_first + 1);
  // A read-only transaction notifies nobody.
  const uint64_t quiet = settles(*second);
  ASSERT_TRUE(first->Read([](Transaction& tx) {
                    QueryInt(tx, "SELECT count(*) FROM squads");
                    return absl::OkStatus();
                  }).ok());
  EXPECT_EQ(settles(*second), quiet);
}

// A lease (the flag monitor's clock wakes) is held by one process of the club at a time, and
// passes to another when its holder goes (its session, and the advisory lock with it).
TEST_F(PostgresDatabaseTest, ALeaseIsHeldByOneProcessAndPassesOnWhenItsHolderGoes) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->HoldLease("flag-monitor"));
  EXPECT_TRUE(first->HoldLease("flag-monitor"));  // still held: asking again keeps it
  EXPECT_FALSE(second->HoldLease("flag-monitor"));
  EXPECT_TRUE(second->HoldLease("another-lease"));  // leases are by name
  EXPECT_EQ(second->OtherProcessesWrites(), second->OtherProcessesWrites());
  first.reset();  // the holder dies
  bool taken = false;
  for (int i = 0; i < 50 && !taken; ++i) {
    taken = second->HoldLease("flag-monitor");
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(taken);
}

// An acknowledged write is on disk whatever the database's own default says: every connection
// sets synchronous_commit on (an operator's "off" would trade the last commits for speed).
TEST_F(PostgresDatabaseTest, EveryConnectionCommitsSynchronouslyWhateverTheServerDefault) {
  const std::string conninfo = server_->ConnectionString();
  ASSERT_EQ(Psql(conninfo, "ALTER DATABASE postgres SET synchronous_commit = off"), "");
  auto db = Open();
  ASSERT_NE(db, nullptr);
  std::string writer, reader;
  ASSERT_TRUE(db->Write([&](Transaction& tx) {
                  Statement q = tx.Prepare("SHOW synchronous_commit");
                  if (q.Step()) writer = q.ColumnText(0);
                  return absl::OkStatus();
                }).ok());
  ASSERT_TRUE(db->Read([&](Transaction& tx) {
                  Statement q = tx.Prepare("SHOW synchronous_commit");
                  if (q.Step()) reader = q.ColumnText(0);
                  return absl::OkStatus();
                }).ok());
  Psql(conninfo, "ALTER DATABASE postgres RESET synchronous_commit");
  EXPECT_EQ(writer, "on");
  EXPECT_EQ(reader, "on");
  EXPECT_EQ(Psql(conninfo, "SHOW synchronous_commit"), "on");  // reset for the other tests
}

// Two processes on one club (replicas, or the club-moving tool beside a server) write in turns:
// the club's advisory lock is held from BEGIN to COMMIT, so ids are handed out in commit order
// and a reader never sees id N+1 before N, which export cursors and flag sequences rely on.
TEST_F(PostgresDatabaseTest, WritersOfTwoProcessesSerialiseAndReadersNeverSeeALaterIdFirst) {
  auto first = Open();
  auto second = Open();
  auto reader = Open();
  ASSERT_TRUE(first && second && reader);
  std::atomic<bool> writing{true};
  std::mutex snapshots_mutex;
  std::vector<std::vector<int64_t>> snapshots;
  std::thread read([&] {
    while (writing.load()) {
      std::vector<int64_t> ids;
      ASSERT_TRUE(reader->Read([&](Transaction& tx) {
                          Statement q = tx.Prepare("SELECT id FROM squads ORDER BY id");
                          while (q.Step()) ids.push_back(q.ColumnInt(0));
                          return absl::OkStatus();
                        }).ok());
      std::lock_guard lock(snapshots_mutex);
      snapshots.push_back(std::move(ids));
    }
  });
  std::vector<std::thread> writers;
  std::atomic<int> acknowledged{0};
  for (int process = 0; process < 2; ++process) {
    Database* db = process == 0 ? first.get() : second.get();
    for (int t = 0; t < 2; ++t) {
      writers.emplace_back([&, db, process, t] {
        for (int i = 0; i < 60; ++i) {
          const absl::Status s = db->Write([&](Transaction& tx) -> absl::Status {
            auto squad = InsertSquad(tx, Squad(absl::StrCat(process, "-", t, "-", i)));
            if (!squad.ok()) return squad.status();
            // Hold the transaction a moment after taking the id: without the club's lock a
            // later id could commit meanwhile.
            if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
            return absl::OkStatus();
          });
          EXPECT_TRUE(s.ok()) << s;
          if (s.ok()) acknowledged++;
        }
      });
    }
  }
  for (auto& w : writers) w.join();
  writing = false;
  read.join();
  EXPECT_EQ(acknowledged.load(), 240);
  EXPECT_EQ(Count(*reader, "squads"), 240);
  std::vector<int64_t> all;
  ASSERT_TRUE(reader->Read([&](Transaction& tx) {
                      Statement q = tx.Prepare("SELECT id FROM squads ORDER BY id");
                      while (q.Step()) all.push_back(q.ColumnInt(0));
                      return absl::OkStatus();
                    }).ok());
  ASSERT_GT(snapshots.size(), 2u);
  for (const auto& seen : snapshots) {
    if (seen.empty()) continue;
    // Every id at or below the largest one seen was already there.
    const auto upto = std::upper_bound(all.begin(), all.end(), seen.back());
    EXPECT_EQ(std::vector<int64_t>(all.begin(), upto), seen);
  }
}

// The server's connections are cut (a database restart, a network blip, an operator's
// pg_terminate_backend): the next transaction finds its connection gone at BEGIN, before it has
// done anything, connects again and goes on; the caller sees nothing.
TEST_F(PostgresDatabaseTest, ALostConnectionIsMadeAgainByTheNextTransaction) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  const domain::Id player = AddPlayer(*db);
  Psql(server_->ConnectionString(),
       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
       "'touchline-server' AND pid <> pg_backend_pid()");
  int unavailable = 0;
  bool written = false;
  for (int attempt = 0; attempt < 3 && !written; ++attempt) {
    const absl::Status s = db->Write([&](Transaction& tx) -> absl::Status {
      ContactEventInserter inserter(tx);
      inserter.InsertIfNew(Event(player, attempt));
      return absl::OkStatus();
    });
    if (s.ok()) {
      written = true;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
      EXPECT_EQ(db->WriteHealth().code(), absl::StatusCode::kUnavailable);
      ++unavailable;
    }
  }
  EXPECT_TRUE(written);
  EXPECT_EQ(unavailable, 0);
  EXPECT_TRUE(db->WriteHealth().ok());
  EXPECT_EQ(Count(*db, "contact_events"), 1);  // readers reconnect too
}

// PostgreSQL stopped (crash-like, no shutdown checkpoint) while an import's transaction is
// half-way: the import fails, nothing of it is stored, what was acknowledged before survives
// recovery, and writes resume when the server is back without restarting Touchline.
TEST_F(PostgresDatabaseTest, TheServerStoppedMidImportKeepsNothingOfItAndWritesResume) {
  auto db = Open();
  ASSERT_NE(db, nullptr);
  const domain::Id player = AddPlayer(*db);
  std::atomic<int> inserted{0};
  std::thread stopper([&] {
    while (inserted.load() < 500) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_TRUE(server_->Stop("immediate").ok());
  });
  const absl::Status import = db->Write([&](Transaction& tx) -> absl::Status {
    ContactEventInserter inserter(tx);
    for (int i = 0; i < 1'000'000; ++i) {
      inserter.InsertIfNew(Event(player, i));
      inserted++;
    }
    return absl::OkStatus();
  });
  stopper.join();
  EXPECT_EQ(import.code(), absl::StatusCode::kUnavailable) << import;
  EXPECT_EQ(db->WriteHealth().code(), absl::StatusCode::kUnavailable);
  // While it is down: refused, not hung.
  EXPECT_EQ(db->Write([](Transaction&) { return absl::OkStatus(); }).code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok()) << server_->Log();
  absl::Status after;
  for (int attempt = 0; attempt < 20; ++attempt) {
    after = db->Write([&](Transaction& tx) -> absl::Status {
      return InsertSquad(tx, Squad("After")).status();
    });
    if (after.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(after.ok()) << after;
  EXPECT_EQ(Count(*db, "contact_events"), 0);
  EXPECT_EQ(Count(*db, "players"), 1);
  EXPECT_EQ(Count(*db, "squads"), 2);
}

// The disk under the club's largest table fills up: the write that needs the space fails
// RESOURCE_EXHAUSTED and leaves nothing, earlier records stay, and writes that need no new space
// go on. (The table is moved to a tablespace on a small tmpfs; needs root for the mount.)
TEST_F(PostgresDatabaseTest, AFullDiskIsResourceExhaustedAndTheWriteLeavesNothing) {
  const std::string dir = absl::StrCat("/tmp/touchline_pg_small_", ::getpid());
  std::filesystem::create_directories(dir);
  if (::geteuid() != 0 || ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=4m") != 0) {
    std::filesystem::remove(dir);
    GTEST_SKIP() << "needs root to mount a small tmpfs";
  }
  struct Unmount {
    std::string dir;
    ~Unmount() {
      ::umount2(dir.c_str(), MNT_DETACH);
      std::error_code ignored;
      std::filesystem::remove(dir, ignored);
    }
  } unmount{dir};
  ASSERT_EQ(std::system(absl::StrCat("chown postgres ", dir, " 2>/dev/null || true").c_str()), 0);
  auto db = Open();
  ASSERT_NE(db, nullptr);
  const domain::Id player = AddPlayer(*db);
  const std::string conninfo = server_->ConnectionString();
  const std::string space = absl::StrCat("small_", ::getpid(), "_", schema_);
  ASSERT_EQ(Psql(conninfo, absl::StrCat("CREATE TABLESPACE ", space, " LOCATION '", dir, "'")), "");
  ASSERT_EQ(Psql(conninfo, absl::StrCat("ALTER TABLE ", schema_, ".contact_events SET TABLESPACE ",
                                        space)),
            "");
  ASSERT_TRUE(db->Write([&](Transaction& tx) -> absl::Status {
                  ContactEventInserter inserter(tx);
                  for (int i = 0; i < 100; ++i) inserter.InsertIfNew(Event(player, i));
                  return absl::OkStatus();
                }).ok());
  const absl::Status full = db->Write([&](Transaction& tx) -> absl::Status {
    ContactEventInserter inserter(tx);
    for (int i = 100; i < 200'000; ++i) inserter.InsertIfNew(Event(player, i));
    return absl::OkStatus();
  });
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_THAT(std::string(full.message()), HasSubstr("full"));
  EXPECT_EQ(db->WriteHealth().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Count(*db, "contact_events"), 100);
  EXPECT_TRUE(db->Write([&](Transaction& tx) -> absl::Status {
                  return InsertSquad(tx, Squad("Seconds")).status();
                }).ok());
  EXPECT_TRUE(db->WriteHealth().ok());
  // Drop what lives there, so the tablespace can go with the mount.
  Psql(conninfo, absl::StrCat("DROP SCHEMA ", schema_, " CASCADE; DROP TABLESPACE ", space));
}

// A server that asks for a password: the one in --store_password_file's file is sent (the
// locator may not hold one), and without it the server is refused, not retried silently.
TEST_F(PostgresDatabaseTest, ThePasswordComesFromItsFile) {
  const std::string conninfo = server_->ConnectionString();
  const std::string role = absl::StrCat("club_user_", ::getpid());
  ASSERT_EQ(Psql(conninfo, absl::StrCat("CREATE ROLE ", role, " LOGIN PASSWORD 's3cret-pw'; "
                                        "GRANT CREATE ON DATABASE postgres TO ", role)),
            "");
  {  // Ask that role for a password on loopback, before the trust lines initdb wrote.
    const std::string hba = server_->folder() + "/data/pg_hba.conf";
    std::ifstream in(hba);
    std::stringstream old;
    old << in.rdbuf();
    std::ofstream(hba) << "host all " << role << " 127.0.0.1/32 scram-sha-256\n" << old.str();
    ASSERT_EQ(Psql(conninfo, "SELECT pg_reload_conf()"), "t");
  }
  DatabaseOptions o = Options();
  o.postgres = absl::StrCat("host=127.0.0.1 port=", server_->port(), " user=", role,
                            " dbname=postgres");
  auto refused = Database::Open(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("password"));

  const std::string file = absl::StrCat(::testing::TempDir(), "/pg-password-", ::getpid());
  std::ofstream(file) << "s3cret-pw\n";  // as a mounted secret often ends
  o.postgres_password_file = file;
  auto db = Open(o);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->Write([](Transaction& tx) { return InsertSquad(tx, Squad("Firsts")).status(); })
                  .ok());
  std::remove(file.c_str());
  o.postgres_password_file = file;  // gone now
  auto unreadable = Database::Open(o);
  EXPECT_EQ(unreadable.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(StoreLocatorTest, SelectsTheBackendAndRefusesAPasswordOnTheCommandLine) {
  DatabaseOptions o;
  ASSERT_TRUE(ApplyStoreLocator("sqlite:/var/lib/touchline/club.db", o).ok());
  EXPECT_EQ(o.path, "/var/lib/touchline/club.db");
  EXPECT_TRUE(o.postgres.empty());

  o.postgres_schema = "harlequins";
  ASSERT_TRUE(ApplyStoreLocator("postgresql://touchline@db.example/union", o).ok());
  EXPECT_EQ(o.postgres, "postgresql://touchline@db.example/union");
  EXPECT_EQ(o.path, "harlequins");  // where the files beside the store go by default
  ASSERT_TRUE(ApplyStoreLocator("postgresql:host=db.example dbname=union user=touchline", o).ok());
  EXPECT_EQ(o.postgres, "host=db.example dbname=union user=touchline");

  for (const char* with_password : {"postgresql://touchline:hunter2@db.example/union",
                                    "postgresql:host=db dbname=u password=hunter2"}) {
    const absl::Status s = ApplyStoreLocator(with_password, o);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << with_password;
    EXPECT_THAT(std::string(s.message()), HasSubstr("password"));
    EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("hunter2")));
  }
  EXPECT_EQ(ApplyStoreLocator("mysql://db/x", o).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyStoreLocator("sqlite:", o).code(), absl::StatusCode::kInvalidArgument);
  o.postgres_schema = "Robert'); DROP TABLE players;--";
  EXPECT_EQ(ApplyStoreLocator("postgresql://db/x", o).code(), absl::StatusCode::kInvalidArgument);
  o.postgres_schema = "pg_catalog";
  EXPECT_EQ(ApplyStoreLocator("postgresql://db/x", o).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace touchline::storage
