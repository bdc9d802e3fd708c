// Two servers on one club's PostgreSQL schema, as replicas would run (groundwork of issue 22): a
// write through one reaches the other's answers without a restart. The readiness board is kept in
// memory by each server; the other server's write reaches it through PostgreSQL (NOTIFY at
// commit, the records generation stepped by each server's listener). Tokens are checked against
// the shared table, so one token works on both. PostgreSQL only: SQLite is one server's file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST_F(ReplicaApiTest, OneTokenWorksOnBothAndASquadCreatedOnOneIsListedOnTheOther) {
  MakeSquad("Seconds");
  v1::ListSquadsResponse listed;
  ASSERT_TRUE(second_squads_->ListSquads(Ctx().get(), {}, &listed).ok());
  ASSERT_EQ(listed.squads_size(), 1);
  EXPECT_EQ(listed.squads(0).name(), "Seconds");
}

}  // namespace
}  // namespace touchline::testing
