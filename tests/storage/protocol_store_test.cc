// Protocol assignments, prescriptions and adherence against a real SQLite file: round trips (blobs
// byte for byte), paging newest first, the session window, and append-only enforcement.
#include "server/storage/protocol_store.h"

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

class ProtocolStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenOrDie(tmp_.path());
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->Write([&](storage::Transaction& c) -> absl::Status {
                      domain::Squad s;
                      s.name = "First XV";
                      auto squad = InsertSquad(c, s);
                      if (!squad.ok()) return squad.status();
                      for (const char* name : {"Ana", "Ben"}) {
                        domain::Player p;
                        p.squad_id = squad->id;
                        p.name = name;
                        auto player = InsertPlayer(c, p);
                        if (!player.ok()) return player.status();
                        players_.push_back(player->id);
                      }
                      return absl::OkStatus();
                    }).ok());
  }

  static StoredPrescription Prescription(int timing, const std::string& exercise,
                                         std::string body) {
    StoredPrescription p;
    p.timing = timing;
    p.protocol = "piriformis-4-sign";
    p.exercise = exercise;
    p.complaint_id = 7;
    p.plugin_name = "piriformis-4-sign";
    p.plugin_version = "1.0.0";
    p.body = std::move(body);
    return p;
  }

  ProtocolAssignment Assign(domain::Id player, absl::Time session_at, int prescriptions = 2) {
    ProtocolAssignment a;
    a.player_id = player;
    a.session_label = "Tuesday training";
    a.session_kind = 1;
    a.session_at = session_at;
    a.assigned_at = kT0;
    a.assigned_by = "physio.anna";
    a.failures = std::string("\x22\x05\x0a\x03" "bad", 9);
    for (int i = 0; i < prescriptions; ++i) {
      a.prescriptions.push_back(Prescription(i % 2 == 0 ? kTimingPre : kTimingPost,
                                             "Piriformis 4-sign isometric",
                                             std::string("\x0a\x00\xff\x01", 4) + char('a' + i)));
    }
    ProtocolAssignment out;
    EXPECT_TRUE(db_->Write([&](storage::Transaction& c) -> absl::Status {
                      auto inserted = InsertAssignment(c, a);
                      if (!inserted.ok()) return inserted.status();
                      out = *inserted;
                      return absl::OkStatus();
                    }).ok());
    return out;
  }

  testing::TempDbPath tmp_;
  std::unique_ptr<Database> db_;
  std::vector<domain::Id> players_;
};

TEST_F(ProtocolStoreTest, AssignmentRoundTripsWithBlobsByteForByte) {
  ProtocolAssignment a = Assign(players_[0], kT0 + absl::Hours(2));
  ASSERT_GT(a.id, 0);
  ASSERT_EQ(a.prescriptions.size(), 2u);
  EXPECT_GT(a.prescriptions[0].id, 0);
  EXPECT_EQ(a.prescriptions[1].seq, 1);
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    auto found = FindAssignment(c, a.id);
                    if (!found.ok()) return found.status();
                    EXPECT_EQ(found->player_id, players_[0]);
                    EXPECT_EQ(found->session_label, "Tuesday training");
                    EXPECT_EQ(found->session_kind, 1);
                    EXPECT_EQ(found->session_at, kT0 + absl::Hours(2));
                    EXPECT_EQ(found->assigned_at, kT0);
                    EXPECT_EQ(found->assigned_by, "physio.anna");
                    EXPECT_EQ(found->failures, a.failures);
                    EXPECT_EQ(found->failures.size(), 9u);
                    EXPECT_EQ(found->prescriptions.size(), 2u);
                    for (size_t i = 0; i < found->prescriptions.size(); ++i) {
                      const auto& p = found->prescriptions[i];
                      EXPECT_EQ(p.id, a.prescriptions[i].id);
                      EXPECT_EQ(p.body, a.prescriptions[i].body);
                      EXPECT_EQ(p.body.size(), 5u);
                      EXPECT_EQ(p.timing, i == 0 ? kTimingPre : kTimingPost);
                      EXPECT_EQ(p.complaint_id, 7);
                      EXPECT_EQ(p.plugin_version, "1.0.0");
                    }
                    auto p = FindPrescription(c, a.prescriptions[1].id);
                    if (!p.ok()) return p.status();
                    EXPECT_EQ(p->assignment_id, a.id);
                    EXPECT_EQ(FindAssignment(c, a.id + 100).status().code(),
                              absl::StatusCode::kNotFound);
                    EXPECT_EQ(FindPrescription(c, 999).status().code(),
                              absl::StatusCode::kNotFound);
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(ProtocolStoreTest, UnknownPlayerIsNotFoundAndNothingIsStored) {
  ProtocolAssignment a;
  a.player_id = 999;
  a.prescriptions.push_back(Prescription(kTimingPre, "X", "b"));
  absl::Status status = db_->Write([&](storage::Transaction& c) {
    return InsertAssignment(c, a).status();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) {
                    EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM protocol_prescriptions"),
                              0);
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(ProtocolStoreTest, ListsNewestFirstInPagesWithAdherenceOldestFirst) {
  std::vector<domain::Id> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Assign(players_[0], kT0 + absl::Hours(24 * i)).id);
  Assign(players_[1], kT0);
  const ProtocolAssignment first = [&] {
    ProtocolAssignment a;
    EXPECT_TRUE(db_->Read([&](storage::Transaction& c) {
                      a = *FindAssignment(c, ids[0]);
                      return absl::OkStatus();
                    }).ok());
    return a;
  }();
  for (int status : {2, 1}) {
    ASSERT_TRUE(db_->Write([&](storage::Transaction& c) -> absl::Status {
                      AdherenceRecord d;
                      d.prescription_id = first.prescriptions[0].id;
                      d.adherence = status;
                      d.pain = status == 2 ? 4 : 1;
                      d.note = status == 2 ? "stopped at set 3" : "all four sets";
                      d.recorded_at = kT0 + absl::Minutes(status);
                      d.recorded_by = "player.ben";
                      return AppendAdherence(c, d).status();
                    }).ok());
  }
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) -> absl::Status {
                    auto page1 = ListAssignments(c, players_[0], 0, 3);
                    if (page1.size() != 3u) return absl::InternalError("page1");
                    EXPECT_EQ(page1[0].id, ids[4]);
                    EXPECT_EQ(page1[2].id, ids[2]);
                    auto page2 = ListAssignments(c, players_[0], page1.back().id, 3);
                    if (page2.size() != 2u) return absl::InternalError("page2");
                    EXPECT_EQ(page2[1].id, ids[0]);
                    const auto& adherence = page2[1].prescriptions[0].adherence;
                    if (adherence.size() != 2u) return absl::InternalError("adherence");
                    EXPECT_EQ(adherence[0].adherence, 2);
                    EXPECT_EQ(adherence[0].pain, 4);
                    EXPECT_EQ(adherence[0].note, "stopped at set 3");
                    EXPECT_EQ(adherence[1].adherence, 1);
                    EXPECT_EQ(adherence[1].assignment_id, ids[0]);
                    EXPECT_EQ(adherence[1].recorded_by, "player.ben");
                    EXPECT_EQ(adherence[1].recorded_at, kT0 + absl::Minutes(1));
                    EXPECT_TRUE(page2[1].prescriptions[1].adherence.empty());
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(ProtocolStoreTest, ListsPlayersAssignmentsInASessionWindowBySessionTime) {
  const auto a2 = Assign(players_[0], kT0 + absl::Hours(2));
  const auto a1 = Assign(players_[0], kT0 + absl::Hours(1));
  const auto b1 = Assign(players_[1], kT0 + absl::Hours(1), 0);
  Assign(players_[0], kT0 + absl::Hours(30));
  Assign(players_[1], kT0 - absl::Hours(1));
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) {
                    auto found =
                        ListAssignmentsOfPlayers(c, players_, kT0, kT0 + absl::Hours(24));
                    std::vector<domain::Id> ids;
                    for (const auto& a : found) ids.push_back(a.id);
                    EXPECT_THAT(ids, ElementsAre(a1.id, b1.id, a2.id));
                    EXPECT_EQ(found[0].prescriptions.size(), 2u);
                    EXPECT_TRUE(found[1].prescriptions.empty());
                    EXPECT_TRUE(ListAssignmentsOfPlayers(c, {}, kT0, kT0 + absl::Hours(1)).empty());
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(ProtocolStoreTest, AdherenceOnAnUnknownPrescriptionOrOutOfRangeIsRefused) {
  const auto a = Assign(players_[0], kT0);
  absl::Status unknown = db_->Write([&](storage::Transaction& c) {
    AdherenceRecord d;
    d.prescription_id = 12345;
    d.adherence = 1;
    return AppendAdherence(c, d).status();
  });
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound) << unknown;
  for (auto [adherence, pain] : {std::pair{0, 0}, std::pair{4, 0}, std::pair{1, 11}}) {
    absl::Status bad = db_->Write([&](storage::Transaction& c) {
      AdherenceRecord d;
      d.prescription_id = a.prescriptions[0].id;
      d.adherence = adherence;
      d.pain = pain;
      return AppendAdherence(c, d).status();
    });
    EXPECT_FALSE(bad.ok()) << adherence << "/" << pain;
  }
}

TEST_F(ProtocolStoreTest, AssignmentsPrescriptionsAndAdherenceAreAppendOnly) {
  const auto a = Assign(players_[0], kT0);
  ASSERT_TRUE(db_->Write([&](storage::Transaction& c) {
                    AdherenceRecord d;
                    d.prescription_id = a.prescriptions[0].id;
                    d.adherence = 1;
                    return AppendAdherence(c, d).status();
                  }).ok());
  for (const char* sql : {
           "UPDATE protocol_assignments SET assigned_by = 'someone else'",
           "DELETE FROM protocol_assignments",
           "UPDATE protocol_prescriptions SET exercise = 'Hamstring stretch'",
           "DELETE FROM protocol_prescriptions",
           "UPDATE protocol_adherence SET adherence = 3",
           "DELETE FROM protocol_adherence",
       }) {
    absl::Status status = db_->Write([&](storage::Transaction& c) {
      c.Execute(sql);
      return absl::OkStatus();
    });
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << sql << ": " << status;
    EXPECT_THAT(status.message(), HasSubstr("append-only")) << sql;
  }
  ASSERT_TRUE(db_->Read([&](storage::Transaction& c) {
                    auto found = FindAssignment(c, a.id);
                    EXPECT_TRUE(found.ok());
                    EXPECT_EQ(found->assigned_by, "physio.anna");
                    EXPECT_EQ(found->prescriptions[0].adherence.size(), 1u);
                    return absl::OkStatus();
                  }).ok());
}

TEST_F(ProtocolStoreTest, SchemaIsAtVersionThree) {
  EXPECT_GE(Database::LatestSchemaVersion(), 3);
}

}  // namespace
}  // namespace touchline::storage
