// The kept readiness board against a board that recomputes every call, on a real SQLite file with a
// manual clock: at every rule boundary (and the microseconds either side), at random instants, after
// writes and for explicit session times, both must read the same, while the kept board really is
// answered from (so the comparison cannot pass by never keeping anything).
#include <algorithm>
#include <random>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "server/common/caller.h"
#include "server/service/proto_mapping.h"
#include "server/service/protocol_desk.h"
#include "server/service/readiness_board.h"
#include "server/storage/protocol_store.h"
#include "server/storage/record_store.h"
#include "server/storage/return_to_play_store.h"
#include "tests/storage/test_util.h"

namespace touchline::service {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr absl::Duration kMicro = absl::Microseconds(1);

absl::Time T0() { return absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone()); }

class ReadinessBoardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions db_options = touchline::testing::TestStoreOptions(path_.path());
    db_options.synchronous_full = false;
    auto db = storage::Database::Open(db_options);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    kept_options_.readiness_cache = true;
    fresh_options_.readiness_cache = false;
    kept_ = std::make_unique<ReadinessBoard>(*db_, clock_, kept_options_);
    fresh_ = std::make_unique<ReadinessBoard>(*db_, clock_, fresh_options_);
  }

  void Write(absl::FunctionRef<absl::Status(storage::Transaction&)> work) {
    const absl::Status status = db_->Write(work);
    ASSERT_TRUE(status.ok()) << status;
  }

  // A squad of `players` with random complaints (past, current and future-dated; some resolved,
  // some with check-ins that worsen), overrides, awkward contact events and protocol assignments
  // clustered so that windows overlap and midpoints matter. Returns every instant a rule can turn.
  std::set<absl::Time> Populate(std::mt19937_64& rng, int players) {
    std::set<absl::Time> boundaries;
    auto micros = [&](absl::Duration span) {
      return absl::Microseconds(rng() % std::max<int64_t>(1, absl::ToInt64Microseconds(span)));
    };
    Write([&](storage::Transaction& conn) -> absl::Status {
      domain::Squad squad;
      squad.name = "Squad " + std::to_string(rng());
      auto s = storage::InsertSquad(conn, squad);
      if (!s.ok()) return s.status();
      squad_ = s->id;
      for (int i = 0; i < players; ++i) {
        domain::Player p;
        p.squad_id = squad_;
        p.name = "Player " + std::to_string(i % 5);  // equal names: ordering falls back to id
        p.position_group = i % 2 ? domain::PositionGroup::kBack : domain::PositionGroup::kForward;
        auto player = storage::InsertPlayer(conn, p);
        if (!player.ok()) return player.status();
        const domain::Id id = player->id;
        // Every fifth player is healthy now and has one complaint that will begin during the walk.
        const bool injured_later = i % 5 == 4;
        for (int k = injured_later ? 1 : rng() % 3; k > 0; --k) {
          domain::Complaint c;
          c.player_id = id;
          c.side = static_cast<domain::Side>(1 + rng() % 3);
          c.onset_kind = rng() % 4 == 0 ? domain::OnsetKind::kAcute : domain::OnsetKind::kGradual;
          c.onset_at = injured_later ? T0() + micros(5 * kDay)
                                     : T0() - 48 * kDay + micros(52 * kDay);
          c.symptoms.pain = rng() % 6;
          c.created_at = c.updated_at = T0();
          c.created_by = c.updated_by = "physio";
          if (rng() % 3 == 0) c.resolved_at = c.onset_at + kDay + micros(50 * kDay);
          auto stored = storage::InsertComplaint(conn, c);
          if (!stored.ok()) return stored.status();
          boundaries.insert(c.onset_at);
          boundaries.insert(c.onset_at + kept_options_.thresholds.persistence);
          if (c.resolved_at) boundaries.insert(*c.resolved_at);
          for (int n = rng() % 3; n > 0; --n) {
            domain::CheckIn ci;
            ci.complaint_id = stored->id;
            ci.checked_at = c.onset_at + micros(20 * kDay);
            ci.symptoms.pain = rng() % 9;
            ci.recorded_by = "physio";
            if (!storage::InsertCheckIn(conn, ci).ok()) return absl::InternalError("check-in");
            boundaries.insert(ci.checked_at);
          }
          // Half the complaints have a return-to-play plan with stages reached in order, some of
          // them after instants the walk asks about.
          if (rng() % 2 == 0) {
            domain::ReturnToPlayPlan plan;
            plan.complaint_id = stored->id;
            plan.player_id = id;
            plan.created_at = T0();
            plan.created_by = "physio";
            auto stored_plan = storage::InsertPlan(conn, plan);
            if (!stored_plan.ok()) return stored_plan.status();
            absl::Time at = c.onset_at;
            for (int stage = 1; stage <= 3 && rng() % 3 != 0; ++stage) {
              at += micros(6 * kDay);
              domain::StageReached r;
              r.stage = static_cast<domain::ReturnToPlayStage>(stage);
              r.reached_at = at;
              r.recorded_at = T0();
              r.recorded_by = "physio";
              if (!storage::InsertStageReached(conn, stored_plan->id, r).ok()) {
                return absl::InternalError("stage");
              }
              boundaries.insert(at);
            }
          }
          if (rng() % 2 == 0) {
            domain::ContactEvent e;
            e.player_id = id;
            e.kind = domain::ContactKind::kFall;
            e.awkward = true;
            e.occurred_at = c.onset_at - micros(16 * kDay);
            e.idempotency_key = "e" + std::to_string(rng());
            e.recorded_at = T0();
            e.recorded_by = "coach";
            storage::ContactEventInserter(conn).InsertIfNew(e);
          }
        }
        for (int k = rng() % 2; k > 0; --k) {
          domain::ReadinessOverride o;
          o.player_id = id;
          o.availability = static_cast<domain::Availability>(1 + rng() % 3);
          o.reason = "physio call";
          o.starts_at = T0() - kDay + micros(4 * kDay);
          o.expires_at = o.starts_at + absl::Hours(1) + micros(3 * kDay);
          o.set_by = "physio";
          o.created_at = T0();
          if (rng() % 3 == 0) o.cleared_at = o.starts_at + micros(o.expires_at - o.starts_at);
          auto stored = storage::InsertOverride(conn, o);
          if (!stored.ok()) return stored.status();
          if (o.cleared_at) {
            stored->cleared_at = o.cleared_at;
            stored->cleared_by = "physio";
            if (!storage::UpdateOverride(conn, *stored).ok()) return absl::InternalError("clear");
          }
          boundaries.insert(o.starts_at);
          boundaries.insert(o.expires_at);
          if (o.cleared_at) boundaries.insert(*o.cleared_at);
        }
        for (int k = rng() % 4; k > 0; --k) {
          storage::ProtocolAssignment a;
          a.player_id = id;
          a.session_label = "training";
          a.session_kind = 1;
          a.session_at = T0() - kDay + micros(4 * kDay);
          if (rng() % 4 == 0) a.session_at = absl::FromUnixSeconds(absl::ToUnixSeconds(a.session_at));
          a.assigned_at = T0();
          a.assigned_by = "physio";
          storage::StoredPrescription pre;
          pre.seq = 0;
          pre.timing = storage::kTimingPre;
          pre.protocol = "piriformis";
          pre.exercise = "4-sign stretch " + std::to_string(k);
          pre.plugin_name = "fixture";
          pre.plugin_version = "1";
          a.prescriptions.push_back(pre);
          auto stored = storage::InsertAssignment(conn, a);
          if (!stored.ok()) return stored.status();
          boundaries.insert(a.session_at - kProtocolSessionWindow);
          boundaries.insert(a.session_at + kProtocolSessionWindow);
          sessions_.push_back(a.session_at);
        }
      }
      return absl::OkStatus();
    });
    // Midpoints between any two sessions (of any players: a superset is harmless).
    for (size_t i = 0; i < sessions_.size(); ++i) {
      for (size_t j = i + 1; j < sessions_.size(); ++j) {
        boundaries.insert(sessions_[i] + (sessions_[j] - sessions_[i]) / 2);
      }
    }
    return boundaries;
  }

  // Both boards for the same request; the answers must be identical.
  void ExpectSameBoard(const v1::GetSquadReadinessRequest& request, const std::string& where) {
    const common::Caller caller{"coach", common::Role::kCoach};
    auto kept = kept_->GetSquadReadiness(caller, request);
    auto fresh = fresh_->GetSquadReadiness(caller, request);
    ASSERT_TRUE(kept.ok()) << kept.status();
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    ASSERT_TRUE(differ.Compare(*fresh, *kept)) << where << ": " << diff;
  }

  void ExpectSameBoardNow(const std::string& where) {
    v1::GetSquadReadinessRequest request;
    request.set_squad_id(squad_);
    ExpectSameBoard(request, where);
  }

  storage::testing::TempDbPath path_;
  std::unique_ptr<storage::Database> db_;
  domain::ManualClock clock_{T0()};
  ServiceOptions kept_options_;
  ServiceOptions fresh_options_;
  std::unique_ptr<ReadinessBoard> kept_;
  std::unique_ptr<ReadinessBoard> fresh_;
  domain::Id squad_ = 0;
  std::vector<absl::Time> sessions_;
};

TEST_F(ReadinessBoardTest, KeptBoardReadsLikeAFreshOneAtEveryBoundaryAndBetween) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    sessions_.clear();
    const std::set<absl::Time> boundaries = Populate(rng, 14);
    // Every boundary in the walk and the microseconds either side, plus random instants.
    std::set<absl::Time> instants;
    const absl::Time end = T0() + 6 * kDay;
    for (absl::Time b : boundaries) {
      for (absl::Time t : {b - kMicro, b, b + kMicro}) {
        if (t >= T0() && t < end) instants.insert(t);
      }
    }
    for (int i = 0; i < 300; ++i) {
      instants.insert(T0() + absl::Microseconds(rng() % absl::ToInt64Microseconds(end - T0())));
    }
    clock_.Set(T0());
    const uint64_t answered_before = kept_->kept_board_answers();
    int n = 0;
    for (absl::Time t : instants) {
      clock_.Set(t);
      ExpectSameBoardNow(absl::FormatTime(t));
      if (++n % 7 == 0) ExpectSameBoardNow("again at " + absl::FormatTime(t));
      if (HasFatalFailure()) return;
    }
    // Most calls between boundaries are answered from the kept board.
    EXPECT_GT(kept_->kept_board_answers() - answered_before, instants.size() / 10);
  }
}

TEST_F(ReadinessBoardTest, WritesAreSeenAtOnce) {
  std::mt19937_64 rng(11);
  Populate(rng, 6);
  clock_.Set(T0() + absl::Hours(2));
  ExpectSameBoardNow("before");
  ExpectSameBoardNow("kept");
  ASSERT_GT(kept_->kept_board_answers(), 0u);
  // A new acute complaint on the first player: the kept board must not hide it.
  domain::Id first = 0;
  Write([&](storage::Transaction& conn) -> absl::Status {
    first = storage::ListPlayers(conn, squad_, false, 0, 1).front().id;
    domain::Complaint c;
    c.player_id = first;
    c.side = domain::Side::kRight;
    c.onset_kind = domain::OnsetKind::kAcute;
    c.onset_at = clock_.Now() - absl::Minutes(5);
    c.created_at = c.updated_at = clock_.Now();
    return storage::InsertComplaint(conn, c).status();
  });
  ExpectSameBoardNow("after the new complaint");
  v1::GetSquadReadinessRequest request;
  request.set_squad_id(squad_);
  auto board = kept_->GetSquadReadiness(common::Caller{"coach", common::Role::kCoach}, request);
  ASSERT_TRUE(board.ok());
  bool seen = false;
  for (const auto& p : board->players()) {
    if (p.player_id() == first) {
      seen = true;
      EXPECT_EQ(p.availability(), v1::AVAILABILITY_UNAVAILABLE);
    }
  }
  EXPECT_TRUE(seen);
  // A new player appears; an archived one goes.
  Write([&](storage::Transaction& conn) -> absl::Status {
    domain::Player p;
    p.squad_id = squad_;
    p.name = "New signing";
    return storage::InsertPlayer(conn, p).status();
  });
  ExpectSameBoardNow("after the new player");
}

// A random write about one random player (or, now and then, the roster), as the services make
// them: returns the player written about, 0 for a roster change.
domain::Id RandomWrite(storage::Database& db, std::mt19937_64& rng, domain::Id squad,
                       absl::Time now) {
  domain::Id about = 0;
  const absl::Status status = db.Write([&](storage::Transaction& conn) -> absl::Status {
    const auto players = storage::ListPlayers(conn, squad, false, 0, 1000);
    if (players.empty()) return absl::OkStatus();
    const domain::Player& player = players[rng() % players.size()];
    about = player.id;
    auto micros = [&](absl::Duration span) {
      return absl::Microseconds(rng() % std::max<int64_t>(1, absl::ToInt64Microseconds(span)));
    };
    const auto complaints = storage::ListComplaintsOfPlayers(conn, {player.id});
    switch (rng() % 9) {
      case 0: {  // a new complaint, begun up to 50 days ago or starting within 2 days
        domain::Complaint c;
        c.player_id = player.id;
        c.side = static_cast<domain::Side>(1 + rng() % 3);
        c.onset_kind = rng() % 3 == 0 ? domain::OnsetKind::kAcute : domain::OnsetKind::kGradual;
        c.onset_at = now - 50 * kDay + micros(52 * kDay);
        c.symptoms.pain = rng() % 8;
        c.created_at = c.updated_at = now;
        c.created_by = c.updated_by = "physio";
        return storage::InsertComplaint(conn, c).status();
      }
      case 1: {  // a check-in on one of their complaints
        if (complaints.empty()) return absl::OkStatus();
        domain::CheckIn ci;
        ci.complaint_id = complaints[rng() % complaints.size()].id;
        ci.checked_at = now - micros(kDay);
        ci.symptoms.pain = rng() % 10;
        ci.symptoms.spasm = rng() % 2;
        ci.recorded_by = "physio";
        return storage::InsertCheckIn(conn, ci).status();
      }
      case 2: {  // a resolution
        for (auto c : complaints) {
          if (c.resolved_at || c.onset_at > now) continue;
          c.resolved_at = now - micros(now - c.onset_at);
          c.updated_at = now;
          return storage::UpdateComplaint(conn, c);
        }
        return absl::OkStatus();
      }
      case 3: {  // an override, or clearing one
        const auto held = storage::ListOverridesOfPlayers(conn, {player.id}, now);
        if (!held.empty() && rng() % 2 == 0) {
          auto o = held.front();
          if (o.cleared_at || o.expires_at <= now) return absl::OkStatus();
          o.cleared_at = now;
          o.cleared_by = "physio";
          return storage::UpdateOverride(conn, o);
        }
        domain::ReadinessOverride o;
        o.player_id = player.id;
        o.availability = static_cast<domain::Availability>(1 + rng() % 3);
        o.reason = "physio call";
        o.starts_at = now - absl::Hours(2) + micros(absl::Hours(30));
        o.expires_at = o.starts_at + absl::Minutes(30) + micros(2 * kDay);
        o.set_by = "physio";
        o.created_at = now;
        return storage::InsertOverride(conn, o).status();
      }
      case 4: {  // an awkward contact event
        domain::ContactEvent e;
        e.player_id = player.id;
        e.kind = domain::ContactKind::kTackleMade;
        e.awkward = rng() % 2 == 0;
        e.occurred_at = now - micros(20 * kDay);
        e.idempotency_key = "w" + std::to_string(rng());
        e.recorded_at = now;
        e.recorded_by = "coach";
        storage::ContactEventInserter(conn).InsertIfNew(e);
        return absl::OkStatus();
      }
      case 5: {  // a protocol assignment for a session within the next two days
        storage::ProtocolAssignment a;
        a.player_id = player.id;
        a.session_label = "training";
        a.session_kind = 1;
        a.session_at = now - absl::Hours(3) + micros(2 * kDay);
        a.assigned_at = now;
        a.assigned_by = "physio";
        storage::StoredPrescription pre;
        pre.timing = storage::kTimingPre;
        pre.protocol = "piriformis";
        pre.exercise = "4-sign stretch";
        pre.plugin_name = "fixture";
        pre.plugin_version = "1";
        a.prescriptions.push_back(pre);
        return storage::InsertAssignment(conn, a).status();
      }
      case 6: {  // the roster: a rename (board order) or a new signing
        about = 0;
        if (rng() % 2 == 0) {
          domain::Player p = player;
          p.name = "Renamed " + std::to_string(rng() % 100);
          p.updated_at = now;
          return storage::UpdatePlayer(conn, p);
        }
        domain::Player p;
        p.squad_id = squad;
        p.name = "Signing " + std::to_string(rng() % 100);
        return storage::InsertPlayer(conn, p).status();
      }
      case 7: {  // the next return-to-play stage of an open complaint (its plan made if none)
        for (const auto& c : complaints) {
          if (!c.OpenAt(now)) continue;
          auto plan = storage::FindPlanOfComplaint(conn, c.id);
          if (!plan.ok()) {
            domain::ReturnToPlayPlan p;
            p.complaint_id = c.id;
            p.player_id = player.id;
            p.created_at = now;
            p.created_by = "physio";
            plan = storage::InsertPlan(conn, p);
            if (!plan.ok()) return plan.status();
          }
          if (plan->reached.size() >= 3) return absl::OkStatus();
          domain::StageReached r;
          r.stage = static_cast<domain::ReturnToPlayStage>(plan->reached.size() + 1);
          r.reached_at = now - micros(kDay);
          r.recorded_at = now;
          r.recorded_by = "physio";
          return storage::InsertStageReached(conn, plan->id, r).status();
        }
        return absl::OkStatus();
      }
      default:  // a write about nobody's record
        about = -1;
        return absl::OkStatus();
    }
  });
  EXPECT_TRUE(status.ok()) << status;
  return about;
}

TEST_F(ReadinessBoardTest, KeptBoardReadsLikeAFreshOneAfterRandomWritesAtRandomInstants) {
  for (uint32_t seed : {21u, 22u, 23u}) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    sessions_.clear();
    Populate(rng, 12);
    absl::Time now = T0() + absl::Hours(1);
    const uint64_t patched_before = kept_->rows_recomputed();
    for (int step = 0; step < 150; ++step) {
      switch (rng() % 4) {
        case 0: now += absl::Microseconds(1 + rng() % 1000); break;
        case 1: now += absl::Minutes(1 + rng() % 600); break;
        default: RandomWrite(*db_, rng, squad_, now); break;
      }
      clock_.Set(now);
      ExpectSameBoardNow(absl::StrCat("step ", step, " at ", absl::FormatTime(now)));
      if (rng() % 10 == 0) {
        v1::GetSquadReadinessRequest request;
        request.set_squad_id(squad_);
        ToProto(now + absl::Hours(static_cast<int64_t>(rng() % 48)) - absl::Hours(24),
                request.mutable_session_time());
        ExpectSameBoard(request, absl::StrCat("step ", step, ", another session time"));
      }
      if (HasFatalFailure()) return;
    }
    // Rows were recomputed one by one, not only whole boards (SQLite: the players each write
    // changed are known; PostgreSQL recomputes whole boards, storage/postgres/postgres_database.h).
    if (!touchline::testing::OnPostgres()) {
      EXPECT_GT(kept_->rows_recomputed() - patched_before, 0u);
    }
  }
}

TEST_F(ReadinessBoardTest, AWriteAboutOnePlayerRecomputesThatPlayersRowOnly) {
  TOUCHLINE_SQLITE_ONLY("players changed per write come from SQLite's update hook");
  std::mt19937_64 rng(31);
  Populate(rng, 20);
  clock_.Set(T0() + absl::Hours(3));
  ExpectSameBoardNow("first");  // computes the whole board
  int single = 0;
  for (int i = 0; i < 40; ++i) {
    const uint64_t rows_before = kept_->rows_recomputed();
    const uint64_t boards_before = kept_->boards_computed();
    const domain::Id about = RandomWrite(*db_, rng, squad_, clock_.Now());
    ExpectSameBoardNow(absl::StrCat("after write ", i));
    if (HasFatalFailure()) return;
    if (about > 0) {
      ++single;
      EXPECT_EQ(kept_->boards_computed(), boards_before) << "write " << i;
      EXPECT_LE(kept_->rows_recomputed() - rows_before, 1u) << "write " << i;
    } else if (about == 0) {
      EXPECT_EQ(kept_->boards_computed(), boards_before + 1) << "roster change " << i;
    } else {
      EXPECT_EQ(kept_->rows_recomputed(), rows_before) << "write about nobody " << i;
    }
  }
  EXPECT_GT(single, 10);
}

// Each form is minimised a row at a time and kept per row: it must read as the whole answer
// minimised at once, before and after a row is recomputed.
TEST_F(ReadinessBoardTest, ServedFormsReadAsTheWholeAnswerMinimised) {
  std::mt19937_64 rng(41);
  Populate(rng, 9);
  clock_.Set(T0() + absl::Hours(5));
  auto minimise = [](v1::GetSquadReadinessResponse& answer) {
    answer.clear_session_time();
    answer.set_modified_count(0);
    for (auto& p : *answer.mutable_players()) {
      p.clear_player_name();
      p.clear_reasons();
      p.set_player_id(p.player_id() * 7 + 1);
    }
  };
  const common::Caller caller{"coach", common::Role::kCoach};
  v1::GetSquadReadinessRequest request;
  request.set_squad_id(squad_);
  for (int round = 0; round < 4; ++round) {
    auto served = kept_->ServeSquadReadiness(caller, request);
    ASSERT_TRUE(served.ok()) << served.status();
    v1::GetSquadReadinessResponse whole;
    auto fresh = fresh_->GetSquadReadiness(caller, request);
    ASSERT_TRUE(fresh.ok());
    whole = *fresh;
    minimise(whole);
    v1::GetSquadReadinessResponse parsed;
    ASSERT_TRUE(parsed.ParseFromString(served->Serialized(3, minimise)));
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(whole, parsed)) << "round " << round << ": " << diff;
    // The full form keeps the session time of each call.
    ASSERT_TRUE(parsed.ParseFromString(served->Serialized(0, [](auto&) {})));
    EXPECT_EQ(FromProto(parsed.session_time()), clock_.Now());
    EXPECT_EQ(parsed.players_size(), fresh->players_size());
    RandomWrite(*db_, rng, squad_, clock_.Now());
    clock_.Set(clock_.Now() + absl::Minutes(7));
  }
}

TEST_F(ReadinessBoardTest, ExplicitSessionTimesBeforeAndAfterTheKeptBoard) {
  std::mt19937_64 rng(5);
  Populate(rng, 10);
  clock_.Set(T0() + kDay);
  ExpectSameBoardNow("now");
  for (absl::Duration d : {-3 * kDay, -kMicro, kMicro, absl::Hours(5), 2 * kDay, -kDay}) {
    v1::GetSquadReadinessRequest request;
    request.set_squad_id(squad_);
    ToProto(clock_.Now() + d, request.mutable_session_time());
    ExpectSameBoard(request, absl::StrCat("session at now ", absl::FormatDuration(d)));
    ExpectSameBoardNow(absl::StrCat("now, after session ", absl::FormatDuration(d)));
  }
}

TEST_F(ReadinessBoardTest, UnknownSquadIsNotFoundAndNothingIsKept) {
  v1::GetSquadReadinessRequest request;
  request.set_squad_id(999);
  for (int i = 0; i < 2; ++i) {
    auto board = kept_->GetSquadReadiness(common::Caller{"coach", common::Role::kCoach}, request);
    EXPECT_EQ(board.status().code(), absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(kept_->kept_board_answers(), 0u);
}

// ---- ReadinessStableUntil on hand-made records ----

TEST(ReadinessStableUntilTest, PersistenceLineOverrideExpiryAndSessionMidpoint) {
  domain::FlagThresholds th;
  const absl::Time at = T0();
  const absl::Time horizon = at + absl::Hours(100 * 24);
  SquadSnapshot snapshot;
  PlayerRecord record;
  record.player.id = 1;
  domain::Complaint c;
  c.player_id = 1;
  c.onset_at = at - 41 * kDay - absl::Hours(23);  // persistent an hour and a microsecond from now
  record.complaints.push_back(c);
  snapshot.players.push_back(record);
  EXPECT_EQ(ReadinessStableUntil(snapshot.players[0], {}, std::nullopt, at, horizon, th),
            at + absl::Hours(1) + kMicro);

  domain::ReadinessOverride o;
  o.starts_at = at - kDay;
  o.expires_at = at + absl::Minutes(30);
  snapshot.players[0].overrides.push_back(o);
  EXPECT_EQ(ReadinessStableUntil(snapshot.players[0], {}, std::nullopt, at, horizon, th),
            at + absl::Minutes(30));

  // Two sessions of one player 10 h apart, both 1 h ahead and more: the closer one changes at the
  // midpoint; the first session's window began long ago, the second's begins 1 h ago (past).
  std::vector<storage::AssignmentTime> a(2);
  a[0].player_id = a[1].player_id = 1;
  a[0].session_at = at + absl::Minutes(10);
  a[1].session_at = at + absl::Minutes(20);
  EXPECT_EQ(ReadinessStableUntil(snapshot.players[0], a, std::nullopt, at, horizon, th),
            at + absl::Minutes(15));
  EXPECT_EQ(ReadinessStableUntil(snapshot.players[0], a, at + absl::Minutes(1), at, horizon, th),
            at + absl::Minutes(1));  // a complaint of an unloaded player begins
  EXPECT_EQ(ReadinessStableUntil(snapshot.players[0], a, std::nullopt, at, at + absl::Minutes(2), th),
            at + absl::Minutes(2));  // never past the horizon
}

}  // namespace
}  // namespace touchline::service
