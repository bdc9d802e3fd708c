// The audit log's own file: created beside the database, paired with it, taking over the audit
// events an older database kept itself (ids kept, resumable, never deleted from the database), and
// refused when missing or belonging to another database.
#include "server/storage/audit_log_store.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "SQLiteCpp/Database.h"
#include "absl/strings/str_cat.h"
#include "server/storage/migrations.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

using ::testing::HasSubstr;
using testing::OpenOrDie;
using testing::TempDbPath;

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

AuditRecord Event(int n) {
  AuditRecord r;
  r.occurred_at = kNow - absl::Hours(1000 - n);
  r.user = absl::StrCat("physio-", n % 3);
  r.role = 2;
  r.method = absl::StrCat("/touchline.v1.ReadinessService/GetSquadReadiness#", n);
  r.squad_id = n % 2 == 0 ? 1 : 0;
  r.outcome = "OK";
  // Some name a few players (a row each), some a whole board (packed in the event's row).
  const int players = n % 4 == 0 ? 30 : n % 3;
  for (int p = 1; p <= players; ++p) r.player_ids.push_back(p * 10 + n);
  return r;
}

// A database as schema v8 left it: its audit events in its own tables.
std::vector<int64_t> MakeVersion8DatabaseWithAuditEvents(const std::string& path, int events) {
  SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  raw.exec("PRAGMA journal_mode = WAL");
  EXPECT_TRUE(MigrateTo(raw, 8).ok());
  std::vector<int64_t> ids;
  for (int n = 0; n < events; ++n) {
    SqliteTransaction raw_tx(raw);
    auto id = AppendAuditEvent(raw_tx, Event(n));
    EXPECT_TRUE(id.ok()) << id.status();
    ids.push_back(id.value_or(0));
  }
  return ids;
}

// The log beside `clinical`, where the server keeps it.
absl::StatusOr<std::unique_ptr<Database>> OpenLogBeside(Database& clinical, absl::Time now) {
  DatabaseOptions options;
  options.path = AuditLogPathFor(clinical.path());
  return OpenAuditLog(clinical, options, now);
}

std::vector<AuditRecord> AllEvents(Database& log) {
  std::vector<AuditRecord> events;
  EXPECT_TRUE(log.Read([&](storage::Transaction& conn) {
                   events = ListAuditEvents(conn, {}, 0, 1'000'000);
                   return absl::OkStatus();
                 }).ok());
  return events;  // newest first
}

int64_t CountIn(const std::string& path, const std::string& table) {
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  return raw.execAndGet(absl::StrCat("SELECT count(*) FROM ", table)).getInt64();
}

std::optional<int64_t> MovedAt(const std::string& clinical_path) {
  SQLite::Database raw(clinical_path, SQLite::OPEN_READONLY);
  SQLite::Column moved = raw.execAndGet("SELECT audit_log_moved_at FROM store_identity");
  if (moved.isNull()) return std::nullopt;
  return moved.getInt64();
}

TEST(AuditLogStoreTest, ANewDatabaseGetsItsAuditLogBesideIt) {
  TOUCHLINE_SQLITE_ONLY("the audit log's file beside the database file");
  TempDbPath tmp;
  auto clinical = OpenOrDie(tmp.path());
  auto log = OpenLogBeside(*clinical, kNow);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->path(), tmp.path() + ".audit");
  EXPECT_EQ((*log)->kind(), StoreKind::kAuditLog);
  EXPECT_EQ(MovedAt(tmp.path()), absl::ToUnixMicros(kNow));

  ASSERT_TRUE((*log)->Write([](storage::Transaction& conn) {
                     return AppendAuditEvent(conn, Event(4)).status();
                   }).ok());
  const auto events = AllEvents(**log);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].method, Event(4).method);
  EXPECT_EQ(events[0].player_ids, Event(4).player_ids);
  EXPECT_EQ(CountIn(tmp.path(), "audit_events"), 0);
}

TEST(AuditLogStoreTest, AppendingToTheAuditLogLeavesTheDatabaseUnchanged) {
  TOUCHLINE_SQLITE_ONLY("the audit log's file beside the database file");
  // The reason for the file of its own: a commit to the database makes every reader drop its page
  // cache. PRAGMA data_version changes exactly when another connection has committed.
  TempDbPath tmp;
  auto clinical = OpenOrDie(tmp.path());
  auto log = OpenLogBeside(*clinical, kNow);
  ASSERT_TRUE(log.ok()) << log.status();
  SQLite::Database reader(tmp.path(), SQLite::OPEN_READONLY);
  const int before = reader.execAndGet("PRAGMA data_version").getInt();
  const uint64_t generation = clinical->RecordsGeneration();
  for (int n = 0; n < 10; ++n) {
    ASSERT_TRUE((*log)->Write([&](storage::Transaction& conn) {
                       return AppendAuditEvent(conn, Event(n)).status();
                     }).ok());
  }
  EXPECT_EQ(reader.execAndGet("PRAGMA data_version").getInt(), before);
  EXPECT_EQ(clinical->RecordsGeneration(), generation);
  EXPECT_EQ(AllEvents(**log).size(), 10u);
}

TEST(AuditLogStoreTest, AnOlderDatabasesAuditEventsMoveWithTheirIdsAndStayWhereTheyWere) {
  TOUCHLINE_SQLITE_ONLY("the audit log's file beside the database file");
  TempDbPath tmp;
  const std::vector<int64_t> ids = MakeVersion8DatabaseWithAuditEvents(tmp.path(), 40);
  const int64_t player_rows = CountIn(tmp.path(), "audit_event_players");
  ASSERT_GT(player_rows, 0);
  auto clinical = OpenOrDie(tmp.path());  // migrates to v9
  ASSERT_FALSE(MovedAt(tmp.path()).has_value());
  auto log = OpenLogBeside(*clinical, kNow);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(MovedAt(tmp.path()).has_value());

  const auto events = AllEvents(**log);
  ASSERT_EQ(events.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const AuditRecord& moved = events[ids.size() - 1 - i];  // newest first
    const AuditRecord expected = Event(static_cast<int>(i));
    EXPECT_EQ(moved.id, ids[i]);
    EXPECT_EQ(moved.occurred_at, expected.occurred_at);
    EXPECT_EQ(moved.user, expected.user);
    EXPECT_EQ(moved.method, expected.method);
    EXPECT_EQ(moved.squad_id, expected.squad_id);
    EXPECT_EQ(moved.player_ids, expected.player_ids) << "event " << i;
  }
  EXPECT_EQ(CountIn(tmp.path() + ".audit", "audit_event_players"), player_rows);
  // Nothing is deleted from the database; nothing more may be appended there.
  EXPECT_EQ(CountIn(tmp.path(), "audit_events"), static_cast<int64_t>(ids.size()));
  EXPECT_FALSE(clinical->Write([](storage::Transaction& conn) {
                         return AppendAuditEvent(conn, Event(99)).status();
                       }).ok());
  // The log continues after the moved ids: page tokens (ids) stay valid across the move.
  auto next = (*log)->Write([](storage::Transaction& conn) {
    return AppendAuditEvent(conn, Event(41)).status();
  });
  ASSERT_TRUE(next.ok()) << next;
  EXPECT_EQ(AllEvents(**log).front().id, ids.back() + 1);

  // A later start copies nothing again.
  log->reset();
  auto reopened = OpenLogBeside(*clinical, kNow + absl::Hours(1));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(AllEvents(**reopened).size(), ids.size() + 1);
}

TEST(AuditLogStoreTest, AMoveInterruptedBeforeItWasRecordedResumesWithoutDuplicates) {
  TOUCHLINE_SQLITE_ONLY("the audit log's file beside the database file");
  TempDbPath tmp;
  const std::vector<int64_t> ids = MakeVersion8DatabaseWithAuditEvents(tmp.path(), 30);
  auto clinical = OpenOrDie(tmp.path());
  std::string store_id;
  {
    SQLite::Database raw(tmp.path(), SQLite::OPEN_READONLY);
    store_id = raw.execAndGet("SELECT store_id FROM store_identity").getString();
  }
  // What a crash leaves: the log created and claimed, holding the first 12 events (as if a copy
  // of an earlier version of this database had been committed), the move not recorded.
  {
    DatabaseOptions options;
    options.path = tmp.path() + ".audit";
    options.kind = StoreKind::kAuditLog;
    auto partial = Database::Open(options);
    ASSERT_TRUE(partial.ok()) << partial.status();
  }
  {
    SQLite::Database raw(tmp.path() + ".audit", SQLite::OPEN_READWRITE);
    SQLite::Statement attach(raw, "ATTACH DATABASE ? AS clinical");
    attach.bind(1, tmp.path());
    attach.exec();
    SQLite::Statement claim(raw, "INSERT INTO audit_log_owner VALUES (1, ?, 0)");
    claim.bind(1, store_id);
    claim.exec();
    raw.exec("INSERT INTO main.audit_events (id, occurred_at, user_name, role, method, squad_id, "
             "outcome, packed_player_ids) SELECT * FROM clinical.audit_events WHERE id <= " +
             std::to_string(ids[11]));
    raw.exec("INSERT INTO main.audit_event_players SELECT * FROM clinical.audit_event_players "
             "WHERE event_id <= " + std::to_string(ids[11]));
  }
  ASSERT_FALSE(MovedAt(tmp.path()).has_value());

  auto log = OpenLogBeside(*clinical, kNow);
  ASSERT_TRUE(log.ok()) << log.status();
  const auto events = AllEvents(**log);
  ASSERT_EQ(events.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(events[ids.size() - 1 - i].id, ids[i]);
    EXPECT_EQ(events[ids.size() - 1 - i].player_ids, Event(static_cast<int>(i)).player_ids);
  }
  EXPECT_EQ(CountIn(tmp.path() + ".audit", "audit_event_players"),
            CountIn(tmp.path(), "audit_event_players"));
  EXPECT_TRUE(MovedAt(tmp.path()).has_value());
}

TEST(AuditLogStoreTest, AMissingAuditLogIsRefusedOnceItHasTakenOver) {
  TOUCHLINE_SQLITE_ONLY("the audit log's file beside the database file");
  TempDbPath tmp;
  auto clinical = OpenOrDie(tmp.path());
  { ASSERT_TRUE(OpenLogBeside(*clinical, kNow).ok()); }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(tmp.path() + ".audit" + suffix);
  }
  auto log = OpenLogBeside(*clinical, kNow);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(log.status().message(), HasSubstr(tmp.path() + ".audit"));
  EXPECT_THAT(log.status().message(), HasSubstr("is missing"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + ".audit")) << "recreated empty";
}

TEST(AuditLogStoreTest, TheAuditLogOfAnotherDatabaseIsRefused) {
  TOUCHLINE_SQLITE_ONLY("the audit log's file beside the database file");
  TempDbPath ours, theirs;
  auto their_db = OpenOrDie(theirs.path());
  { ASSERT_TRUE(OpenLogBeside(*their_db, kNow).ok()); }
  auto our_db = OpenOrDie(ours.path());
  DatabaseOptions options;
  options.path = theirs.path() + ".audit";
  auto log = OpenAuditLog(*our_db, options, kNow);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(log.status().message(), HasSubstr("audit log of another Touchline database"));
  EXPECT_FALSE(MovedAt(ours.path()).has_value());
}

TEST(AuditLogStoreTest, TheTwoKindsOfFileAreNotMistakenForEachOther) {
  TOUCHLINE_SQLITE_ONLY("the audit log's file beside the database file");
  TempDbPath tmp;
  auto clinical = OpenOrDie(tmp.path());
  { ASSERT_TRUE(OpenLogBeside(*clinical, kNow).ok()); }
  DatabaseOptions as_log;
  as_log.path = tmp.path();
  as_log.kind = StoreKind::kAuditLog;
  auto wrong_log = Database::Open(as_log);
  ASSERT_FALSE(wrong_log.ok());
  EXPECT_EQ(wrong_log.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong_log.status().message(),
              HasSubstr("it is a Touchline database, not a Touchline audit log"));
  DatabaseOptions as_clinical;
  as_clinical.path = tmp.path() + ".audit";
  auto wrong_db = Database::Open(as_clinical);
  ASSERT_FALSE(wrong_db.ok());
  EXPECT_THAT(wrong_db.status().message(),
              HasSubstr("it is a Touchline audit log, not a Touchline database"));
}

}  // namespace
}  // namespace touchline::storage
