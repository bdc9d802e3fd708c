// Which players a write changed, as the readiness board's per-player recomputation relies on: every
// table of the schema has an owner rule, writes report the players they touched (through joins
// for check-ins, prescriptions, adherence), roster changes and large writes report "everyone", a
// rolled-back write reports nothing, and an answer older than the kept writes is "not known".
#include <set>

#include <gtest/gtest.h>

#include "server/storage/protocol_store.h"
#include "server/storage/record_changes.h"
#include "server/storage/record_store.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

class RecordChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions options;
    options.path = path_.path();
    options.synchronous_full = false;
    auto db = Database::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->Write([&](storage::Transaction& conn) -> absl::Status {
                     domain::Squad squad;
                     squad.name = "Firsts";
                     auto s = InsertSquad(conn, squad);
                     if (!s.ok()) return s.status();
                     for (const char* name : {"Ana", "Ben", "Cai"}) {
                       domain::Player p;
                       p.squad_id = s->id;
                       p.name = name;
                       auto player = InsertPlayer(conn, p);
                       if (!player.ok()) return player.status();
                       players_.push_back(player->id);
                     }
                     return absl::OkStatus();
                   }).ok());
  }

  // The players reported for one write of `work`.
  std::optional<std::vector<int64_t>> ChangedBy(
      absl::FunctionRef<absl::Status(storage::Transaction&)> work) {
    const uint64_t before = db_->RecordsGeneration();
    EXPECT_TRUE(db_->Write(work).ok());
    return db_->PlayersChangedSince(before);
  }

  domain::Complaint ComplaintOf(domain::Id player) {
    domain::Complaint c;
    c.player_id = player;
    c.onset_at = absl::FromUnixSeconds(1'800'000'000);
    c.created_at = c.updated_at = c.onset_at;
    return c;
  }

  testing::TempDbPath path_;
  std::unique_ptr<Database> db_;
  std::vector<domain::Id> players_;
};

TEST_F(RecordChangesTest, EveryTableOfTheSchemaHasAnOwnerRule) {
  std::vector<std::string> tables;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& conn) -> absl::Status {
                   Statement q =
                       conn.Prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'");
                   while (q.Step()) {
                     const std::string name = q.ColumnText(0);
                     const std::string sql = q.ColumnText(1);
                     tables.push_back(name);
                     const auto rule = OwnershipOfTable(name);
                     EXPECT_TRUE(rule.has_value())
                         << name << " has no rule in server/storage/record_changes.cc";
                     // SQLite's update hook does not see WITHOUT ROWID tables: they must say so
                     // (or be no player's record at all).
                     if (rule && sql.find("WITHOUT ROWID") != std::string::npos) {
                       EXPECT_TRUE(rule->owner == RowOwner::kUnreported ||
                                   rule->owner == RowOwner::kNone)
                           << name;
                     }
                     if (rule && rule->owner == RowOwner::kPlayer) {
                       // The rule's query is valid SQL on this schema.
                       Statement check = conn.Prepare(rule->player_of_row_sql);
                       EXPECT_EQ(check.ParameterCount(), 1) << name;
                     }
                   }
                   return absl::OkStatus();
                 }).ok());
  EXPECT_GT(tables.size(), 15u);
  EXPECT_FALSE(OwnershipOfTable("a_table_of_a_later_migration").has_value());
}

TEST_F(RecordChangesTest, WritesReportThePlayersTheyTouched) {
  TOUCHLINE_SQLITE_ONLY("players changed per write come from SQLite's update hook; PostgreSQL says every player");
  domain::Id complaint = 0;
  auto changed = ChangedBy([&](storage::Transaction& conn) -> absl::Status {
    auto c = InsertComplaint(conn, ComplaintOf(players_[1]));
    if (!c.ok()) return c.status();
    complaint = c->id;
    return absl::OkStatus();
  });
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(*changed, std::vector<int64_t>{players_[1]});

  // A check-in names its complaint, not its player: found through the join.
  changed = ChangedBy([&](storage::Transaction& conn) -> absl::Status {
    domain::CheckIn ci;
    ci.complaint_id = complaint;
    ci.checked_at = absl::FromUnixSeconds(1'800'000'100);
    return InsertCheckIn(conn, ci).status();
  });
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(*changed, std::vector<int64_t>{players_[1]});

  // A protocol assignment with its prescription; and two players in one write.
  changed = ChangedBy([&](storage::Transaction& conn) -> absl::Status {
    ProtocolAssignment a;
    a.player_id = players_[2];
    a.session_at = absl::FromUnixSeconds(1'800'000'000);
    StoredPrescription pre;
    pre.timing = kTimingPre;
    a.prescriptions.push_back(pre);
    if (auto s = InsertAssignment(conn, a); !s.ok()) return s.status();
    return InsertComplaint(conn, ComplaintOf(players_[0])).status();
  });
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(*changed, (std::vector<int64_t>{players_[0], players_[2]}));

  // Across several writes, every player since the generation asked about.
  const uint64_t g = db_->RecordsGeneration();
  ChangedBy([&](storage::Transaction& conn) {
    return InsertComplaint(conn, ComplaintOf(players_[2])).status();
  });
  ChangedBy([&](storage::Transaction& conn) {
    return InsertComplaint(conn, ComplaintOf(players_[1])).status();
  });
  EXPECT_EQ(db_->PlayersChangedSince(g), (std::vector<int64_t>{players_[1], players_[2]}));
  EXPECT_EQ(db_->PlayersChangedSince(db_->RecordsGeneration()), std::vector<int64_t>{});
}

TEST_F(RecordChangesTest, RosterChangesAndLargeWritesAreEveryone) {
  TOUCHLINE_SQLITE_ONLY("players changed per write come from SQLite's update hook; PostgreSQL says every player");
  EXPECT_FALSE(ChangedBy([&](storage::Transaction& conn) -> absl::Status {
                 auto p = FindPlayer(conn, players_[0]);
                 if (!p.ok()) return p.status();
                 p->name = "Ana B";
                 return UpdatePlayer(conn, *p);
               }).has_value());
  EXPECT_FALSE(ChangedBy([&](storage::Transaction& conn) -> absl::Status {
                 for (int i = 0; i < 100; ++i) {
                   auto c = InsertComplaint(conn, ComplaintOf(players_[i % 3]));
                   if (!c.ok()) return c.status();
                 }
                 return absl::OkStatus();
               }).has_value());
  // Once past, a later generation is known again.
  const auto changed = ChangedBy([&](storage::Transaction& conn) {
    return InsertComplaint(conn, ComplaintOf(players_[0])).status();
  });
  EXPECT_EQ(changed, std::vector<int64_t>{players_[0]});
}

TEST_F(RecordChangesTest, ARolledBackWriteChangesNobodyAndOldGenerationsAreNotKnown) {
  TOUCHLINE_SQLITE_ONLY("players changed per write come from SQLite's update hook; PostgreSQL says every player");
  const uint64_t before = db_->RecordsGeneration();
  EXPECT_EQ(db_->Write([&](storage::Transaction& conn) -> absl::Status {
              if (auto c = InsertComplaint(conn, ComplaintOf(players_[0])); !c.ok()) {
                return c.status();
              }
              return absl::FailedPreconditionError("changed my mind");
            }).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_GT(db_->RecordsGeneration(), before);
  EXPECT_EQ(db_->PlayersChangedSince(before), std::vector<int64_t>{});
  // More writes than are kept: the oldest generation is no longer answerable.
  for (int i = 0; i < 1100; ++i) {
    ASSERT_TRUE(db_->Write([](storage::Transaction&) { return absl::OkStatus(); }).ok());
  }
  EXPECT_FALSE(db_->PlayersChangedSince(before).has_value());
  EXPECT_TRUE(db_->PlayersChangedSince(db_->RecordsGeneration() - 5).has_value());
}

}  // namespace
}  // namespace touchline::storage
