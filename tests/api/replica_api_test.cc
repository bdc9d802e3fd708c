// Two servers on one club's PostgreSQL schema, as replicas would run (groundwork of issue 22): a
// write through one reaches the other's answers without a restart. The readiness board is kept in
// memory by each server; the other server's write reaches it through PostgreSQL (NOTIFY at
// commit, the records generation stepped by each server's listener). Tokens are checked against
// the shared table, so one token works on both. PostgreSQL only: SQLite is one server's file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/access/credentials.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

class ReplicaApiTest : public ServerTest {
 protected:
  void SetUp() override {
    if (!OnPostgres()) GTEST_SKIP() << "replicas share a PostgreSQL schema";
    ServerTest::SetUp();
    api::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.database = TestStoreOptions(db_path_);
    options.database.synchronous_full = false;
    auto second = api::TouchlineServer::Start(options, clock_);
    ASSERT_TRUE(second.ok()) << second.status();
    second_ = *std::move(second);
    second_channel_ = grpc::CreateChannel(second_->address(), grpc::InsecureChannelCredentials());
    second_readiness_ = v1::ReadinessService::NewStub(second_channel_);
    second_squads_ = v1::SquadService::NewStub(second_channel_);
  }
  void TearDown() override {
    second_.reset();
    ServerTest::TearDown();
  }

  // The second server's board for `player` (the coach's view: availability only).
  v1::Availability SecondBoardSays(int64_t squad, int64_t player) {
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad);
    v1::GetSquadReadinessResponse resp;
    const grpc::Status status = second_readiness_->GetSquadReadiness(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& p : resp.players()) {
      if (p.player_id() == player) return p.availability();
    }
    return v1::AVAILABILITY_UNSPECIFIED;
  }

  // An open gradual-onset complaint of `player` with that onset, through the second server.
  grpc::Status SecondComplaint(int64_t player, absl::Time onset) {
    v1::CreateComplaintRequest req;
    auto* c = req.mutable_complaint();
    c->set_player_id(player);
    c->set_side(v1::SIDE_LEFT);
    *c->mutable_onset_time() = Ts(onset);
    c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
    c->set_mechanism(v1::MECHANISM_UNKNOWN);
    c->mutable_symptoms()->set_pain(3);
    v1::CreateComplaintResponse created;
    return v1::ComplaintService::NewStub(second_channel_)->CreateComplaint(Ctx().get(), req,
                                                                           &created);
  }

  // A player of `squad` and a complaint with that onset, through the second server.
  int64_t MakeSecondPlayerWithComplaintAt(int64_t squad, absl::Time onset) {
    v1::CreatePlayerRequest p;
    p.mutable_player()->set_squad_id(squad);
    p.mutable_player()->set_name("Eleven");
    p.mutable_player()->set_position_group(v1::POSITION_GROUP_BACK);
    p.mutable_player()->set_position_name("wing");
    v1::CreatePlayerResponse player;
    EXPECT_TRUE(v1::PlayerService::NewStub(second_channel_)
                    ->CreatePlayer(Ctx().get(), p, &player)
                    .ok());
    EXPECT_TRUE(SecondComplaint(player.player().id(), onset).ok());
    return player.player().id();
  }

  std::unique_ptr<api::TouchlineServer> second_;
  std::shared_ptr<grpc::Channel> second_channel_;
  std::unique_ptr<v1::ReadinessService::Stub> second_readiness_;
  std::unique_ptr<v1::SquadService::Stub> second_squads_;
};

TEST_F(ReplicaApiTest, AWriteThroughOneServerReachesTheOthersKeptBoard) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Nine");
  // The second server builds and keeps its board: the player is fit.
  ASSERT_EQ(SecondBoardSays(squad, player), v1::AVAILABILITY_AVAILABLE);
  ASSERT_EQ(SecondBoardSays(squad, player), v1::AVAILABILITY_AVAILABLE);
  // An acute hamstring complaint today, recorded through the first server.
  MakeComplaint(player, v1::SIDE_LEFT, Start() - absl::Hours(2), v1::ONSET_KIND_ACUTE, 6);
  v1::Availability seen = v1::AVAILABILITY_AVAILABLE;
  for (int i = 0; i < 100 && seen == v1::AVAILABILITY_AVAILABLE; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    seen = SecondBoardSays(squad, player);
  }
  EXPECT_NE(seen, v1::AVAILABILITY_AVAILABLE) << "the second server kept its stale board";
  EXPECT_NE(seen, v1::AVAILABILITY_UNSPECIFIED);
}

// At once: the first read through the second server after a write through the first is answered
// from a board that has the write, every time (no waiting for the other server to hear of it).
TEST_F(ReplicaApiTest, TheOtherServersFirstReadAfterAWriteHasIt) {
  const int64_t squad = MakeSquad();
  std::vector<int64_t> players;
  for (int i = 0; i < 20; ++i) players.push_back(MakePlayer(squad, absl::StrCat("Player ", i)));
  int stale = 0;
  for (const int64_t player : players) {
    ASSERT_EQ(SecondBoardSays(squad, player), v1::AVAILABILITY_AVAILABLE);  // kept by the second
    MakeComplaint(player, v1::SIDE_LEFT, Start() - absl::Hours(2), v1::ONSET_KIND_ACUTE, 6);
    if (SecondBoardSays(squad, player) == v1::AVAILABILITY_AVAILABLE) ++stale;
  }
  EXPECT_EQ(stale, 0) << "reads through the second server missed writes through the first";
}

// The clock's wakes are followed by the server holding the lease. A complaint recorded through
// the other server still turns PERSISTENT at day 42 (its holder reconciles after other servers'
// writes), once; and when the holder goes, the other takes the lease over and raises the next.
TEST_F(ReplicaApiTest, OneServerFollowsTheClockAndTheOtherTakesOverWhenItGoes) {
  const int64_t squad = MakeSquad();
  const int64_t through_second = MakePlayer(squad, "Ten");
  ASSERT_TRUE(
      SecondComplaint(through_second, Start() - absl::Hours(24 * 42) + absl::Minutes(1)).ok());
  const std::string raised = absl::StrCat(
      "SELECT count(*) FROM flag_changes WHERE change_type = ", v1::FLAG_CHANGE_TYPE_RAISED,
      " AND flag_key LIKE '%-persistent-%' AND player_id = ");
  absl::SleepFor(absl::Seconds(2));  // each server has asked for the lease, the holder heard
  EXPECT_EQ(StoreInt(absl::StrCat(raised, through_second)), 0);  // 41 d 23 h 59 min: not yet
  clock_.Advance(absl::Minutes(2));
  int64_t count = 0;
  for (int i = 0; i < 100 && count == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    count = StoreInt(absl::StrCat(raised, through_second));
  }
  EXPECT_EQ(count, 1) << "PERSISTENT raised once, by the lease's holder";

  // The first server (the holder: it asked first) goes; the second carries on alone.
  server_.reset();
  const int64_t later = MakeSecondPlayerWithComplaintAt(squad, Start() + absl::Minutes(2) -
                                                                   absl::Hours(24 * 42) +
                                                                   absl::Minutes(1));
  absl::SleepFor(absl::Seconds(2));  // the lease passes on within a second or two
  clock_.Advance(absl::Minutes(2));
  count = 0;
  for (int i = 0; i < 100 && count == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    count = StoreInt(absl::StrCat(raised, later));
  }
  EXPECT_EQ(count, 1) << "the second server did not take the clock over";
  EXPECT_EQ(StoreInt(absl::StrCat(raised, through_second)), 1);
}

// Reads `count` changes from a WatchFlags stream (the context's deadline bounds the wait).
std::vector<v1::FlagChange> ReadChanges(grpc::ClientReader<v1::WatchFlagsResponse>& reader,
                                        size_t count) {
  std::vector<v1::FlagChange> out;
  v1::WatchFlagsResponse response;
  while (out.size() < count && reader.Read(&response)) out.push_back(response.change());
  return out;
}

std::unique_ptr<grpc::ClientContext> WithDeadline(std::unique_ptr<grpc::ClientContext> ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

// WatchFlags on either server delivers the club's changes whichever server appended them, in the
// log's one gap-free sequence; a watcher that reached a sequence on one server resumes on the
// other from it.
TEST_F(ReplicaApiTest, AWatcherOnEitherServerSeesEveryChangeAndResumesOnTheOther) {
  const int64_t squad = MakeSquad();
  auto second_flags = v1::FlagService::NewStub(second_channel_);
  auto watching_second = WithDeadline(Ctx());
  auto on_second = second_flags->WatchFlags(watching_second.get(), v1::WatchFlagsRequest());
  // Complaints open for 43 days, recorded through the first server: its monitor appends RAISED
  // PERSISTENT for each right after the write; the second server only hears of them.
  const int64_t first_player = MakePlayer(squad, "Twelve");
  const v1::Complaint first_complaint =
      MakeComplaint(first_player, v1::SIDE_LEFT, Start() - absl::Hours(24 * 43));
  const int64_t second_player = MakePlayer(squad, "Thirteen");
  MakeComplaint(second_player, v1::SIDE_RIGHT, Start() - absl::Hours(24 * 43));
  int64_t logged = 0;
  for (int i = 0; i < 200 && logged < 2; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    logged = StoreInt("SELECT count(*) FROM flag_changes");
  }
  ASSERT_GE(logged, 2);
  const std::vector<v1::FlagChange> seen = ReadChanges(*on_second, logged);
  ASSERT_EQ(static_cast<int64_t>(seen.size()), logged) << "the second server's watcher missed some";
  for (int64_t i = 0; i < logged; ++i) {
    EXPECT_EQ(seen[i].sequence(), i + 1);
    EXPECT_EQ(seen[i].sequence(),
              StoreInt(absl::StrCat("SELECT sequence FROM flag_changes ORDER BY sequence LIMIT 1 "
                                    "OFFSET ", i)));
  }
  EXPECT_EQ(seen[0].flag().kind(), v1::FLAG_KIND_PERSISTENT);

  // The second server appends (an acknowledgement); a watcher on the first server resuming from
  // the sequence the second server's watcher reached receives exactly that, and so does the
  // second server's own watcher.
  v1::AcknowledgeFlagRequest ack;
  ack.set_player_id(first_player);
  ack.set_kind(v1::FLAG_KIND_PERSISTENT);
  ack.set_complaint_id(first_complaint.id());
  ack.set_note("seen in clinic");
  v1::AcknowledgeFlagResponse acked;
  ASSERT_TRUE(second_flags->AcknowledgeFlag(Ctx().get(), ack, &acked).ok());
  v1::WatchFlagsRequest resume;
  resume.set_after_sequence(seen.back().sequence());
  auto watching_first = WithDeadline(Ctx());
  auto on_first = flags_->WatchFlags(watching_first.get(), resume);
  const std::vector<v1::FlagChange> resumed = ReadChanges(*on_first, 1);
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed[0].sequence(), logged + 1);
  EXPECT_EQ(resumed[0].type(), v1::FLAG_CHANGE_TYPE_ACKNOWLEDGED);
  const std::vector<v1::FlagChange> own = ReadChanges(*on_second, 1);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].sequence(), logged + 1);
  watching_first->TryCancel();
  watching_second->TryCancel();
}

// A token revoked on the club's store (the admin command, through any replica's database) stops
// working on both servers, though each had its check kept in memory.
TEST_F(ReplicaApiTest, ARevokedTokenIsRefusedByBothServers) {
  auto list_squads = [&](v1::SquadService::Stub& stub) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + TokenFor("physio.leaving"));
    v1::ListSquadsResponse resp;
    return stub.ListSquads(&ctx, v1::ListSquadsRequest(), &resp).error_code();
  };
  ASSERT_EQ(list_squads(*squads_), grpc::StatusCode::OK);
  ASSERT_EQ(list_squads(*second_squads_), grpc::StatusCode::OK);
  storage::DatabaseOptions store = TestStoreOptions(db_path_);
  store.create_if_missing = false;
  auto db = storage::Database::Open(store);
  ASSERT_TRUE(db.ok()) << db.status();
  auto revoked = access::RevokeTokens(**db, "physio.leaving", absl::Now());
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  ASSERT_EQ(*revoked, 1);
  const absl::Time at = absl::Now();
  bool refused = false;
  while (!refused && absl::Now() - at < absl::Seconds(5)) {
    absl::SleepFor(absl::Milliseconds(10));
    refused = list_squads(*squads_) == grpc::StatusCode::UNAUTHENTICATED &&
              list_squads(*second_squads_) == grpc::StatusCode::UNAUTHENTICATED;
  }
  EXPECT_TRUE(refused) << "a revoked token still works on a server";
  EXPECT_EQ(list_squads(*squads_), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(list_squads(*second_squads_), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ReplicaApiTest, OneTokenWorksOnBothAndASquadCreatedOnOneIsListedOnTheOther) {
  MakeSquad("Seconds");
  v1::ListSquadsResponse listed;
  ASSERT_TRUE(second_squads_->ListSquads(Ctx().get(), {}, &listed).ok());
  ASSERT_EQ(listed.squads_size(), 1);
  EXPECT_EQ(listed.squads(0).name(), "Seconds");
}

}  // namespace
}  // namespace touchline::testing
