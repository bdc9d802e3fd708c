// Storage faults through the real storage layer (Database::Write / the record store), with SQLite's
// own controls standing in for the fault, because these tests run as root (file modes do not stop
// root) and without mount/tmpfs:
//  * full disk: PRAGMA max_page_count on the writer connection caps the file, so SQLite returns
//    SQLITE_FULL from the same code path it takes when the disk has no space left (ENOSPC);
//  * read-only: PRAGMA query_only = ON on the writer connection makes every write fail with
//    SQLITE_READONLY, the code SQLite gives for a read-only file or directory.
// Both are set through Database::Write's own connection, so no test-only hook is needed. query_only
// also refuses BEGIN IMMEDIATE, so it cannot be lifted through Write: the test keeps the writer's
// sqlite3 handle from the Write that set it and lifts it there (no write is in flight then).
// Checked: the mapped status (RESOURCE_EXHAUSTED / UNAVAILABLE), nothing partial stored, PRAGMA
// integrity_check ok, and the same Database object serving writes again once the fault clears.
#include <string>

#include <sqlite3.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/storage/database.h"
#include "server/storage/record_store.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

using testing::OpenOrDie;
using testing::TempDbPath;

int64_t CountSquads(Database& db) {
  int64_t n = -1;
  EXPECT_TRUE(db.Read([&](storage::Transaction& c) {
                  n = SqliteConnectionOf(c).execAndGet("SELECT count(*) FROM squads").getInt64();
                  return absl::OkStatus();
                }).ok());
  return n;
}

std::string IntegrityCheck(Database& db) {
  std::string result;
  EXPECT_TRUE(db.Read([&](storage::Transaction& c) {
                  result = SqliteConnectionOf(c).execAndGet("PRAGMA integrity_check").getString();
                  return absl::OkStatus();
                }).ok());
  return result;
}

absl::Status Pragma(Database& db, const std::string& sql) {
  return db.Write([&](storage::Transaction& c) {
    SqliteConnectionOf(c).exec(sql);
    return absl::OkStatus();
  });
}

domain::Squad NewSquad(const std::string& name) {
  domain::Squad squad;
  squad.name = name;
  squad.created_at = squad.updated_at = absl::Now();
  return squad;
}

// Inserts `count` squads with large names in one transaction.
absl::Status InsertBatch(Database& db, const std::string& prefix, int count) {
  return db.Write([&](storage::Transaction& c) -> absl::Status {
    for (int i = 0; i < count; ++i) {
      auto squad = InsertSquad(c, NewSquad(absl::StrCat(prefix, "-", i, "-", std::string(2000, 'x'))));
      if (!squad.ok()) return squad.status();
    }
    return absl::OkStatus();
  });
}

TEST(StorageFaults, FullDiskIsResourceExhaustedStoresNothingPartialAndRecovers) {
  TempDbPath path;
  auto db = OpenOrDie(path.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(InsertBatch(*db, "before", 3).ok());
  ASSERT_EQ(CountSquads(*db), 3);

  // Cap the file a few pages above its current size: the batch below starts fine and runs out of
  // space part-way, which is the case that must not leave half a write behind.
  int64_t pages = 0;
  ASSERT_TRUE(db->Write([&](storage::Transaction& c) {
                  pages = SqliteConnectionOf(c).execAndGet("PRAGMA page_count").getInt64();
                  SqliteConnectionOf(c).exec(absl::StrCat("PRAGMA max_page_count = ", pages + 3));
                  return absl::OkStatus();
                }).ok());

  absl::Status full = InsertBatch(*db, "during", 200);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_NE(full.message().find("full"), std::string::npos) << full;
  EXPECT_EQ(CountSquads(*db), 3) << "a write that hit a full disk left rows behind";
  EXPECT_EQ(IntegrityCheck(*db), "ok");
  // Reads keep working while the disk is full.
  EXPECT_EQ(CountSquads(*db), 3);

  // The fault clears (space freed): the same open database takes writes again, by itself.
  ASSERT_TRUE(Pragma(*db, "PRAGMA max_page_count = 4294967294").ok());
  absl::Status after = InsertBatch(*db, "after", 200);
  EXPECT_TRUE(after.ok()) << after;
  EXPECT_EQ(CountSquads(*db), 203);
  EXPECT_EQ(IntegrityCheck(*db), "ok");
}

TEST(StorageFaults, ReadOnlyDatabaseIsUnavailableChangesNothingAndRecovers) {
  TempDbPath path;
  auto db = OpenOrDie(path.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(InsertBatch(*db, "before", 2).ok());

  sqlite3* writer = nullptr;
  ASSERT_TRUE(db->Write([&](storage::Transaction& c) {
                  writer = SqliteConnectionOf(c).getHandle();
                  SqliteConnectionOf(c).exec("PRAGMA query_only = ON");
                  return absl::OkStatus();
                }).ok());
  absl::Status readonly = InsertBatch(*db, "during", 5);
  EXPECT_EQ(readonly.code(), absl::StatusCode::kUnavailable) << readonly;
  EXPECT_NE(readonly.message().find("read-only"), std::string::npos) << readonly;
  // An update of an existing row is refused too, and leaves it as it was.
  absl::Status update = db->Write([&](storage::Transaction& c) -> absl::Status {
    auto squad = FindSquad(c, 1);
    if (!squad.ok()) return squad.status();
    squad->name = "renamed";
    return UpdateSquad(c, *squad);
  });
  EXPECT_EQ(update.code(), absl::StatusCode::kUnavailable) << update;
  EXPECT_EQ(CountSquads(*db), 2);
  std::string name;
  ASSERT_TRUE(db->Read([&](storage::Transaction& c) {
                  auto squad = FindSquad(c, 1);
                  if (squad.ok()) name = squad->name;
                  return squad.status();
                }).ok());
  EXPECT_NE(name, "renamed");
  EXPECT_EQ(IntegrityCheck(*db), "ok");

  // The fault clears: the same open database takes writes again, without a reopen.
  ASSERT_EQ(sqlite3_exec(writer, "PRAGMA query_only = OFF", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_TRUE(InsertBatch(*db, "after", 5).ok());
  EXPECT_EQ(CountSquads(*db), 7);
  EXPECT_EQ(IntegrityCheck(*db), "ok");
}

TEST(StorageFaults, FullDiskStateSurvivesReopen) {
  // After a full-disk failure and a restart the file opens cleanly with exactly the committed rows.
  TempDbPath path;
  {
    auto db = OpenOrDie(path.path());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(InsertBatch(*db, "before", 4).ok());
    ASSERT_TRUE(Pragma(*db, "PRAGMA max_page_count = 1").ok());  // clamps to the current size
    EXPECT_EQ(InsertBatch(*db, "during", 50).code(), absl::StatusCode::kResourceExhausted);
  }
  auto db = OpenOrDie(path.path());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(CountSquads(*db), 4);
  EXPECT_EQ(IntegrityCheck(*db), "ok");
  EXPECT_TRUE(InsertBatch(*db, "after", 3).ok());
}

}  // namespace
}  // namespace touchline::storage
