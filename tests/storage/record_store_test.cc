// The record store against a real SQLite file: round trips, uniqueness, paging and filters.
#include "server/storage/record_store.h"

#include <chrono>
#include <iostream>
#include <map>

#include <sqlite3.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/database.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "server/storage/row_binding.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

using domain::ContactKind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixMicros(1'700'000'000'123'456);

std::vector<Id> IdsOf(const auto& items) {
  std::vector<Id> ids;
  for (const auto& item : items) ids.push_back(item.id);
  return ids;
}

class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenOrDie(tmp_.path());
    ASSERT_NE(db_, nullptr);
  }

  // Runs `fn` in a write transaction and fails the test if it does not commit.
  template <typename Fn>
  void InWrite(Fn fn) {
    absl::Status status = db_->Write([&](storage::Transaction& c) {
      fn(c);
      return absl::OkStatus();
    });
    ASSERT_TRUE(status.ok()) << status;
  }
  template <typename Fn>
  void InRead(Fn fn) {
    absl::Status status = db_->Read([&](storage::Transaction& c) {
      fn(c);
      return absl::OkStatus();
    });
    ASSERT_TRUE(status.ok()) << status;
  }

  domain::Squad AddSquad(const std::string& name) {
    domain::Squad s;
    s.name = name;
    s.created_at = kT0;
    s.updated_at = kT0 + absl::Seconds(1);
    domain::Squad out;
    InWrite([&](storage::Transaction& c) {
      auto inserted = InsertSquad(c, s);
      ASSERT_TRUE(inserted.ok()) << inserted.status();
      out = *inserted;
    });
    return out;
  }

  domain::Player AddPlayer(Id squad_id, const std::string& name, const std::string& external_id = "",
                           std::optional<absl::Time> archived_at = std::nullopt) {
    domain::Player p;
    p.squad_id = squad_id;
    p.name = name;
    p.position_group = domain::PositionGroup::kBack;
    p.position_name = "Wing";
    p.external_id = external_id;
    p.archived_at = archived_at;
    p.created_at = kT0;
    p.updated_at = kT0 + absl::Microseconds(7);
    domain::Player out;
    InWrite([&](storage::Transaction& c) {
      auto inserted = InsertPlayer(c, p);
      ASSERT_TRUE(inserted.ok()) << inserted.status();
      out = *inserted;
    });
    return out;
  }

  static domain::ContactEvent Event(Id player_id, absl::Time at, const std::string& key,
                                    ContactKind kind = ContactKind::kTackleMade,
                                    bool awkward = false) {
    domain::ContactEvent e;
    e.player_id = player_id;
    e.kind = kind;
    e.occurred_at = at;
    e.session_label = "Tuesday contact";
    e.awkward = awkward;
    e.source = domain::ContactSource::kVideo;
    e.note = "note " + key;
    e.idempotency_key = key;
    e.recorded_at = at + absl::Minutes(5);
    e.recorded_by = "analyst";
    return e;
  }

  Id AddEvent(const domain::ContactEvent& e) {
    std::optional<Id> id;
    InWrite([&](storage::Transaction& c) { id = ContactEventInserter(c).InsertIfNew(e); });
    EXPECT_TRUE(id.has_value());
    return id.value_or(0);
  }

  static domain::Complaint MakeComplaint(Id player_id) {
    domain::Complaint c;
    c.player_id = player_id;
    c.side = domain::Side::kRight;
    c.onset_at = kT0;
    c.onset_kind = domain::OnsetKind::kAcute;
    c.mechanism = domain::Mechanism::kSprinting;
    c.symptoms = {.ache = true, .tightness = false, .spasm = true, .pain = 6,
                  .sleep_disturbance = true, .inflexibility = false,
                  .weakness_against_quadriceps = true};
    c.osiics_code = "TMHX";
    c.history = {.lumbar_disc_herniation = true, .notes = "L5/S1 2021"};
    c.findings = {.pelvic_rotation = true, .piriformis_spasm = false, .lumbar_stiffness = true,
                  .thoracic_stiffness = false, .sciatic_nerve_tension = true, .notes = "slump +"};
    c.created_at = kT0 + absl::Hours(1);
    c.created_by = "physio-a";
    c.updated_at = kT0 + absl::Hours(2);
    c.updated_by = "physio-b";
    return c;
  }

  domain::Complaint AddComplaint(Id player_id, std::optional<absl::Time> resolved_at = {}) {
    domain::Complaint c = MakeComplaint(player_id);
    c.resolved_at = resolved_at;
    domain::Complaint out;
    InWrite([&](storage::Transaction& db) {
      auto inserted = InsertComplaint(db, c);
      ASSERT_TRUE(inserted.ok()) << inserted.status();
      out = *inserted;
    });
    return out;
  }

  testing::TempDbPath tmp_;
  std::unique_ptr<Database> db_;
};

// ---- squads ----

TEST_F(RecordStoreTest, SquadRoundTripUpdateAndPaging) {
  domain::Squad a = AddSquad("Firsts");
  domain::Squad b = AddSquad("Seconds");
  domain::Squad c = AddSquad("Colts");
  EXPECT_GT(a.id, 0);
  InRead([&](storage::Transaction& db) {
    auto found = FindSquad(db, a.id);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->name, "Firsts");
    EXPECT_EQ(found->created_at, kT0);
    EXPECT_EQ(found->updated_at, kT0 + absl::Seconds(1));
    EXPECT_THAT(IdsOf(ListSquads(db, 0, 2)), ElementsAre(a.id, b.id));
    EXPECT_THAT(IdsOf(ListSquads(db, b.id, 2)), ElementsAre(c.id));
    EXPECT_TRUE(ListSquads(db, c.id, 2).empty());
  });
  InWrite([&](storage::Transaction& db) {
    domain::Squad renamed = b;
    renamed.name = "Development";
    renamed.updated_at = kT0 + absl::Hours(3);
    ASSERT_TRUE(UpdateSquad(db, renamed).ok());
    auto found = FindSquad(db, b.id);
    EXPECT_EQ(found->name, "Development");
    EXPECT_EQ(found->updated_at, kT0 + absl::Hours(3));
    EXPECT_EQ(found->created_at, kT0);
  });
}

TEST_F(RecordStoreTest, SquadNameIsUniqueAndMissingSquadIsNotFound) {
  domain::Squad a = AddSquad("Firsts");
  domain::Squad b = AddSquad("Seconds");
  InWrite([&](storage::Transaction& db) {
    auto dup = InsertSquad(db, a);
    EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
    EXPECT_THAT(dup.status().message(), HasSubstr("Firsts"));
    domain::Squad clash = b;
    clash.name = "Firsts";
    EXPECT_EQ(UpdateSquad(db, clash).code(), absl::StatusCode::kAlreadyExists);
    domain::Squad ghost = a;
    ghost.id = 999;
    absl::Status missing = UpdateSquad(db, ghost);
    EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(missing.message(), HasSubstr("squad 999"));
    auto not_found = FindSquad(db, 999);
    EXPECT_EQ(not_found.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(not_found.status().message(), HasSubstr("squad 999"));
  });
}

// ---- players ----

TEST_F(RecordStoreTest, PlayerRoundTripAndUpdate) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom", "EXT-7", kT0 + absl::Hours(5));
  domain::Player q = AddPlayer(s.id, "Ann");
  InRead([&](storage::Transaction& db) {
    auto found = FindPlayer(db, p.id);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->squad_id, s.id);
    EXPECT_EQ(found->name, "Tom");
    EXPECT_EQ(found->position_group, domain::PositionGroup::kBack);
    EXPECT_EQ(found->position_name, "Wing");
    EXPECT_EQ(found->external_id, "EXT-7");
    EXPECT_EQ(found->archived_at, kT0 + absl::Hours(5));
    EXPECT_EQ(found->created_at, kT0);
    EXPECT_EQ(found->updated_at, kT0 + absl::Microseconds(7));
    auto other = FindPlayer(db, q.id);
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->external_id, "");
    EXPECT_EQ(other->archived_at, std::nullopt);
    EXPECT_EQ(FindPlayer(db, 12345).status().code(), absl::StatusCode::kNotFound);
  });
  InWrite([&](storage::Transaction& db) {
    domain::Player changed = p;
    changed.name = "Thomas";
    changed.position_group = domain::PositionGroup::kForward;
    changed.position_name = "Hooker";
    changed.external_id = "";
    changed.archived_at.reset();
    changed.updated_at = kT0 + absl::Hours(9);
    ASSERT_TRUE(UpdatePlayer(db, changed).ok());
    auto found = FindPlayer(db, p.id);
    EXPECT_EQ(found->name, "Thomas");
    EXPECT_EQ(found->position_group, domain::PositionGroup::kForward);
    EXPECT_EQ(found->position_name, "Hooker");
    EXPECT_EQ(found->external_id, "");
    EXPECT_EQ(found->archived_at, std::nullopt);
    EXPECT_EQ(found->updated_at, kT0 + absl::Hours(9));
    changed.id = 4242;
    EXPECT_EQ(UpdatePlayer(db, changed).code(), absl::StatusCode::kNotFound);
  });
}

TEST_F(RecordStoreTest, PlayerExternalIdIsUniqueWhenSetAndSquadMustExist) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom", "EXT-7");
  AddPlayer(s.id, "No id 1");
  AddPlayer(s.id, "No id 2");  // many players without an external id
  domain::Player other = AddPlayer(s.id, "Ann", "EXT-8");
  InWrite([&](storage::Transaction& db) {
    domain::Player dup = p;
    dup.name = "Impostor";
    auto inserted = InsertPlayer(db, dup);
    EXPECT_EQ(inserted.status().code(), absl::StatusCode::kAlreadyExists);
    EXPECT_THAT(inserted.status().message(), HasSubstr("EXT-7"));
    other.external_id = "EXT-7";
    EXPECT_EQ(UpdatePlayer(db, other).code(), absl::StatusCode::kAlreadyExists);
    domain::Player orphan;
    orphan.squad_id = 777;
    auto missing = InsertPlayer(db, orphan);
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(missing.status().message(), HasSubstr("squad 777"));
  });
}

TEST_F(RecordStoreTest, ListPlayersBySquadArchivedAndPaging) {
  domain::Squad s1 = AddSquad("Firsts");
  domain::Squad s2 = AddSquad("Seconds");
  domain::Player a = AddPlayer(s1.id, "a");
  domain::Player b = AddPlayer(s2.id, "b");
  domain::Player c = AddPlayer(s1.id, "c", "", kT0);
  domain::Player d = AddPlayer(s1.id, "d");
  InRead([&](storage::Transaction& db) {
    EXPECT_THAT(IdsOf(ListPlayers(db, 0, true, 0, 10)), ElementsAre(a.id, b.id, c.id, d.id));
    EXPECT_THAT(IdsOf(ListPlayers(db, 0, false, 0, 10)), ElementsAre(a.id, b.id, d.id));
    EXPECT_THAT(IdsOf(ListPlayers(db, s1.id, true, 0, 10)), ElementsAre(a.id, c.id, d.id));
    EXPECT_THAT(IdsOf(ListPlayers(db, s1.id, false, 0, 10)), ElementsAre(a.id, d.id));
    EXPECT_THAT(IdsOf(ListPlayers(db, s1.id, true, 0, 2)), ElementsAre(a.id, c.id));
    EXPECT_THAT(IdsOf(ListPlayers(db, s1.id, true, c.id, 2)), ElementsAre(d.id));
  });
}

// ---- contact events ----

TEST_F(RecordStoreTest, ContactEventRoundTripAndIdempotencyKeyDedupe) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom");
  domain::ContactEvent e = Event(p.id, kT0, "key-1", ContactKind::kLineoutLanding, true);
  InWrite([&](storage::Transaction& db) {
    ContactEventInserter inserter(db);
    std::optional<Id> first = inserter.InsertIfNew(e);
    ASSERT_TRUE(first.has_value());
    domain::ContactEvent again = e;
    again.note = "a retry with a different body";
    EXPECT_EQ(inserter.InsertIfNew(again), std::nullopt);
    // Events without a key are never deduplicated.
    domain::ContactEvent keyless = Event(p.id, kT0, "");
    std::optional<Id> k1 = inserter.InsertIfNew(keyless);
    std::optional<Id> k2 = inserter.InsertIfNew(keyless);
    ASSERT_TRUE(k1.has_value() && k2.has_value());
    EXPECT_NE(*k1, *k2);
    EXPECT_EQ(CountContactEvents(db), 3);

    auto found = FindContactEvent(db, *first);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->id, *first);
    EXPECT_EQ(found->player_id, p.id);
    EXPECT_EQ(found->kind, ContactKind::kLineoutLanding);
    EXPECT_EQ(found->occurred_at, kT0);
    EXPECT_EQ(found->session_label, "Tuesday contact");
    EXPECT_TRUE(found->awkward);
    EXPECT_EQ(found->source, domain::ContactSource::kVideo);
    EXPECT_EQ(found->note, "note key-1");
    EXPECT_EQ(found->idempotency_key, "key-1");
    EXPECT_EQ(found->recorded_at, kT0 + absl::Minutes(5));
    EXPECT_EQ(found->recorded_by, "analyst");

    auto by_key = FindContactEventByKey(db, "key-1");
    ASSERT_TRUE(by_key.has_value());
    EXPECT_EQ(by_key->id, *first);
    EXPECT_EQ(FindContactEventByKey(db, "nope"), std::nullopt);
    EXPECT_EQ(FindContactEventByKey(db, ""), std::nullopt);
    auto missing = FindContactEvent(db, 999);
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(missing.status().message(), HasSubstr("999"));
  });
  // The key is still taken in a later transaction.
  InWrite([&](storage::Transaction& db) {
    EXPECT_EQ(ContactEventInserter(db).InsertIfNew(e), std::nullopt);
  });
}

TEST_F(RecordStoreTest, ContactEventForUnknownPlayerFailsTheWrite) {
  absl::Status status = db_->Write([&](storage::Transaction& db) {
    ContactEventInserter(db).InsertIfNew(Event(999, kT0, "k"));
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(RecordStoreTest, ListContactEventsPagesWithCursorInTimeOrder) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom");
  // Inserted out of time order; two share an instant so the id breaks the tie.
  Id e3 = AddEvent(Event(p.id, kT0 + absl::Hours(3), "e3"));
  Id e1 = AddEvent(Event(p.id, kT0 + absl::Hours(1), "e1"));
  Id e2a = AddEvent(Event(p.id, kT0 + absl::Hours(2), "e2a"));
  Id e2b = AddEvent(Event(p.id, kT0 + absl::Hours(2), "e2b"));
  InRead([&](storage::Transaction& db) {
    ContactEventFilter filter;
    filter.player_id = p.id;
    std::vector<Id> all;
    PageCursor cursor;
    for (int page = 0; page < 10; ++page) {
      auto events = ListContactEvents(db, filter, cursor, 2);
      if (events.empty()) break;
      EXPECT_LE(events.size(), 2u);
      for (const auto& e : events) all.push_back(e.id);
      cursor = {absl::ToUnixMicros(events.back().occurred_at), events.back().id};
    }
    EXPECT_THAT(all, ElementsAre(e1, e2a, e2b, e3));
    // A cursor in the middle of a tie.
    PageCursor mid{absl::ToUnixMicros(kT0 + absl::Hours(2)), e2a};
    EXPECT_THAT(IdsOf(ListContactEvents(db, filter, mid, 10)), ElementsAre(e2b, e3));
  });
}

TEST_F(RecordStoreTest, ListContactEventsFilters) {
  domain::Squad s1 = AddSquad("Firsts");
  domain::Squad s2 = AddSquad("Seconds");
  domain::Player p1 = AddPlayer(s1.id, "p1");
  domain::Player p2 = AddPlayer(s1.id, "p2");
  domain::Player p3 = AddPlayer(s2.id, "p3");
  Id a = AddEvent(Event(p1.id, kT0, "a", ContactKind::kRuck));
  Id b = AddEvent(Event(p1.id, kT0 + absl::Hours(1), "b", ContactKind::kScrum, true));
  Id c = AddEvent(Event(p2.id, kT0 + absl::Hours(2), "c", ContactKind::kRuck, true));
  Id d = AddEvent(Event(p3.id, kT0 + absl::Hours(3), "d", ContactKind::kRuck, true));
  Id e = AddEvent(Event(p1.id, kT0 + absl::Hours(4), "e", ContactKind::kFall));
  InRead([&](storage::Transaction& db) {
    ContactEventFilter f;
    f.player_id = p1.id;
    EXPECT_THAT(IdsOf(ListContactEvents(db, f, {}, 10)), ElementsAre(a, b, e));
    f.start = kT0 + absl::Hours(1);  // inclusive
    f.end = kT0 + absl::Hours(4);    // exclusive
    EXPECT_THAT(IdsOf(ListContactEvents(db, f, {}, 10)), ElementsAre(b));

    ContactEventFilter squad;
    squad.squad_id = s1.id;
    EXPECT_THAT(IdsOf(ListContactEvents(db, squad, {}, 10)), ElementsAre(a, b, c, e));
    squad.kinds = {ContactKind::kRuck, ContactKind::kFall};
    EXPECT_THAT(IdsOf(ListContactEvents(db, squad, {}, 10)), ElementsAre(a, c, e));
    squad.awkward_only = true;
    EXPECT_THAT(IdsOf(ListContactEvents(db, squad, {}, 10)), ElementsAre(c));
    squad.kinds.clear();
    EXPECT_THAT(IdsOf(ListContactEvents(db, squad, {}, 10)), ElementsAre(b, c));

    ContactEventFilter other_squad;
    other_squad.squad_id = s2.id;
    EXPECT_THAT(IdsOf(ListContactEvents(db, other_squad, {}, 10)), ElementsAre(d));

    EXPECT_THAT(IdsOf(ListContactEventsOfPlayers(db, {p1.id, p3.id}, kT0, kT0 + absl::Hours(4),
                                                 false)),
                ElementsAre(a, b, d));
    EXPECT_THAT(IdsOf(ListContactEventsOfPlayers(db, {p1.id, p3.id}, kT0, kT0 + absl::Hours(5),
                                                 true)),
                ElementsAre(b, d));
    EXPECT_TRUE(ListContactEventsOfPlayers(db, {}, kT0, kT0 + absl::Hours(5), false).empty());
    EXPECT_EQ(CountContactEvents(db), 5);
  });
}

TEST_F(RecordStoreTest, BulkInsertInOneTransaction) {
  domain::Squad s = AddSquad("Firsts");
  std::vector<Id> players;
  for (int i = 0; i < 10; ++i) players.push_back(AddPlayer(s.id, absl::StrCat("p", i)).id);
  constexpr int kRows = 50'000;
  std::vector<domain::ContactEvent> events;
  events.reserve(kRows);
  for (int i = 0; i < kRows; ++i) {
    events.push_back(Event(players[i % players.size()], kT0 + absl::Seconds(i),
                           absl::StrCat("bulk-", i), ContactKind::kCarry, i % 7 == 0));
  }
  int inserted = 0;
  const auto started = std::chrono::steady_clock::now();
  InWrite([&](storage::Transaction& db) {
    ContactEventInserter inserter(db);
    for (const auto& e : events) inserted += inserter.InsertIfNew(e).has_value();
    for (int i = 0; i < 100; ++i) inserted += inserter.InsertIfNew(events[i]).has_value();
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "[ bulk     ] " << kRows << " events in " << seconds << " s ("
            << static_cast<int>(kRows / seconds) << " rows/s)\n";
  EXPECT_EQ(inserted, kRows);
  InRead([&](storage::Transaction& db) { EXPECT_EQ(CountContactEvents(db), kRows); });
}

// ---- complaints, check-ins, amendments ----

TEST_F(RecordStoreTest, ComplaintRoundTripWithCheckInsOldestFirst) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom");
  const domain::Complaint expected = MakeComplaint(p.id);
  domain::Complaint complaint = AddComplaint(p.id);
  EXPECT_GT(complaint.id, 0);
  Id late = 0, early = 0, same_a = 0, same_b = 0;
  InWrite([&](storage::Transaction& db) {
    auto add = [&](absl::Time at, int pain) {
      domain::CheckIn ci;
      ci.complaint_id = complaint.id;
      ci.checked_at = at;
      ci.symptoms.pain = pain;
      ci.symptoms.tightness = true;
      ci.note = absl::StrCat("pain ", pain);
      ci.recorded_by = "physio-a";
      auto inserted = InsertCheckIn(db, ci);
      EXPECT_TRUE(inserted.ok()) << inserted.status();
      return inserted.ok() ? inserted->id : 0;
    };
    late = add(kT0 + absl::Hours(72), 2);
    early = add(kT0 + absl::Hours(24), 5);
    same_a = add(kT0 + absl::Hours(48), 3);
    same_b = add(kT0 + absl::Hours(48), 4);
    domain::CheckIn orphan;
    orphan.complaint_id = 999;
    auto missing = InsertCheckIn(db, orphan);
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(missing.status().message(), HasSubstr("complaint 999"));
  });
  InRead([&](storage::Transaction& db) {
    auto found = FindComplaint(db, complaint.id);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->player_id, p.id);
    EXPECT_EQ(found->side, expected.side);
    EXPECT_EQ(found->onset_at, expected.onset_at);
    EXPECT_EQ(found->onset_kind, expected.onset_kind);
    EXPECT_EQ(found->mechanism, expected.mechanism);
    EXPECT_EQ(found->symptoms, expected.symptoms);
    EXPECT_EQ(found->osiics_code, expected.osiics_code);
    EXPECT_EQ(found->history, expected.history);
    EXPECT_EQ(found->findings, expected.findings);
    EXPECT_EQ(found->resolved_at, std::nullopt);
    EXPECT_EQ(found->created_at, expected.created_at);
    EXPECT_EQ(found->created_by, expected.created_by);
    EXPECT_EQ(found->updated_at, expected.updated_at);
    EXPECT_EQ(found->updated_by, expected.updated_by);
    EXPECT_THAT(IdsOf(found->check_ins), ElementsAre(early, same_a, same_b, late));
    const domain::CheckIn& first = found->check_ins.front();
    EXPECT_EQ(first.complaint_id, complaint.id);
    EXPECT_EQ(first.checked_at, kT0 + absl::Hours(24));
    EXPECT_EQ(first.symptoms.pain, 5);
    EXPECT_TRUE(first.symptoms.tightness);
    EXPECT_FALSE(first.symptoms.ache);
    EXPECT_EQ(first.note, "pain 5");
    EXPECT_EQ(first.recorded_by, "physio-a");
    auto missing = FindComplaint(db, 31337);
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(missing.status().message(), HasSubstr("complaint 31337"));
  });
}

TEST_F(RecordStoreTest, UpdateComplaintWritesEveryMutableColumn) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom");
  domain::Complaint complaint = AddComplaint(p.id);
  InWrite([&](storage::Transaction& db) {
    domain::Complaint changed = complaint;
    changed.side = domain::Side::kBoth;
    changed.onset_at = kT0 - absl::Hours(1);
    changed.onset_kind = domain::OnsetKind::kGradual;
    changed.mechanism = domain::Mechanism::kKicking;
    changed.symptoms = {};
    changed.symptoms.pain = 1;
    changed.osiics_code = "TMMX";
    changed.history = {false, "none"};
    changed.findings = {};
    changed.findings.notes = "clear";
    changed.resolved_at = kT0 + absl::Hours(300);
    changed.updated_at = kT0 + absl::Hours(301);
    changed.updated_by = "doctor";
    changed.created_by = "ignored";  // immutable
    ASSERT_TRUE(UpdateComplaint(db, changed).ok());
    auto found = FindComplaint(db, complaint.id);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->side, domain::Side::kBoth);
    EXPECT_EQ(found->onset_at, kT0 - absl::Hours(1));
    EXPECT_EQ(found->onset_kind, domain::OnsetKind::kGradual);
    EXPECT_EQ(found->mechanism, domain::Mechanism::kKicking);
    EXPECT_EQ(found->symptoms, changed.symptoms);
    EXPECT_EQ(found->osiics_code, "TMMX");
    EXPECT_EQ(found->history, changed.history);
    EXPECT_EQ(found->findings, changed.findings);
    EXPECT_EQ(found->resolved_at, kT0 + absl::Hours(300));
    EXPECT_EQ(found->updated_at, kT0 + absl::Hours(301));
    EXPECT_EQ(found->updated_by, "doctor");
    EXPECT_EQ(found->created_by, "physio-a");
    changed.id = 5555;
    EXPECT_EQ(UpdateComplaint(db, changed).code(), absl::StatusCode::kNotFound);
    domain::Complaint orphan = MakeComplaint(8888);
    auto missing = InsertComplaint(db, orphan);
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(missing.status().message(), HasSubstr("player 8888"));
  });
}

TEST_F(RecordStoreTest, ListComplaintsFiltersAndPaging) {
  domain::Squad s1 = AddSquad("Firsts");
  domain::Squad s2 = AddSquad("Seconds");
  domain::Player p1 = AddPlayer(s1.id, "p1");
  domain::Player p2 = AddPlayer(s1.id, "p2");
  domain::Player p3 = AddPlayer(s2.id, "p3");
  Id c1 = AddComplaint(p1.id).id;
  domain::Complaint complaint2 = AddComplaint(p2.id, kT0 + absl::Hours(10));  // resolved
  Id c2 = complaint2.id;
  Id c3 = AddComplaint(p3.id).id;
  Id c4 = AddComplaint(p1.id).id;
  InWrite([&](storage::Transaction& db) {
    domain::CheckIn ci;
    ci.complaint_id = c4;
    ci.checked_at = kT0;
    ASSERT_TRUE(InsertCheckIn(db, ci).ok());
    ci.complaint_id = c3;
    ASSERT_TRUE(InsertCheckIn(db, ci).ok());
  });
  InRead([&](storage::Transaction& db) {
    EXPECT_THAT(IdsOf(ListComplaints(db, {}, PageCursor{}, 10)), ElementsAre(c1, c2, c3, c4));
    EXPECT_THAT(IdsOf(ListComplaints(db, {.player_id = p1.id}, PageCursor{}, 10)), ElementsAre(c1, c4));
    EXPECT_THAT(IdsOf(ListComplaints(db, {.squad_id = s1.id}, PageCursor{}, 10)), ElementsAre(c1, c2, c4));
    EXPECT_THAT(IdsOf(ListComplaints(db, {.squad_id = s1.id, .open_only = true}, PageCursor{}, 10)),
                ElementsAre(c1, c4));
    EXPECT_THAT(IdsOf(ListComplaints(db, {.squad_id = s1.id}, PageCursor{}, 2)), ElementsAre(c1, c2));
    auto page2 = ListComplaints(db, {.squad_id = s1.id},
                                PageCursor{absl::ToUnixMicros(complaint2.onset_at), c2}, 2);
    ASSERT_THAT(IdsOf(page2), ElementsAre(c4));
    EXPECT_EQ(page2[0].check_ins.size(), 1u);

    auto of_players = ListComplaintsOfPlayers(db, {p1.id, p3.id});
    ASSERT_THAT(IdsOf(of_players), ElementsAre(c1, c3, c4));
    EXPECT_EQ(of_players[0].check_ins.size(), 0u);
    EXPECT_EQ(of_players[1].check_ins.size(), 1u);
    EXPECT_EQ(of_players[2].check_ins.size(), 1u);
    EXPECT_TRUE(ListComplaintsOfPlayers(db, {}).empty());
  });
}

// Complaints listed in onset order (not id order) still carry every one of their check-ins, and
// the same ones whichever read returns them: per player, per squad, for flags and for export.
TEST_F(RecordStoreTest, EveryReadAttachesTheSameCheckInsWhateverTheComplaintOrder) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom");
  domain::Player other = AddPlayer(s.id, "Ned");
  // Onsets in mixed order relative to the ids: days 10, 2, 30, 5, 20 after kT0.
  const int onset_days[] = {10, 2, 30, 5, 20};
  std::vector<Id> complaint_ids;
  std::map<Id, std::vector<Id>> expected;  // complaint id -> check-in ids, oldest first
  InWrite([&](storage::Transaction& db) {
    for (int i = 0; i < 5; ++i) {
      domain::Complaint c = MakeComplaint(i == 3 ? other.id : p.id);
      c.onset_at = kT0 + absl::Hours(24) * onset_days[i];
      auto inserted = InsertComplaint(db, c);
      ASSERT_TRUE(inserted.ok()) << inserted.status();
      complaint_ids.push_back(inserted->id);
    }
    // Check-ins recorded in an interleaved order, 1 + i of them for the i-th complaint.
    for (int round = 0; round < 5; ++round) {
      for (int i = 4; i >= 0; --i) {
        if (round > i) continue;
        domain::CheckIn ci;
        ci.complaint_id = complaint_ids[i];
        ci.checked_at = kT0 + absl::Hours(24) * onset_days[i] + absl::Hours(1 + round);
        ci.symptoms.pain = round;
        ci.note = absl::StrCat("complaint ", i, " check-in ", round);
        auto added = InsertCheckIn(db, ci);
        ASSERT_TRUE(added.ok()) << added.status();
        expected[complaint_ids[i]].push_back(added->id);
      }
    }
  });
  auto check = [&](const std::string& read, const std::vector<domain::Complaint>& complaints,
                   size_t count) {
    EXPECT_EQ(complaints.size(), count) << read;
    for (const auto& c : complaints) {
      EXPECT_EQ(IdsOf(c.check_ins), expected[c.id]) << read << ": complaint " << c.id;
      for (const auto& ci : c.check_ins) EXPECT_EQ(ci.complaint_id, c.id) << read;
    }
  };
  InRead([&](storage::Transaction& db) {
    check("player", ListComplaints(db, {.player_id = p.id}, PageCursor{}, 10), 4);
    check("squad", ListComplaints(db, {.squad_id = s.id}, PageCursor{}, 10), 5);
    check("all", ListComplaints(db, {}, PageCursor{}, 10), 5);
    check("players", ListComplaintsOfPlayers(db, {p.id, other.id}), 5);
    std::vector<domain::Complaint> exported;
    for (auto& row : ListComplaintsForExport(db, {}, 0, INT64_MAX, 10)) {
      exported.push_back(std::move(row.record));
    }
    check("export", exported, 5);
    for (Id id : complaint_ids) {
      auto found = FindComplaint(db, id);
      ASSERT_TRUE(found.ok()) << found.status();
      check("find", {*found}, 1);
    }
  });
}

TEST_F(RecordStoreTest, AmendmentsAppendAndListInOrderWithChanges) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p = AddPlayer(s.id, "Tom");
  domain::Complaint complaint = AddComplaint(p.id);
  std::vector<Id> ids;
  InWrite([&](storage::Transaction& db) {
    for (int i = 0; i < 5; ++i) {
      domain::Amendment a;
      a.complaint_id = complaint.id;
      a.action = i == 0 ? domain::AmendmentAction::kCreate : domain::AmendmentAction::kUpdate;
      a.amended_by = absl::StrCat("user", i);
      a.amended_at = kT0 + absl::Minutes(i);
      a.reason = absl::StrCat("reason ", i);
      for (int j = 0; j < i; ++j) {
        a.changes.push_back({absl::StrCat("field", j), absl::StrCat("old", j),
                             absl::StrCat("new", j)});
      }
      auto appended = AppendAmendment(db, a);
      ASSERT_TRUE(appended.ok()) << appended.status();
      ids.push_back(appended->id);
    }
    domain::Amendment orphan;
    orphan.complaint_id = 4040;
    orphan.changes.push_back({"f", "o", "n"});
    auto missing = AppendAmendment(db, orphan);
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(missing.status().message(), HasSubstr("complaint 4040"));
    EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM amendment_changes"), 10);
  });
  InRead([&](storage::Transaction& db) {
    auto first_page = ListAmendments(db, complaint.id, 0, 3);
    ASSERT_THAT(IdsOf(first_page), ElementsAre(ids[0], ids[1], ids[2]));
    EXPECT_EQ(first_page[0].action, domain::AmendmentAction::kCreate);
    EXPECT_TRUE(first_page[0].changes.empty());
    EXPECT_EQ(first_page[1].complaint_id, complaint.id);
    EXPECT_EQ(first_page[1].amended_by, "user1");
    EXPECT_EQ(first_page[1].amended_at, kT0 + absl::Minutes(1));
    EXPECT_EQ(first_page[1].reason, "reason 1");
    ASSERT_EQ(first_page[2].changes.size(), 2u);
    EXPECT_EQ(first_page[2].changes[0].field, "field0");
    EXPECT_EQ(first_page[2].changes[1].old_value, "old1");
    EXPECT_EQ(first_page[2].changes[1].new_value, "new1");
    auto second_page = ListAmendments(db, complaint.id, ids[2], 3);
    ASSERT_THAT(IdsOf(second_page), ElementsAre(ids[3], ids[4]));
    EXPECT_EQ(second_page[1].changes.size(), 4u);
    EXPECT_TRUE(ListAmendments(db, 4040, 0, 3).empty());
  });
}

// ---- readiness overrides ----

TEST_F(RecordStoreTest, OverrideRoundTripListingAndClearing) {
  domain::Squad s = AddSquad("Firsts");
  domain::Player p1 = AddPlayer(s.id, "p1");
  domain::Player p2 = AddPlayer(s.id, "p2");
  auto make = [&](Id player, absl::Time starts, absl::Duration length) {
    domain::ReadinessOverride o;
    o.player_id = player;
    o.availability = domain::Availability::kUnavailable;
    o.reason = "coach's call";
    o.starts_at = starts;
    o.expires_at = starts + length;
    o.set_by = "doctor";
    o.created_at = starts - absl::Minutes(1);
    return o;
  };
  std::vector<Id> ids;
  InWrite([&](storage::Transaction& db) {
    for (const auto& o : {make(p1.id, kT0, absl::Hours(24)), make(p1.id, kT0, absl::Hours(1)),
                          make(p1.id, kT0 + absl::Hours(2), absl::Hours(24)),
                          make(p2.id, kT0, absl::Hours(48))}) {
      auto inserted = InsertOverride(db, o);
      ASSERT_TRUE(inserted.ok()) << inserted.status();
      ids.push_back(inserted->id);
    }
    auto missing = InsertOverride(db, make(999, kT0, absl::Hours(1)));
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  });
  InRead([&](storage::Transaction& db) {
    auto found = FindOverride(db, ids[0]);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->player_id, p1.id);
    EXPECT_EQ(found->availability, domain::Availability::kUnavailable);
    EXPECT_EQ(found->reason, "coach's call");
    EXPECT_EQ(found->starts_at, kT0);
    EXPECT_EQ(found->expires_at, kT0 + absl::Hours(24));
    EXPECT_EQ(found->set_by, "doctor");
    EXPECT_EQ(found->created_at, kT0 - absl::Minutes(1));
    EXPECT_EQ(found->cleared_at, std::nullopt);
    EXPECT_EQ(found->cleared_by, "");
    EXPECT_EQ(FindOverride(db, 999).status().code(), absl::StatusCode::kNotFound);

    EXPECT_THAT(IdsOf(ListOverrides(db, p1.id, 0, 10)), ElementsAre(ids[2], ids[1], ids[0]));
    EXPECT_THAT(IdsOf(ListOverrides(db, p1.id, 0, 2)), ElementsAre(ids[2], ids[1]));
    EXPECT_THAT(IdsOf(ListOverrides(db, p1.id, ids[1], 2)), ElementsAre(ids[0]));
  });
  InWrite([&](storage::Transaction& db) {
    domain::ReadinessOverride cleared = *FindOverride(db, ids[0]);
    cleared.cleared_at = kT0 + absl::Hours(3);
    cleared.cleared_by = "doctor-2";
    ASSERT_TRUE(UpdateOverride(db, cleared).ok());
    auto found = FindOverride(db, ids[0]);
    EXPECT_EQ(found->cleared_at, kT0 + absl::Hours(3));
    EXPECT_EQ(found->cleared_by, "doctor-2");
    cleared.id = 999;
    EXPECT_EQ(UpdateOverride(db, cleared).code(), absl::StatusCode::kNotFound);
  });
  InRead([&](storage::Transaction& db) {
    // At T0+2h: ids[1] has expired; ids[0] is still in force (cleared later).
    EXPECT_THAT(IdsOf(ListOverridesOfPlayers(db, {p1.id, p2.id}, kT0 + absl::Hours(2))),
                ElementsAre(ids[0], ids[2], ids[3]));
    // At T0+4h: ids[0] was cleared before.
    EXPECT_THAT(IdsOf(ListOverridesOfPlayers(db, {p1.id}, kT0 + absl::Hours(4))),
                ElementsAre(ids[2]));
    EXPECT_TRUE(ListOverridesOfPlayers(db, {}, kT0).empty());
  });
}

// Pages a cold connection reads to find the pelvic-origin candidates of `player`.
int PelvicCandidatePageReads(const std::string& path, Id player, absl::Time as_of,
                             std::vector<domain::ContactEvent>* found) {
  SQLite::Database conn(path, SQLite::OPEN_READONLY);
  conn.exec("SELECT count(*) FROM sqlite_schema");  // the schema is read once, not counted
  int current = 0;
  int highwater = 0;
  sqlite3_db_status(conn.getHandle(), SQLITE_DBSTATUS_CACHE_MISS, &current, &highwater, 1);
  // The board asks for the whole squad at once.
  std::vector<Id> squad_ids;
  for (Id id = 1; id <= 50; ++id) squad_ids.push_back(id);
  squad_ids.push_back(player);
  SqliteTransaction tx(conn);
  *found = ListPelvicOriginCandidates(tx, squad_ids, as_of, absl::Hours(24 * 14));
  sqlite3_db_status(conn.getHandle(), SQLITE_DBSTATUS_CACHE_MISS, &current, &highwater, 0);
  return current;
}

TEST_F(RecordStoreTest, PelvicOriginCandidatesReadTheOpenComplaintsWindowNotTheYearsBeforeIt) {
  TOUCHLINE_SQLITE_ONLY("counts SQLite page reads");
  const Id squad = AddSquad("Seniors").id;
  const Id player = AddPlayer(squad, "Nine").id;
  AddComplaint(player);  // open, onset kT0
  for (int season = 1; season <= 5; ++season) {  // earlier complaints, resolved
    domain::Complaint old = MakeComplaint(player);
    old.onset_at = kT0 - absl::Hours(24 * 365 * season);
    old.resolved_at = old.onset_at + absl::Hours(24 * 30);
    InWrite([&](storage::Transaction& c) { ASSERT_TRUE(InsertComplaint(c, old).ok()); });
  }
  const absl::Duration day = absl::Hours(24);
  const Id early_in = AddEvent(Event(player, kT0 - 14 * day, "in-14d", ContactKind::kFall, true));
  const Id late_in = AddEvent(Event(player, kT0 - absl::Minutes(1), "in-1m", ContactKind::kScrum, true));
  AddEvent(Event(player, kT0 - 14 * day - absl::Minutes(1), "out-14d1m", ContactKind::kFall, true));
  AddEvent(Event(player, kT0 + absl::Minutes(1), "after-onset", ContactKind::kFall, true));
  AddEvent(Event(player, kT0 - 2 * day, "not-awkward", ContactKind::kFall, false));
  const absl::Time as_of = kT0 + 3 * day;

  std::vector<domain::ContactEvent> found;
  const int pages_before = PelvicCandidatePageReads(tmp_.path(), player, as_of, &found);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, early_in);
  EXPECT_EQ(found[1].id, late_in);

  // Four seasons of awkward contacts before the window: the answer and the pages read stay put
  // (a level more of index at most).
  InWrite([&](storage::Transaction& c) {
    ContactEventInserter inserter(c);
    for (int i = 0; i < 3000; ++i) {
      inserter.InsertIfNew(Event(player, kT0 - 15 * day - absl::Hours(10 * i),
                                 absl::StrCat("old-", i), ContactKind::kTackleMade, true));
    }
  });
  const int pages_after = PelvicCandidatePageReads(tmp_.path(), player, as_of, &found);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].id, early_in);
  EXPECT_EQ(found[1].id, late_in);
  EXPECT_LE(pages_after, pages_before + 3) << "before: " << pages_before;
}

}  // namespace
}  // namespace touchline::storage

namespace touchline::storage {
namespace {

// Schema step "BAMIC grade and site": the optional grade round-trips, is amended like every
// column and cleared again; the table refuses half a grade or a grade 0 at site c.
TEST_F(RecordStoreTest, ComplaintBamicRoundTripUpdateAndChecks) {
  const domain::Squad s = AddSquad("Firsts");
  const domain::Player p = AddPlayer(s.id, "Ann");
  domain::Complaint c = MakeComplaint(p.id);
  c.onset_kind = domain::OnsetKind::kAcute;
  c.bamic = domain::BamicGrade{2, domain::BamicSite::kC};
  InWrite([&](storage::Transaction& db) {
    auto inserted = InsertComplaint(db, c);
    ASSERT_TRUE(inserted.ok()) << inserted.status();
    c = *inserted;
  });
  InRead([&](storage::Transaction& db) {
    auto found = FindComplaint(db, c.id);
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(found->bamic.has_value());
    EXPECT_EQ(*found->bamic, (domain::BamicGrade{2, domain::BamicSite::kC}));
    EXPECT_EQ(found->updated_by, c.updated_by);  // the columns after it still line up
  });
  InWrite([&](storage::Transaction& db) {
    c.bamic.reset();
    ASSERT_TRUE(UpdateComplaint(db, c).ok());
    auto found = FindComplaint(db, c.id);
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found->bamic.has_value());
  });
  for (const char* sql : {"UPDATE complaints SET bamic_grade = 1 WHERE id = ?",
                          "UPDATE complaints SET bamic_grade = 0, bamic_site = 3 WHERE id = ?",
                          "UPDATE complaints SET bamic_grade = 5, bamic_site = 1 WHERE id = ?"}) {
    SCOPED_TRACE(sql);
    const absl::Status st = db_->Write([&](storage::Transaction& db) -> absl::Status {
      Statement q = db.Prepare(sql);
      q.Bind(1, c.id);
      try {
        q.Execute();
      } catch (const StoreError& e) {
        return absl::InvalidArgumentError(e.what());
      }
      return absl::OkStatus();
    });
    EXPECT_FALSE(st.ok());
  }
}

}  // namespace
}  // namespace touchline::storage
