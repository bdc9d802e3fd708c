// Which players an audited call touched: the audit log's player list comes from here.
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/access/minimiser.h"
#include "touchline/v1/readiness.pb.h"

namespace touchline::access {
namespace {

using ::testing::ElementsAre;

TEST(PlayerIdsTest, ABoardNamesEveryPlayerOnceNestedOnesIncluded) {
  v1::GetSquadReadinessResponse board;
  board.set_squad_id(4);  // a squad id, not a player's
  for (int64_t id : {7, 3, 12}) board.add_players()->set_player_id(id);
  // Player 7's override names 7 again, one level down; player 3's names 3 only there.
  board.mutable_players(0)->mutable_override()->set_player_id(7);
  board.mutable_players(1)->set_player_id(0);
  board.mutable_players(1)->mutable_override()->set_player_id(3);
  board.add_players();  // an entry without a player id (0) names nobody

  std::set<int64_t> ids;
  CollectPlayerIds(board, ids);
  EXPECT_THAT(ids, ElementsAre(3, 7, 12));
}

TEST(PlayerIdsTest, TheRequestAndTheAnswerTogetherNameEachPlayerOnce) {
  // What the access interceptor does: the request's ids, then the answer's, into one set.
  v1::ListReadinessOverridesRequest request;
  request.set_player_id(12);
  v1::ListReadinessOverridesResponse answer;
  answer.add_readiness_overrides()->set_player_id(12);
  answer.add_readiness_overrides()->set_player_id(5);
  std::set<int64_t> ids;
  CollectPlayerIds(request, ids);
  CollectPlayerIds(answer, ids);
  EXPECT_THAT(ids, ElementsAre(5, 12));
}

TEST(PlayerIdsTest, AnAnswerWithoutPlayersNamesNobody) {
  v1::GetSquadReadinessResponse empty_squad;
  empty_squad.set_squad_id(9);
  std::set<int64_t> ids;
  CollectPlayerIds(empty_squad, ids);
  EXPECT_TRUE(ids.empty());
}

}  // namespace
}  // namespace touchline::access
