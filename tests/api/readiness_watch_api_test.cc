// ReadinessService.WatchSquadReadiness over gRPC (issue 20: the live board): the board at once,
// again after a change anyone makes, again when time alone changes it (an override running out),
// and refusals before anything is streamed.
#include "absl/strings/str_cat.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

class ReadinessWatchApiTest : public ServerTest {
 protected:
  grpc::Status Override(int64_t player, v1::Availability availability, absl::Time expire) {
    v1::CreateReadinessOverrideRequest req;
    auto* o = req.mutable_readiness_override();
    o->set_player_id(player);
    o->set_availability(availability);
    o->set_reason("rested after a heavy week");
    *o->mutable_expire_time() = Ts(expire);
    v1::CreateReadinessOverrideResponse resp;
    return readiness_->CreateReadinessOverride(Ctx().get(), req, &resp);
  }
};

TEST_F(ReadinessWatchApiTest, TheBoardFollowsWritesAndTheClock) {
  const int64_t squad = MakeSquad();
  const int64_t ella = MakePlayer(squad, "Ella Morgan");
  MakePlayer(squad, "Cai Jenkins");
  auto ctx = CtxAs("coach.cat", common::Role::kCoach);
  v1::WatchSquadReadinessRequest req;
  req.set_squad_id(squad);  // no session time: "now", moving with the server's clock
  auto stream = readiness_->WatchSquadReadiness(ctx.get(), req);
  v1::WatchSquadReadinessResponse board;
  ASSERT_TRUE(stream->Read(&board));
  EXPECT_EQ(board.board().available_count(), 2);
  EXPECT_EQ(board.board().players_size(), 2);

  // A physio's override, over another connection: the next board has it.
  ASSERT_TRUE(Override(ella, v1::AVAILABILITY_UNAVAILABLE, Start() + absl::Hours(1)).ok());
  ASSERT_TRUE(stream->Read(&board));
  EXPECT_EQ(board.board().available_count(), 1);
  EXPECT_EQ(board.board().unavailable_count(), 1);

  // Two hours pass and nothing is written: the override has run out, and the board says so.
  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(stream->Read(&board));
  EXPECT_EQ(board.board().available_count(), 2);
  EXPECT_EQ(board.board().unavailable_count(), 0);
  EXPECT_EQ(board.board().session_time().seconds(),
            absl::ToUnixSeconds(Start() + absl::Hours(2)));
  ctx->TryCancel();
}

TEST_F(ReadinessWatchApiTest, BadRequestsAreRefusedBeforeAnyBoard) {
  const int64_t squad = MakeSquad();
  {
    auto ctx = Ctx();
    v1::WatchSquadReadinessRequest req;  // no squad
    auto stream = readiness_->WatchSquadReadiness(ctx.get(), req);
    v1::WatchSquadReadinessResponse board;
    EXPECT_FALSE(stream->Read(&board));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    auto ctx = Ctx();
    v1::WatchSquadReadinessRequest req;
    req.set_squad_id(squad + 100);
    auto stream = readiness_->WatchSquadReadiness(ctx.get(), req);
    v1::WatchSquadReadinessResponse board;
    EXPECT_FALSE(stream->Read(&board));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext anonymous;
    v1::WatchSquadReadinessRequest req;
    req.set_squad_id(squad);
    auto stream = readiness_->WatchSquadReadiness(&anonymous, req);
    v1::WatchSquadReadinessResponse board;
    EXPECT_FALSE(stream->Read(&board));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_F(ReadinessWatchApiTest, AnAnalystsBoardIsPseudonymised) {
  const int64_t squad = MakeSquad();
  MakePlayer(squad, "Ella Morgan");
  auto ctx = CtxAs("analyst.ada", common::Role::kAnalyst);
  v1::WatchSquadReadinessRequest req;
  req.set_squad_id(squad);
  auto stream = readiness_->WatchSquadReadiness(ctx.get(), req);
  v1::WatchSquadReadinessResponse board;
  ASSERT_TRUE(stream->Read(&board));
  ASSERT_EQ(board.board().players_size(), 1);
  EXPECT_EQ(board.board().players(0).player_id(), 0);
  EXPECT_EQ(board.board().players(0).player_name(), "");
  EXPECT_FALSE(board.board().players(0).player_pseudonym().empty());
  ctx->TryCancel();
}

}  // namespace
}  // namespace touchline::testing
