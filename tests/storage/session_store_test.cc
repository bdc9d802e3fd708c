// Sessions against a real SQLite file: round trip with participations, the (starts_at, id) cursor
// across squads (the export path), filters, foreign keys, idempotency keys, and that sessions are
// records the database refuses to change.
#include "server/storage/session_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/database.h"
#include "server/storage/record_store.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "server/storage/row_binding.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixMicros(1'700'000'000'123'456);

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenOrDie(tmp_.path());
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->Write([&](storage::Transaction& c) -> absl::Status {
                      for (const char* squad_name : {"First XV", "A team"}) {
                        domain::Squad s;
                        s.name = squad_name;
                        auto squad = InsertSquad(c, s);
                        if (!squad.ok()) return squad.status();
                        squads_.push_back(squad->id);
                        domain::Player p;
                        p.squad_id = squad->id;
                        p.name = absl::StrCat("Player of ", squad_name);
                        auto player = InsertPlayer(c, p);
                        if (!player.ok()) return player.status();
                        players_.push_back(player->id);
                      }
                      return absl::OkStatus();
                    }).ok());
  }

  domain::Session MakeSession(int squad_index, absl::Time at, const std::string& key,
                              domain::ExposureKind kind = domain::ExposureKind::kTraining) {
    domain::Session s;
    s.squad_id = squads_[squad_index];
    s.kind = kind;
    s.starts_at = at;
    s.duration_minutes = 90;
    s.title = "Tuesday contact";
    s.idempotency_key = key;
    s.recorded_at = kT0;
    s.recorded_by = "coach.sam";
    domain::SessionParticipation p;
    p.player_id = players_[squad_index];
    p.minutes = 75;
    p.full_contact_minutes = 10;
    p.controlled_contact_minutes = 20;
    p.live_set_piece_minutes = 15;
    s.participations.push_back(p);
    return s;
  }

  absl::StatusOr<domain::Session> Insert(const domain::Session& s) {
    absl::StatusOr<domain::Session> out = absl::UnknownError("not run");
    const absl::Status status = db_->Write([&](storage::Transaction& c) -> absl::Status {
      out = InsertSession(c, s);
      return out.status();
    });
    if (!status.ok()) return status;
    return out;
  }

  testing::TempDbPath tmp_;
  std::unique_ptr<Database> db_;
  std::vector<domain::Id> squads_, players_;
};

TEST_F(SessionStoreTest, RoundTripsWithParticipations) {
  auto stored = Insert(MakeSession(0, kT0, "k1"));
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    auto found = FindSession(c, stored->id);
                    EXPECT_TRUE(found.ok());
                    if (!found.ok()) return found.status();
                    EXPECT_EQ(found->squad_id, squads_[0]);
                    EXPECT_EQ(found->starts_at, kT0);  // microseconds kept
                    EXPECT_EQ(found->title, "Tuesday contact");
                    EXPECT_EQ(found->recorded_by, "coach.sam");
                    EXPECT_THAT(found->participations, ElementsAre(stored->participations[0]));
                    EXPECT_EQ(found->participations[0].live_set_piece_minutes, 15);
                    EXPECT_TRUE(FindSessionByKey(c, "k1").has_value());
                    EXPECT_FALSE(FindSessionByKey(c, "k2").has_value());
                    EXPECT_EQ(FindSession(c, stored->id + 1).status().code(),
                              absl::StatusCode::kNotFound);
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(SessionStoreTest, CursorWalksEverySquadByStartThenId) {
  std::vector<domain::Id> ids;
  // Inserted out of time order; two share a start.
  for (auto [squad, offset, key] : std::vector<std::tuple<int, int, std::string>>{
           {0, 2, "a"}, {1, 0, "b"}, {0, 1, "c"}, {1, 1, "d"}}) {
    auto s = Insert(MakeSession(squad, kT0 + absl::Hours(offset), key));
    ASSERT_TRUE(s.ok()) << s.status();
    ids.push_back(s->id);
  }
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    std::vector<domain::Id> seen;
                    PageCursor cursor;
                    for (;;) {
                      auto page = ListSessions(c, {}, cursor, 3);
                      for (const auto& s : page) {
                        seen.push_back(s.id);
                        EXPECT_EQ(s.participations.size(), 1u);
                      }
                      if (page.size() < 3) break;
                      cursor = {absl::ToUnixMicros(page.back().starts_at), page.back().id};
                    }
                    EXPECT_THAT(seen, ElementsAre(ids[1], ids[2], ids[3], ids[0]));
                    SessionFilter one;
                    one.squad_id = squads_[0];
                    one.start = kT0 + absl::Hours(1);
                    auto filtered = ListSessions(c, one, {}, 10);
                    EXPECT_EQ(filtered.size(), 2u);
                    one.end = kT0 + absl::Hours(2);
                    EXPECT_EQ(ListSessions(c, one, {}, 10).size(), 1u);
                    one.kind = domain::ExposureKind::kMatch;
                    EXPECT_TRUE(ListSessions(c, one, {}, 10).empty());
                    EXPECT_EQ(ListSessionsOfSquad(c, squads_[1], kT0, kT0 + absl::Hours(1)).size(),
                              1u);
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(SessionStoreTest, KeysAndForeignKeysAreEnforcedAndNothingIsHalfWritten) {
  ASSERT_TRUE(Insert(MakeSession(0, kT0, "k1")).ok());
  EXPECT_EQ(Insert(MakeSession(0, kT0, "k1")).status().code(), absl::StatusCode::kAlreadyExists);
  auto unknown_player = MakeSession(0, kT0, "k2");
  unknown_player.participations[0].player_id = 999;
  EXPECT_EQ(Insert(unknown_player).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    EXPECT_FALSE(FindSessionByKey(c, "k2").has_value());
                    EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM session_participations"),
                              1);
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(SessionStoreTest, SessionsAreRecordsTheDatabaseRefusesToChange) {
  auto stored = Insert(MakeSession(0, kT0, "k1"));
  ASSERT_TRUE(stored.ok());
  for (const char* sql : {"UPDATE sessions SET duration_minutes = 1",
                          "DELETE FROM sessions",
                          "UPDATE session_participations SET minutes = 1",
                          "DELETE FROM session_participations"}) {
    const absl::Status status = db_->Write([&](storage::Transaction& c) -> absl::Status {
      c.Execute(sql);
      return absl::OkStatus();
    });
    EXPECT_FALSE(status.ok()) << sql;
    EXPECT_THAT(status.message(), HasSubstr("sessions are records")) << sql;
  }
}

}  // namespace
}  // namespace touchline::storage
